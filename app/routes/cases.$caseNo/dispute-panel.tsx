// Platform intervention on the case page: escalating, and each round's evidence requests with the
// party's response form. Agents see both sides next to each other; a party sees its own side.
import { Form, useNavigation, useSearchParams } from '@remix-run/react'
import { ErrorLine, Section, type ActionResult } from '~/components/case-ui'
import { CsrfInput } from '~/components/csrf-input'
import { EvidenceList } from '~/components/evidence-list'
import { EvidenceUploader } from '~/components/evidence-uploader'
import { RowAction } from '~/components/row-action'
import { Countdown, LocalTime } from '~/components/time'
import { ESCALATION_REASONS_BY_PARTY } from '~/domain/dispute'
import { useT } from '~/i18n/use-t'
import type { CaseView } from '~/models/case-view.server'
import type { CaseLimits } from './route'

export function EscalatePanel({ view, result }: { view: CaseView; result: ActionResult | undefined }) {
  const t = useT()
  const navigation = useNavigation()
  const busy = navigation.state !== 'idle' && navigation.formData?.get('intent') === 'escalate'
  const party = view.viewer.party
  if (!party) return null
  // After a ruling, asking again opens the next round: say so.
  const again = view.rounds.length > 0
  return (
    <Section title={again ? t('escalate.titleAgain', { round: view.rounds.length + 1 }) : t('escalate.title')} id="escalate">
      <p className="mb-3 text-sm text-slate-700">{t(again ? 'escalate.explainAgain' : 'escalate.explain')}</p>
      <Form method="post" encType="multipart/form-data" className="space-y-3">
        <CsrfInput />
        <input type="hidden" name="intent" value="escalate" />
        <div>
          <label htmlFor="escalation-reason" className="block text-sm font-medium">
            {t('escalate.reason')}
          </label>
          <select id="escalation-reason" name="reason" required className="mt-1 rounded border border-slate-300 px-2 py-1">
            {ESCALATION_REASONS_BY_PARTY[party].map((reason) => (
              <option key={reason} value={reason}>
                {t(`escalationReason.${reason}`)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="escalation-description" className="block text-sm font-medium">
            {t('escalate.description')}
          </label>
          <textarea id="escalation-description" name="description" maxLength={2000} rows={3} className="mt-1 w-full rounded border border-slate-300 px-2 py-1" />
        </div>
        <div>
          <label htmlFor="escalation-files" className="block text-sm font-medium">
            {t('escalate.files')}
          </label>
          <input id="escalation-files" name="files" type="file" multiple className="mt-1 text-sm" />
        </div>
        <button type="submit" disabled={busy} className="rounded bg-orange-600 px-3 py-2 text-sm font-medium text-white hover:bg-orange-500 disabled:opacity-60">
          {t('escalate.submit')}
        </button>
        <ErrorLine result={result} intent="escalate" />
      </Form>
    </Section>
  )
}

type Request = CaseView['requests'][number]

function RequestCard({ request, view, limits, result }: { request: Request; view: CaseView; limits: CaseLimits; result: ActionResult | undefined }) {
  const t = useT()
  const navigation = useNavigation()
  const [searchParams] = useSearchParams()
  const uploadError = searchParams.get('uploadError')
  const responding = request.mine && request.open && view.viewer.mayRespond
  const drafts = request.items.filter((item) => item.status === 'DRAFT')
  const busy = navigation.state !== 'idle' && navigation.formData?.get('requestId') === request.id
  return (
    <article id={`request-${request.id}`} className="rounded border border-slate-200 p-3" data-testid="evidence-request">
      <header className="flex flex-wrap items-center gap-3">
        <h3 className="font-medium">{t(request.party === 'MERCHANT' ? 'evidence.askedOfMerchant' : 'evidence.askedOfBuyer')}</h3>
        <span className="rounded bg-slate-100 px-2 text-xs">{t(request.closedByRuling ? 'evidenceStatus.CLOSED_BY_RULING' : `evidenceStatus.${request.status}`)}</span>
        <span className="text-sm text-slate-600">
          {t('evidence.due')} <LocalTime value={request.dueAt} />
        </span>
        {request.status === 'OPEN' ? <Countdown deadline={request.dueAt} /> : null}
      </header>
      <p className="mt-2 whitespace-pre-wrap text-sm">{request.instructions}</p>
      {request.checklist.length > 0 ? (
        <ul className="mt-1 list-inside list-disc text-sm text-slate-700">
          {request.checklist.map((item) => (
            <li key={item}>{item}</li>
          ))}
        </ul>
      ) : null}
      {request.explanation ? (
        <div className="mt-3">
          <h4 className="text-sm font-medium">{t('evidence.explanation')}</h4>
          <p className="whitespace-pre-wrap text-sm">{request.explanation}</p>
        </div>
      ) : null}
      <div className="mt-3">
        <EvidenceList
          files={request.items}
          preview={view.viewer.kind === 'AGENT'}
          onRemove={
            responding
              ? (file) =>
                  file.status === 'DRAFT' ? (
                    <RowAction intent="remove-file" fields={{ itemId: file.id }} danger className="inline">
                      {t('evidence.remove', { name: file.fileName })}
                    </RowAction>
                  ) : null
              : undefined
          }
        />
      </div>
      {responding ? (
        <div className="mt-4 space-y-4 border-t border-slate-100 pt-3">
          <EvidenceUploader action={`/cases/${view.case.caseNo}/evidence/${request.id}/files`} remaining={limits.maxFiles - drafts.length} limits={limits} />
          {uploadError ? (
            <p role="alert" className="text-sm text-red-700">
              {t(`error.service.${uploadError}` as never)}
            </p>
          ) : null}
          <Form
            method="post"
            className="space-y-2"
            onSubmit={(event) => {
              if (!window.confirm(t('evidence.confirmSubmit'))) event.preventDefault()
            }}
          >
            <CsrfInput />
            <input type="hidden" name="intent" value="submit-evidence" />
            <input type="hidden" name="requestId" value={request.id} />
            <label htmlFor={`explanation-${request.id}`} className="block text-sm font-medium">
              {t('evidence.explanationLabel', { max: limits.maxExplanation })}
            </label>
            <textarea id={`explanation-${request.id}`} name="explanation" rows={4} maxLength={limits.maxExplanation} className="w-full rounded border border-slate-300 px-2 py-1 text-sm" />
            <button type="submit" disabled={busy} className="rounded bg-slate-900 px-3 py-2 text-sm font-medium text-white disabled:opacity-60">
              {t('evidence.submit', { count: drafts.length })}
            </button>
            <ErrorLine result={result} intent="submit-evidence" />
          </Form>
        </div>
      ) : null}
    </article>
  )
}

function Requests({ requests, view, limits, result }: { requests: Request[]; view: CaseView; limits: CaseLimits; result: ActionResult | undefined }) {
  return requests.map((request) => <RequestCard key={request.id} request={request} view={view} limits={limits} result={result} />)
}

export function DisputePanel({ view, limits, result }: { view: CaseView; limits: CaseLimits; result: ActionResult | undefined }) {
  const t = useT()
  const dispute = view.dispute
  if (!dispute) return null
  const current = view.requests.filter((r) => r.current)
  const earlier = view.requests.filter((r) => !r.current)
  const isAgent = view.viewer.kind === 'AGENT'
  return (
    <Section title={t('dispute.title')} id="dispute">
      <p className="text-sm">
        {view.rounds.length > 1 ? `${t('dispute.round', { round: dispute.round })} · ` : ''}
        {t('dispute.openedBy', { party: t(`party.${dispute.openedByRole}`) })} · <LocalTime value={dispute.openedAt} /> · {t(`escalationReason.${dispute.reason}` as never)}
      </p>
      {dispute.description ? <p className="mt-1 whitespace-pre-wrap text-sm">{dispute.description}</p> : null}
      {dispute.status === 'OPEN' && dispute.round > 1 ? (
        <p className="mt-2 rounded bg-orange-50 px-3 py-2 text-sm text-orange-900" data-testid="round-in-progress">
          {t('dispute.roundInProgress', { round: dispute.round, previous: dispute.round - 1 })}
        </p>
      ) : null}
      {isAgent ? (
        <div className="mt-4 grid gap-4 lg:grid-cols-2">
          {(['BUYER', 'MERCHANT'] as const).map((party) => {
            const files = view.escalationFiles.filter((f) => f.uploadedByRole === party)
            // What each side put forward in the negotiation is its evidence too.
            const proofs = party === 'MERCHANT' ? view.rejectionProofs : view.requestProofs
            const requests = current.filter((r) => r.party === party)
            return (
              <div key={party} className="space-y-3" data-testid={`side-${party}`}>
                <h3 className="font-semibold">{t(`evidence.side.${party}`)}</h3>
                {files.length > 0 ? <EvidenceList files={files} preview /> : null}
                {proofs.length > 0 ? (
                  <div>
                    <h4 className="text-sm font-medium">{t(party === 'MERCHANT' ? 'evidence.side.rejectionProofs' : 'evidence.side.requestProofs')}</h4>
                    <EvidenceList files={proofs} preview />
                  </div>
                ) : null}
                {requests.length === 0 && files.length === 0 && proofs.length === 0 ? <p className="text-sm text-slate-600">{t('evidence.noneYet')}</p> : null}
                <Requests requests={requests} view={view} limits={limits} result={result} />
              </div>
            )
          })}
        </div>
      ) : (
        <div className="mt-4 space-y-3">
          {view.escalationFiles.length > 0 ? <EvidenceList files={view.escalationFiles} preview={false} /> : null}
          {current.length === 0 && dispute.status === 'OPEN' ? <p className="text-sm text-slate-600">{t('evidence.nothingAsked')}</p> : null}
          <Requests requests={current} view={view} limits={limits} result={result} />
        </div>
      )}
      {earlier.length > 0 ? (
        <details className="mt-4">
          <summary className="cursor-pointer text-sm font-medium">{t('dispute.earlierRounds', { count: view.rounds.length - 1 })}</summary>
          <div className="mt-2 space-y-3">
            <Requests requests={earlier} view={view} limits={limits} result={result} />
          </div>
        </details>
      ) : null}
    </Section>
  )
}
