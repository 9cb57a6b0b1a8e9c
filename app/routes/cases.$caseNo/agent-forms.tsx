// What an agent does in an open dispute: ask a party for evidence, record the liability ruling.
import { Form } from '@remix-run/react'
import { useEffect, useRef, useState } from 'react'
import { ErrorLine, FieldError, Section, type ActionResult } from '~/components/case-ui'
import { CsrfInput } from '~/components/csrf-input'
import { formatFen } from '~/components/money'
import { LocalTime } from '~/components/time'
import { LIABLE_PARTIES, RULING_OUTCOMES, type RulingOutcome } from '~/domain/case-machine'
import { useT } from '~/i18n/use-t'
import type { CaseView } from '~/models/case-view.server'

const field = 'mt-1 w-full rounded border border-slate-300 px-2 py-1 text-sm'

function RequestEvidenceForm({ result }: { result: ActionResult | undefined }) {
  const t = useT()
  const form = useRef<HTMLFormElement>(null)
  // Sent: an empty form again, so a second click does not ask twice with the same words.
  useEffect(() => {
    if (result?.ok && result.intent === 'request-evidence') form.current?.reset()
  }, [result])
  return (
    <Form method="post" className="space-y-2" ref={form}>
      <CsrfInput />
      <input type="hidden" name="intent" value="request-evidence" />
      <fieldset className="flex gap-4 text-sm">
        <legend className="mb-1 font-medium">{t('agent.askWhom')}</legend>
        {(['MERCHANT', 'BUYER'] as const).map((party) => (
          <label key={party} className="flex items-center gap-1">
            <input type="radio" name="party" value={party} defaultChecked={party === 'MERCHANT'} /> {t(`party.${party}`)}
          </label>
        ))}
      </fieldset>
      <label htmlFor="instructions" className="block text-sm font-medium">
        {t('agent.instructions')}
      </label>
      <textarea id="instructions" name="instructions" required rows={3} className={field} />
      <label htmlFor="checklist" className="block text-sm font-medium">
        {t('agent.checklist')}
      </label>
      <textarea id="checklist" name="checklist" rows={2} className={field} />
      <button type="submit" className="rounded bg-slate-900 px-3 py-2 text-sm font-medium text-white">
        {t('agent.sendRequest')}
      </button>
      <ErrorLine result={result} intent="request-evidence" />
    </Form>
  )
}

/** Refusals about the amount are shown at the amount field, not at the bottom of the form. */
const AMOUNT_ERRORS = ['REFUND_AMOUNT_INVALID', 'REFUND_ABOVE_REQUEST', 'REFUND_ABOVE_BALANCE']

type Draft = { liableParty: string; outcome: RulingOutcome | ''; refundAmount: string; convertToReturn: boolean }

/** What the ruling will do, in words, with the evidence windows it ends: read before it is recorded. */
function RulingSummary({ view, draft, maxFen }: { view: CaseView; draft: Draft & { outcome: RulingOutcome }; maxFen: number }) {
  const t = useT()
  const openWindows = view.requests.filter((request) => request.current && request.open)
  const refund =
    draft.outcome === 'FULL_REFUND' ? formatFen(maxFen) : draft.outcome === 'PARTIAL_REFUND' ? (draft.refundAmount ? `¥${draft.refundAmount}` : '—') : null
  return (
    <div role="region" aria-label={t('ruling.summary.title')} className="space-y-2 rounded border border-amber-300 bg-amber-50 p-3 text-sm" data-testid="ruling-summary">
      <p className="font-medium">{t('ruling.summary.title')}</p>
      <ul className="list-disc space-y-1 pl-5">
        <li>{t('ruling.summary.liable', { party: t(`liable.${draft.liableParty}` as never) })}</li>
        <li>{refund ? t('ruling.summary.refund', { amount: refund }) : t('ruling.summary.noRefund')}</li>
        <li>{t(`ruling.summary.next.${draft.outcome}`)}</li>
        {draft.outcome === 'RETURN_THEN_REFUND' && view.case.type === 'REFUND_ONLY' ? <li>{t('ruling.summary.converts')}</li> : null}
      </ul>
      {openWindows.map((request) => (
        <p key={request.id} role="alert" className="font-medium text-red-800">
          {t('ruling.summary.openWindow', { party: t(`party.${request.party}`) })} <LocalTime value={request.dueAt} />
        </p>
      ))}
    </div>
  )
}

function RulingForm({ view, result }: { view: CaseView; result: ActionResult | undefined }) {
  const t = useT()
  // Nothing is chosen for the agent: a ruling is a decision, never a default.
  const [draft, setDraft] = useState<Draft>({ liableParty: '', outcome: '', refundAmount: '', convertToReturn: false })
  const [reviewing, setReviewing] = useState(false)
  const change = (patch: Partial<Draft>) => {
    setDraft((before) => ({ ...before, ...patch }))
    setReviewing(false)
  }
  const form = useRef<HTMLFormElement>(null)
  const submitted = [...view.escalationFiles, ...view.requests.flatMap((r) => r.items)].filter((f) => f.status === 'SUBMITTED')
  const amountError = result && !result.ok && result.intent === 'rule' && AMOUNT_ERRORS.includes(result.error ?? '') ? result : undefined
  const maxFen = Math.min(view.case.requestedAmountFen, view.case.refundableFen)
  const refundOnly = view.case.type === 'REFUND_ONLY'
  const needsConversion = draft.outcome === 'RETURN_THEN_REFUND' && refundOnly
  return (
    <Form method="post" className="space-y-3" ref={form}>
      <CsrfInput />
      <input type="hidden" name="intent" value="rule" />
      <div className="grid gap-3 sm:grid-cols-2">
        <div>
          <label htmlFor="liableParty" className="block text-sm font-medium">
            {t('ruling.liableParty')}
          </label>
          <select id="liableParty" name="liableParty" required value={draft.liableParty} onChange={(e) => change({ liableParty: e.target.value })} className={field}>
            <option value="" disabled>
              {t('ruling.choose')}
            </option>
            {LIABLE_PARTIES.map((p) => (
              <option key={p} value={p}>
                {t(`liable.${p}`)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="outcome" className="block text-sm font-medium">
            {t('ruling.outcome')}
          </label>
          <select id="outcome" name="outcome" required value={draft.outcome} onChange={(e) => change({ outcome: e.target.value as RulingOutcome })} className={field}>
            <option value="" disabled>
              {t('ruling.choose')}
            </option>
            {RULING_OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {o === 'RETURN_THEN_REFUND' && refundOnly ? t('ruling.outcome.returnOnRefundOnly') : t(`outcome.${o}`)}
              </option>
            ))}
          </select>
        </div>
      </div>
      {needsConversion ? (
        <label className="flex items-start gap-2 text-sm">
          <input type="checkbox" name="convertToReturn" required checked={draft.convertToReturn} onChange={(e) => change({ convertToReturn: e.target.checked })} className="mt-1" />
          <span>{t('ruling.convertToReturn')}</span>
        </label>
      ) : null}
      {draft.outcome === 'PARTIAL_REFUND' || amountError ? (
        <div>
          <label htmlFor="refundAmount" className="block text-sm font-medium">
            {t('ruling.refundAmount', { max: formatFen(maxFen), requested: formatFen(view.case.requestedAmountFen) })}
          </label>
          <input
            id="refundAmount"
            name="refundAmount"
            inputMode="decimal"
            required
            value={draft.refundAmount}
            onChange={(e) => change({ refundAmount: e.target.value })}
            aria-invalid={amountError ? true : undefined}
            aria-describedby={amountError ? 'refundAmount-error' : undefined}
            className="mt-1 w-40 rounded border border-slate-300 px-2 py-1"
          />
          <FieldError id="refundAmount-error" result={amountError} />
        </div>
      ) : null}
      <div>
        <label htmlFor="rationale" className="block text-sm font-medium">
          {t('ruling.rationale')}
        </label>
        <textarea id="rationale" name="rationale" required rows={3} className={field} />
      </div>
      <div>
        <label htmlFor="internalNote" className="block text-sm font-medium">
          {t('ruling.internalNote')}
        </label>
        <textarea id="internalNote" name="internalNote" rows={2} className={field} />
      </div>
      {submitted.length > 0 ? (
        <fieldset className="text-sm">
          <legend className="font-medium">{t('ruling.reliesOn')}</legend>
          {submitted.map((file) => (
            <label key={file.id} className="mr-4 inline-flex items-center gap-1">
              <input type="checkbox" name="reliedEvidenceIds" value={file.id} /> {file.fileName}
            </label>
          ))}
        </fieldset>
      ) : null}
      {reviewing && draft.outcome ? (
        <>
          <RulingSummary view={view} draft={{ ...draft, outcome: draft.outcome }} maxFen={maxFen} />
          <div className="flex flex-wrap gap-2">
            <button type="submit" className="rounded bg-blue-700 px-3 py-2 text-sm font-medium text-white hover:bg-blue-600">
              {t('ruling.confirm')}
            </button>
            <button type="button" onClick={() => setReviewing(false)} className="rounded border border-slate-300 px-3 py-2 text-sm">
              {t('ruling.back')}
            </button>
          </div>
        </>
      ) : (
        <button
          type="button"
          // The browser checks the fields first; only a complete ruling is summarised for confirmation.
          onClick={() => form.current?.reportValidity() && setReviewing(true)}
          className="rounded bg-blue-700 px-3 py-2 text-sm font-medium text-white hover:bg-blue-600"
        >
          {t('ruling.submit')}
        </button>
      )}
      {amountError ? null : <ErrorLine result={result} intent="rule" />}
    </Form>
  )
}

/** Who holds the open dispute, and the agent's way to claim it or take it over (only the holder acts in it). */
function DisputeHolder({ dispute, result }: { dispute: NonNullable<CaseView['dispute']>; result: ActionResult | undefined }) {
  const t = useT()
  const holder = dispute.holderName
  const intent = holder === null ? 'claim-dispute' : 'take-over-dispute'
  return (
    <div className="rounded border border-slate-200 bg-white px-3 py-2 text-sm" data-testid="dispute-holder">
      <p className="font-medium">
        {t('dispute.holder.line', { name: holder === null ? t('dispute.holder.none') : dispute.assignedToMe ? t('dispute.holder.you', { name: holder }) : holder })}
      </p>
      {dispute.assignedToMe ? null : (
        <Form
          method="post"
          className="mt-2 flex flex-wrap items-center gap-3"
          onSubmit={(event) => {
            // Taking a colleague's dispute is a hand-over they will hear of: asked once more.
            if (holder !== null && !window.confirm(t('dispute.holder.takeOverConfirm', { name: holder }))) event.preventDefault()
          }}
        >
          <CsrfInput />
          <input type="hidden" name="intent" value={intent} />
          <p className="text-slate-700">{holder === null ? t('dispute.holder.claimHint') : t('dispute.holder.readOnly', { name: holder })}</p>
          <button type="submit" className="rounded bg-slate-900 px-3 py-1.5 text-sm font-medium text-white">
            {holder === null ? t('dispute.holder.claim') : t('dispute.holder.takeOver')}
          </button>
          <ErrorLine result={result} intent={intent} />
        </Form>
      )}
    </div>
  )
}

export function AgentForms({ view, result }: { view: CaseView; result: ActionResult | undefined }) {
  const t = useT()
  const openDispute = view.viewer.kind === 'AGENT' && view.dispute?.status === 'OPEN' ? view.dispute : null
  if (!openDispute && !view.viewer.mayRequestEvidence && !view.viewer.mayRule) return null
  return (
    <div className="space-y-4">
      {openDispute ? <DisputeHolder dispute={openDispute} result={result} /> : null}
      <div className="grid gap-4 lg:grid-cols-2">
        {view.viewer.mayRequestEvidence ? (
          <Section title={t('agent.requestEvidence')} id="request-evidence">
            <RequestEvidenceForm result={result} />
          </Section>
        ) : null}
        {view.viewer.mayRule ? (
          <Section title={t('ruling.record')} id="record-ruling">
            <RulingForm view={view} result={result} />
          </Section>
        ) : null}
      </div>
    </div>
  )
}
