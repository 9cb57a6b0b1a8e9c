// The after-sales part of the case page: the deadline that governs the case now, the return
// address and parcel, and the actions the viewer may take (only those the rules allow now).
import { Form, useNavigation } from '@remix-run/react'
import { useState } from 'react'
import { COURIERS, OFFLINE_RESOLUTIONS, REJECTION_REASONS, RETURN_SMS_NOTICE } from '~/domain/lifecycle'
import { useT } from '~/i18n/use-t'
import type { CaseView } from '~/models/case-view.server'
import { ErrorLine, Section, type ActionResult } from './case-ui'
import { CsrfInput } from './csrf-input'
import { EvidenceList } from './evidence-list'
import { Money } from './money'
import { Countdown, LocalTime } from './time'

const button = 'rounded px-3 py-2 text-sm font-medium disabled:opacity-60'
const primary = `${button} bg-slate-900 text-white hover:bg-slate-700`
const secondary = `${button} border border-slate-300 bg-white hover:bg-slate-50`
const field = 'mt-1 rounded border border-slate-300 px-2 py-1 text-sm'

function useBusy(intent: string) {
  const navigation = useNavigation()
  return navigation.state !== 'idle' && navigation.formData?.get('intent') === intent
}

function IntentForm({ intent, children, className, files, confirm }: { intent: string; children: React.ReactNode; className?: string; files?: boolean; confirm?: string }) {
  return (
    <Form
      method="post"
      encType={files ? 'multipart/form-data' : undefined}
      className={className ?? 'space-y-2'}
      onSubmit={confirm ? (event) => (window.confirm(confirm) ? undefined : event.preventDefault()) : undefined}
    >
      <CsrfInput />
      <input type="hidden" name="intent" value={intent} />
      {children}
    </Form>
  )
}

const DEADLINE_LABEL = {
  PENDING_MERCHANT: 'lifecycle.deadline.merchant',
  AWAITING_RETURN: 'lifecycle.deadline.ship',
  AWAITING_RECEIPT: 'lifecycle.deadline.receive',
} as const

function RejectForm({ intent, result, toPlatform = false }: { intent: 'reject' | 'reject-after-receipt'; result: ActionResult | undefined; toPlatform?: boolean }) {
  const t = useT()
  const busy = useBusy(intent)
  return (
    <IntentForm intent={intent} files>
      <div>
        <label htmlFor={`${intent}-reason`} className="block text-sm font-medium">
          {t('lifecycle.reject.reason')}
        </label>
        <select id={`${intent}-reason`} name="reason" required className={field}>
          {REJECTION_REASONS.map((reason) => (
            <option key={reason} value={reason}>
              {t(`rejectionReason.${reason}`)}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor={`${intent}-message`} className="block text-sm font-medium">
          {t('lifecycle.reject.message')}
        </label>
        <textarea id={`${intent}-message`} name="message" required maxLength={2000} rows={2} className={`${field} w-full`} />
      </div>
      <div>
        <label htmlFor={`${intent}-files`} className="block text-sm font-medium">
          {t('lifecycle.reject.files')}
        </label>
        <input id={`${intent}-files`} name="files" type="file" multiple required className="mt-1 text-sm" />
      </div>
      <button type="submit" disabled={busy} className={`${button} bg-red-700 text-white hover:bg-red-600`}>
        {t(intent === 'reject' ? 'lifecycle.reject.submit' : toPlatform ? 'lifecycle.rejectAfterReceipt.toPlatform' : 'lifecycle.rejectAfterReceipt.submit')}
      </button>
      <ErrorLine result={result} intent={intent} />
    </IntentForm>
  )
}

function ShipForm({ result, onBehalf }: { result: ActionResult | undefined; onBehalf: boolean }) {
  const t = useT()
  const busy = useBusy('ship-return')
  return (
    <IntentForm intent="ship-return" className="flex flex-wrap items-end gap-3">
      <div>
        <label htmlFor="courier" className="block text-sm font-medium">
          {t('lifecycle.ship.courier')}
        </label>
        <select id="courier" name="courier" required className={field}>
          {COURIERS.map((courier) => (
            <option key={courier} value={courier}>
              {t(`courier.${courier}`)}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="trackingNo" className="block text-sm font-medium">
          {t('lifecycle.ship.trackingNo')}
        </label>
        <input id="trackingNo" name="trackingNo" required maxLength={40} autoComplete="off" className={field} />
      </div>
      <button type="submit" disabled={busy} className={primary}>
        {t(onBehalf ? 'lifecycle.ship.submitForBuyer' : 'lifecycle.ship.submit')}
      </button>
      <ErrorLine result={result} intent="ship-return" />
    </IntentForm>
  )
}

function ReceiptForm({ view, result }: { view: CaseView; result: ActionResult | undefined }) {
  const t = useT()
  const busy = useBusy('confirm-receipt')
  const [accepted, setAccepted] = useState(false)
  const warn = view.lifecycle.insuranceWarning
  return (
    <IntentForm intent="confirm-receipt" confirm={t('lifecycle.receipt.confirm')}>
      {warn ? (
        <div role="note" className="rounded border border-amber-300 bg-amber-50 p-2 text-sm text-amber-900">
          <p>{t('error.service.INSURANCE_WARNING')}</p>
          <label className="mt-1 flex items-center gap-2">
            <input type="checkbox" name="insuranceWarningAccepted" value="yes" checked={accepted} onChange={(e) => setAccepted(e.target.checked)} />
            {t('lifecycle.receipt.acceptWarning')}
          </label>
        </div>
      ) : null}
      <button type="submit" disabled={busy || (warn && !accepted)} className={primary}>
        {t('lifecycle.receipt.submit')}
      </button>
      <ErrorLine result={result} intent="confirm-receipt" />
    </IntentForm>
  )
}

export function LifecyclePanel({ view, result }: { view: CaseView; result: ActionResult | undefined }) {
  const t = useT()
  const life = view.lifecycle
  const offered = new Set(view.commands)
  const actions = {
    approve: offered.has('approve'),
    reject: offered.has('reject'),
    directRefund: offered.has('direct-refund'),
    shipReturn: offered.has('ship-return'),
    confirmReceipt: offered.has('confirm-receipt'),
    rejectAfterReceipt: offered.has('reject-after-receipt'),
    extendReceipt: offered.has('extend-receipt'),
    offlineResolution: offered.has('offline-resolution'),
    withdraw: offered.has('withdraw'),
  }
  const isMerchant = view.viewer.kind === 'MERCHANT'
  const approveBusy = useBusy('approve')
  const deadlineLabel = DEADLINE_LABEL[view.case.state as keyof typeof DEADLINE_LABEL]
  const anyAction = Object.values(actions).some(Boolean)
  const bound = view.case.boundByRuling && (view.case.state === 'AWAITING_RETURN' || view.case.state === 'AWAITING_RECEIPT')
  const anything =
    anyAction ||
    bound ||
    Boolean(life.deadline && deadlineLabel) ||
    Boolean(life.autoDecisionRuleId || life.offlineResolution || life.rejectionReason || life.returnAddress || life.returnTrackingNo) ||
    view.rejectionProofs.length > 0 ||
    view.requestProofs.length > 0 ||
    view.case.state === 'AWAITING_RETURN'
  // Nothing to show or do: no empty box.
  if (!anything) return null
  return (
    <Section title={t('lifecycle.title')} id="after-sales">
      <div className="space-y-4">
        {life.deadline && deadlineLabel ? (
          <p className="flex flex-wrap items-center gap-2 text-sm" data-testid="case-deadline">
            <span className="font-medium">{t(deadlineLabel)}</span>
            <LocalTime value={life.deadline} />
            <Countdown deadline={life.deadline} />
          </p>
        ) : null}
        {life.autoDecisionRuleId ? (
          <p className="rounded bg-green-50 px-3 py-2 text-sm text-green-900" data-testid="auto-decision">
            {t(life.expressRefund ? 'lifecycle.expressRefunded' : 'lifecycle.autoRefunded', { rule: t(`rule.${life.autoDecisionRuleId}` as never) })}
          </p>
        ) : null}
        {life.offlineResolution ? <p className="text-sm">{t(`offlineResolution.${life.offlineResolution}` as never)}</p> : null}
        {life.rejectionReason ? (
          <p className="text-sm">
            {t('lifecycle.rejectedBecause')} {t(`rejectionReason.${life.rejectionReason}` as never)}
          </p>
        ) : null}
        {view.rejectionProofs.length > 0 ? <EvidenceList files={view.rejectionProofs} preview={false} /> : null}
        {view.requestProofs.length > 0 ? (
          <div>
            <h3 className="text-sm font-medium">{t('lifecycle.requestProofs')}</h3>
            <EvidenceList files={view.requestProofs} preview={false} />
          </div>
        ) : null}
        {life.returnAddress ? (
          <div className="rounded border border-slate-200 p-3 text-sm" data-testid="return-address">
            <h3 className="font-medium">{t('lifecycle.returnAddress')}</h3>
            <p>
              {life.returnAddress.contactName} · {life.returnAddress.phone}
            </p>
            <p>{life.returnAddress.address}</p>
            {life.returnSmsNotice ? <p className="mt-1 text-amber-800">{t('lifecycle.smsNotice', { text: RETURN_SMS_NOTICE })}</p> : null}
          </div>
        ) : view.case.state === 'AWAITING_RETURN' ? (
          <p className="text-sm text-amber-800">{t('lifecycle.noAddress')}</p>
        ) : null}
        {bound ? (
          <p className="rounded bg-blue-50 px-3 py-2 text-sm text-blue-900" data-testid="bound-by-ruling">
            {t(isMerchant ? 'lifecycle.boundByRuling.merchant' : 'lifecycle.boundByRuling.other')}
          </p>
        ) : null}
        {life.returnTrackingNo ? (
          <p className="text-sm" data-testid="return-tracking">
            {t('lifecycle.tracking', { courier: t(`courier.${life.returnCourier}` as never), trackingNo: life.returnTrackingNo })}
            {life.trackingUploadedBy === 'MERCHANT' ? ` · ${t('lifecycle.trackingByMerchant')}` : ''}
          </p>
        ) : null}

        {anyAction ? (
          <div className="space-y-4 border-t border-slate-100 pt-3">
            {actions.approve ? (
              <IntentForm intent="approve">
                {view.case.type === 'RETURN_AND_REFUND' ? (
                  <>
                    <div>
                      <label htmlFor="addressId" className="block text-sm font-medium">
                        {t('lifecycle.approve.address')}
                      </label>
                      <select id="addressId" name="addressId" required className={field}>
                        {life.addresses.map((a) => (
                          <option key={a.id} value={a.id}>
                            {a.label} · {a.address}
                          </option>
                        ))}
                      </select>
                      {life.addresses.length === 0 ? <p className="text-sm text-amber-800">{t('lifecycle.approve.noAddresses')}</p> : null}
                    </div>
                    <label className="flex items-center gap-2 text-sm">
                      <input type="checkbox" name="smsNotice" />
                      {t('lifecycle.approve.sms', { text: RETURN_SMS_NOTICE })}
                    </label>
                  </>
                ) : (
                  <p className="text-sm">
                    {t('lifecycle.approve.refundOf')} <Money fen={view.case.requestedAmountFen} />
                  </p>
                )}
                <button type="submit" disabled={approveBusy} className={primary}>
                  {t(view.case.type === 'RETURN_AND_REFUND' ? 'lifecycle.approve.return' : 'lifecycle.approve.refund')}
                </button>
                <ErrorLine result={result} intent="approve" />
              </IntentForm>
            ) : null}
            {actions.directRefund ? (
              <IntentForm intent="direct-refund" confirm={t('lifecycle.directRefund.confirm')}>
                <button type="submit" className={secondary}>
                  {t('lifecycle.directRefund.submit')}
                </button>
                <ErrorLine result={result} intent="direct-refund" />
              </IntentForm>
            ) : null}
            {actions.shipReturn ? <ShipForm result={result} onBehalf={isMerchant} /> : null}
            {actions.confirmReceipt ? <ReceiptForm view={view} result={result} /> : null}
            {actions.extendReceipt ? (
              <IntentForm intent="extend-receipt">
                <button type="submit" className={secondary}>
                  {t('lifecycle.extend.submit')}
                </button>
                <ErrorLine result={result} intent="extend-receipt" />
              </IntentForm>
            ) : isMerchant && life.extensionAvailableAt && view.case.state === 'AWAITING_RECEIPT' ? (
              <p className="text-sm text-slate-600">
                {t('lifecycle.extend.availableAt')} <LocalTime value={life.extensionAvailableAt} />
              </p>
            ) : null}
            {actions.reject ? (
              <details>
                <summary className="cursor-pointer text-sm font-medium">{t('lifecycle.reject.title')}</summary>
                <div className="mt-2">
                  <RejectForm intent="reject" result={result} />
                </div>
              </details>
            ) : null}
            {actions.rejectAfterReceipt ? (
              <details>
                <summary className="cursor-pointer text-sm font-medium">{t('lifecycle.rejectAfterReceipt.title')}</summary>
                <div className="mt-2">
                  <RejectForm intent="reject-after-receipt" result={result} toPlatform={view.case.boundByRuling} />
                </div>
              </details>
            ) : null}
            {actions.offlineResolution ? (
              <details>
                <summary className="cursor-pointer text-sm font-medium">{t('lifecycle.offline.title')}</summary>
                <IntentForm intent="offline-resolution" className="mt-2 space-y-2">
                  <fieldset className="flex gap-4 text-sm">
                    <legend className="sr-only">{t('lifecycle.offline.title')}</legend>
                    {OFFLINE_RESOLUTIONS.map((resolution) => (
                      <label key={resolution} className="flex items-center gap-1">
                        <input type="radio" name="resolution" value={resolution} required /> {t(`offlineResolution.${resolution}`)}
                      </label>
                    ))}
                  </fieldset>
                  <label htmlFor="offline-message" className="block text-sm font-medium">
                    {t('lifecycle.offline.message')}
                  </label>
                  <textarea id="offline-message" name="message" maxLength={2000} rows={2} className={`${field} w-full`} />
                  <button type="submit" className={secondary}>
                    {t('lifecycle.offline.submit')}
                  </button>
                  <ErrorLine result={result} intent="offline-resolution" />
                </IntentForm>
              </details>
            ) : null}
            {actions.withdraw ? (
              <IntentForm intent="withdraw" confirm={t('lifecycle.withdraw.confirm')}>
                <button type="submit" className={secondary}>
                  {t('lifecycle.withdraw.submit')}
                </button>
                <ErrorLine result={result} intent="withdraw" />
              </IntentForm>
            ) : null}
          </div>
        ) : null}
      </div>
    </Section>
  )
}

/** 协商历史: every proposal and response with the role that made it. */
export function Negotiation({ view }: { view: CaseView }) {
  const t = useT()
  return (
    <ol className="space-y-2 text-sm" data-testid="negotiation">
      {view.negotiation.map((entry) => (
        <li key={entry.id} className="flex flex-wrap gap-2">
          <LocalTime value={entry.at} />
          <span className="font-medium">{t(`actorKind.${entry.role}`)}</span>
          <span>{t(`negotiation.${entry.kind}` as never) || entry.kind}</span>
          {entry.amountFen !== null ? <Money fen={entry.amountFen} /> : null}
          {entry.message ? <span className="whitespace-pre-wrap text-slate-700">“{entry.message}”</span> : null}
        </li>
      ))}
    </ol>
  )
}
