import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { useState } from 'react'
import { z } from 'zod'
import { CsrfInput } from '~/components/csrf-input'
import { RowAction } from '~/components/row-action'
import { EvidenceList } from '~/components/evidence-list'
import { EvidenceUploader } from '~/components/evidence-uploader'
import { ErrorLine, Section, type ActionResult } from '~/components/case-ui'
import { FlagsAndNotesPanel } from '~/components/case-flags'
import { LifecyclePanel, Negotiation } from '~/components/case-lifecycle'
import { Money } from '~/components/money'
import { Countdown, LocalTime } from '~/components/time'
import { ESCALATION_REASONS, LIABLE_PARTIES, RULING_OUTCOMES } from '~/domain/dispute'
import { useT } from '~/i18n/use-t'
import type { MessageParams } from '~/i18n/messages'
import { clock } from '~/infra/clock.server'
import { readForm } from '~/infra/csrf.server'
import { db } from '~/infra/db.server'
import { disputeDeps, evidenceStorage } from '~/infra/deps.server'
import { readMultipartForm } from '~/infra/multipart.server'
import { yuanToFen } from '~/forms/amount'
import { runFlagIntent } from '~/forms/flag-intents.server'
import { LIFECYCLE_FILE_INTENTS, runLifecycleIntent } from '~/forms/lifecycle-intents.server'
import { policy } from '~/infra/policy.server'
import { notFound, requireActor } from '~/infra/session.server'
import { loadCaseView, type CaseView } from '~/models/case-view.server'
import { escalate, recordRuling, removeDraftFile, requestEvidence, submitEvidence, type StoredFile } from '~/services/disputes.server'
import { deleteObjectQuietly, storeEvidenceStream } from '~/services/evidence-upload.server'
import { isServiceError, ServiceError } from '~/services/errors.server'
import { loadFlagsAndNotes } from '~/services/flags.server'

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.view.case.caseNo}` : '' }]

export async function loader({ request, params }: LoaderFunctionArgs) {
  const actor = await requireActor(request)
  const view = await loadCaseView(db(), actor, params.caseNo ?? '', clock().now(), policy())
  if (!view) throw notFound()
  const { dispute } = policy()
  return {
    view,
    flagsAndNotes: actor.kind === 'MERCHANT' ? await loadFlagsAndNotes(db(), actor, view.case.id) : null,
    limits: { maxImageOrPdfBytes: dispute.maxImageOrPdfBytes, maxVideoBytes: dispute.maxVideoBytes, maxFiles: dispute.maxFilesPerResponse, maxExplanation: dispute.explanationMaxChars },
  }
}

const Escalation = z.object({ reason: z.enum(ESCALATION_REASONS), description: z.string().max(2000).default('') })
const EvidenceAsk = z.object({
  party: z.enum(['BUYER', 'MERCHANT']),
  instructions: z.string().trim().min(1).max(2000),
  checklist: z.string().max(4000).default(''),
})
const RulingForm = z.object({
  liableParty: z.enum(LIABLE_PARTIES),
  outcome: z.enum(RULING_OUTCOMES),
  refundAmount: z.string().default(''),
  rationale: z.string().trim().min(1).max(4000),
  internalNote: z.string().max(4000).default(''),
})

export async function action({ request, params }: ActionFunctionArgs) {
  const actor = await requireActor(request)
  const view = await loadCaseView(db(), actor, params.caseNo ?? '', clock().now(), policy())
  if (!view) throw notFound()
  const caseId = view.case.id
  const deps = disputeDeps()
  const stored: StoredFile[] = []
  const isMultipart = request.headers.get('Content-Type')?.startsWith('multipart/form-data') ?? false
  let intent = ''
  try {
    if (isMultipart) {
      // Forms with files (escalation, rejection proof): the files are streamed to S3 first and
      // recorded in the command's transaction; if it fails they are deleted. The intent field
      // comes before the files, so the key prefix is known while they stream.
      if (actor.kind === 'AGENT') throw new ServiceError('FORBIDDEN')
      const storage = evidenceStorage()
      const form = await readMultipartForm(request, async (file) => {
        if (stored.length >= deps.policy.dispute.maxFilesPerResponse) throw new ServiceError('TOO_MANY_FILES')
        const purpose = file.fieldsBefore.get('intent') === 'escalate' ? 'escalation' : 'proof'
        const saved = await storeEvidenceStream(storage, deps.policy, { keyPrefix: `cases/${caseId}/${purpose}`, fileName: file.fileName, body: file.data })
        stored.push(saved)
        return saved.key
      })
      intent = String(form.get('intent'))
      if (intent === 'escalate') {
        const input = Escalation.safeParse(Object.fromEntries(form))
        if (!input.success) throw new ServiceError('INVALID_INPUT')
        await escalate(deps, actor, { caseId, ...input.data, files: stored })
      } else if (!(LIFECYCLE_FILE_INTENTS as readonly string[]).includes(intent) || !(await runLifecycleIntent(deps, actor, caseId, intent, form, stored))) {
        throw new ServiceError('INVALID_INPUT')
      }
      stored.length = 0
      return data({ intent, ok: true as const })
    }
    const form = await readForm(request)
    intent = String(form.get('intent'))
    const fields = Object.fromEntries(form)
    switch (intent) {
      case 'submit-evidence': {
        if (actor.kind === 'AGENT') throw new ServiceError('FORBIDDEN')
        await submitEvidence(deps, actor, { requestId: String(form.get('requestId')), explanation: String(form.get('explanation') ?? '') })
        break
      }
      case 'remove-file': {
        if (actor.kind === 'AGENT') throw new ServiceError('FORBIDDEN')
        const key = await removeDraftFile(deps, actor, String(form.get('itemId')))
        await deleteObjectQuietly(evidenceStorage(), key)
        break
      }
      case 'request-evidence': {
        if (actor.kind !== 'AGENT') throw new ServiceError('FORBIDDEN')
        const input = EvidenceAsk.safeParse(fields)
        if (!input.success) throw new ServiceError('INVALID_INPUT')
        await requestEvidence(deps, actor, { caseId, party: input.data.party, instructions: input.data.instructions, checklist: input.data.checklist.split('\n') })
        break
      }
      case 'rule': {
        if (actor.kind !== 'AGENT') throw new ServiceError('FORBIDDEN')
        const input = RulingForm.safeParse(fields)
        if (!input.success) throw new ServiceError('INVALID_INPUT')
        const refundAmountFen = input.data.outcome === 'PARTIAL_REFUND' ? yuanToFen(input.data.refundAmount) : null
        await recordRuling(deps, actor, {
          caseId,
          liableParty: input.data.liableParty,
          outcome: input.data.outcome,
          refundAmountFen,
          rationale: input.data.rationale,
          internalNote: input.data.internalNote,
          reliedEvidenceIds: form.getAll('reliedEvidenceIds').map(String),
        })
        break
      }
      default:
        if (!(await runLifecycleIntent(deps, actor, caseId, intent, form)) && !(await runFlagIntent(deps, actor, caseId, intent, form))) {
          throw new ServiceError('INVALID_INPUT')
        }
    }
    return data({ intent, ok: true as const })
  } catch (error) {
    if (stored.length) await Promise.all(stored.map((file) => deleteObjectQuietly(evidenceStorage(), file.key)))
    if (isServiceError(error)) return data({ intent, ok: false as const, error: error.code }, { status: error.status })
    throw error
  }
}

function Summary({ view }: { view: CaseView }) {
  const t = useT()
  const c = view.case
  const rows: [string, React.ReactNode][] = [
    [t('table.orderNo'), <span className="font-mono">{c.orderNo}</span>],
    [t('case.item'), c.itemTitle],
    [t('buyer.cases.shop'), c.shopName],
    [t('table.type'), t(`caseType.${c.type}`)],
    [t('case.reason'), t(`caseReason.${c.reason}`)],
    [t('case.requested'), <Money fen={c.requestedAmountFen} />],
    [t('case.paid'), <Money fen={c.paidAmountFen} />],
    [t('table.created'), <LocalTime value={c.createdAt} />],
  ]
  if (c.customer) rows.push([t('table.buyer'), `${c.customer.name} · ${c.customer.phone}`])
  return (
    <dl className="grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-2">
      {rows.map(([label, value]) => (
        <div key={label} className="flex gap-2">
          <dt className="min-w-24 text-slate-600">{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
      {c.description ? (
        <div className="sm:col-span-2">
          <dt className="text-slate-600">{t('case.description')}</dt>
          <dd className="whitespace-pre-wrap">{c.description}</dd>
        </div>
      ) : null}
    </dl>
  )
}

function EscalateForm({ result }: { result: ActionResult | undefined }) {
  const t = useT()
  const navigation = useNavigation()
  const busy = navigation.state !== 'idle' && navigation.formData?.get('intent') === 'escalate'
  return (
    <Form method="post" encType="multipart/form-data" className="space-y-3">
      <CsrfInput />
      <input type="hidden" name="intent" value="escalate" />
      <div>
        <label htmlFor="escalation-reason" className="block text-sm font-medium">
          {t('escalate.reason')}
        </label>
        <select id="escalation-reason" name="reason" required className="mt-1 rounded border border-slate-300 px-2 py-1">
          {ESCALATION_REASONS.map((reason) => (
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
  )
}

function RequestCard({ request, view, limits, result }: { request: CaseView['requests'][number]; view: CaseView; limits: { maxImageOrPdfBytes: number; maxVideoBytes: number; maxFiles: number; maxExplanation: number }; result: ActionResult | undefined }) {
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
        <span className="rounded bg-slate-100 px-2 text-xs">{t(`evidenceStatus.${request.status}`)}</span>
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
            <textarea
              id={`explanation-${request.id}`}
              name="explanation"
              rows={4}
              maxLength={limits.maxExplanation}
              className="w-full rounded border border-slate-300 px-2 py-1 text-sm"
            />
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

function RequestEvidenceForm({ result }: { result: ActionResult | undefined }) {
  const t = useT()
  return (
    <Form method="post" className="space-y-2">
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
      <textarea id="instructions" name="instructions" required rows={3} className="w-full rounded border border-slate-300 px-2 py-1 text-sm" />
      <label htmlFor="checklist" className="block text-sm font-medium">
        {t('agent.checklist')}
      </label>
      <textarea id="checklist" name="checklist" rows={2} className="w-full rounded border border-slate-300 px-2 py-1 text-sm" />
      <button type="submit" className="rounded bg-slate-900 px-3 py-2 text-sm font-medium text-white">
        {t('agent.sendRequest')}
      </button>
      <ErrorLine result={result} intent="request-evidence" />
    </Form>
  )
}

function RulingFormView({ view, result }: { view: CaseView; result: ActionResult | undefined }) {
  const t = useT()
  const [outcome, setOutcome] = useState<(typeof RULING_OUTCOMES)[number]>('FULL_REFUND')
  const submitted = [...view.escalationFiles, ...view.requests.flatMap((r) => r.items)].filter((f) => f.status === 'SUBMITTED')
  return (
    <Form method="post" className="space-y-3">
      <CsrfInput />
      <input type="hidden" name="intent" value="rule" />
      <div className="grid gap-3 sm:grid-cols-2">
        <div>
          <label htmlFor="liableParty" className="block text-sm font-medium">
            {t('ruling.liableParty')}
          </label>
          <select id="liableParty" name="liableParty" className="mt-1 w-full rounded border border-slate-300 px-2 py-1">
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
          <select id="outcome" name="outcome" value={outcome} onChange={(e) => setOutcome(e.target.value as typeof outcome)} className="mt-1 w-full rounded border border-slate-300 px-2 py-1">
            {RULING_OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {t(`outcome.${o}`)}
              </option>
            ))}
          </select>
        </div>
      </div>
      {outcome === 'PARTIAL_REFUND' ? (
        <div>
          <label htmlFor="refundAmount" className="block text-sm font-medium">
            {t('ruling.refundAmount', { max: (view.case.paidAmountFen / 100).toFixed(2) })}
          </label>
          <input id="refundAmount" name="refundAmount" inputMode="decimal" required className="mt-1 w-40 rounded border border-slate-300 px-2 py-1" />
        </div>
      ) : null}
      <div>
        <label htmlFor="rationale" className="block text-sm font-medium">
          {t('ruling.rationale')}
        </label>
        <textarea id="rationale" name="rationale" required rows={3} className="mt-1 w-full rounded border border-slate-300 px-2 py-1 text-sm" />
      </div>
      <div>
        <label htmlFor="internalNote" className="block text-sm font-medium">
          {t('ruling.internalNote')}
        </label>
        <textarea id="internalNote" name="internalNote" rows={2} className="mt-1 w-full rounded border border-slate-300 px-2 py-1 text-sm" />
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
      <button type="submit" className="rounded bg-blue-700 px-3 py-2 text-sm font-medium text-white hover:bg-blue-600">
        {t('ruling.submit')}
      </button>
      <ErrorLine result={result} intent="rule" />
    </Form>
  )
}

function Ruling({ view }: { view: CaseView }) {
  const t = useT()
  const ruling = view.ruling
  if (!ruling) return null
  return (
    <Section title={t('ruling.title')} id="ruling">
      <dl className="space-y-1 text-sm" data-testid="ruling">
        <div className="flex gap-2">
          <dt className="text-slate-600">{t('ruling.decidedBy')}</dt>
          <dd>{ruling.actorKind === 'SYSTEM' ? t('ruling.bySystem', { rule: ruling.ruleId ?? '' }) : t('ruling.byAgent')}</dd>
        </div>
        <div className="flex gap-2">
          <dt className="text-slate-600">{t('ruling.liableParty')}</dt>
          <dd>{t(`liable.${ruling.liableParty}`)}</dd>
        </div>
        <div className="flex gap-2">
          <dt className="text-slate-600">{t('ruling.outcome')}</dt>
          <dd>
            {t(`outcome.${ruling.outcome}`)}
            {ruling.refundAmountFen !== null ? (
              <>
                {' · '}
                <Money fen={ruling.refundAmountFen} />
              </>
            ) : null}
          </dd>
        </div>
        <div>
          <dt className="text-slate-600">{t('ruling.rationale')}</dt>
          <dd className="whitespace-pre-wrap">{ruling.rationale}</dd>
        </div>
        {ruling.internalNote ? (
          <div>
            <dt className="text-slate-600">{t('ruling.internalNote')}</dt>
            <dd className="whitespace-pre-wrap">{ruling.internalNote}</dd>
          </div>
        ) : null}
        <div className="flex gap-2">
          <dt className="text-slate-600">{t('ruling.at')}</dt>
          <dd>
            <LocalTime value={ruling.createdAt} />
          </dd>
        </div>
      </dl>
      {view.refunds.map((refund) => (
        <p key={refund.id} className="mt-2 text-sm" data-testid="refund">
          {t('refund.line', { status: t(`refundStatus.${refund.status}`) })} <Money fen={refund.amountFen} />
        </p>
      ))}
    </Section>
  )
}

const yuanText = (fen: unknown) => (typeof fen === 'number' ? `¥${(fen / 100).toFixed(2)}` : '')

/** What an automatic decision saw, in words: the case log's promise for every rule it applies. */
function DecisionInputs({ entry }: { entry: CaseView['log'][number] }) {
  const t = useT()
  const d = (entry.details ?? {}) as Record<string, unknown>
  let text = ''
  if (entry.ruleId?.startsWith('express-refund')) {
    text = t('log.inputs.express', { paid: yuanText(d.paidAmountFen), max: yuanText(d.maxPaidAmountFen) })
  } else if (entry.ruleId === 'merchant-strategy.auto-refund-only') {
    text = t('log.inputs.strategy', { amount: yuanText(d.amountFen), perOrder: yuanText(d.perOrderMaxFen), cap: yuanText(d.dailyCapFen), day: String(d.day ?? '') })
  } else if (entry.action.startsWith('deadline.') && typeof d.deadline === 'string') {
    return (
      <span className="w-full text-xs text-slate-600">
        {t('log.inputs.deadline')} <LocalTime value={d.deadline} />
      </span>
    )
  }
  return text ? <span className="w-full text-xs text-slate-600">{text}</span> : null
}

/** A log row's flat text details (names, amounts) fill its message's placeholders. */
function logParams(details: unknown): MessageParams {
  if (!details || typeof details !== 'object') return {}
  return Object.fromEntries(Object.entries(details).map(([k, v]) => [k, typeof v === 'string' || typeof v === 'number' ? v : String(v ?? '—')]))
}

function Timeline({ view }: { view: CaseView }) {
  const t = useT()
  return (
    <ol className="space-y-2 text-sm">
      {view.log.map((entry) => (
        <li key={entry.id} className="flex flex-wrap gap-2">
          <LocalTime value={entry.at} />
          <span className="font-medium">{t(`log.${entry.action}` as never, logParams(entry.details)) || entry.action}</span>
          <span className="text-slate-600">
            {t(`actorKind.${entry.actorKind}`)}
            {entry.actorKind === 'MERCHANT' && entry.actorRole ? ` · ${t(`shopRole.${entry.actorRole}` as never)}` : ''}
          </span>
          {entry.toState ? <span className="text-slate-600">→ {t(`caseState.${entry.toState}`)}</span> : null}
          {entry.ruleId ? <span className="font-mono text-xs text-slate-500">{entry.ruleId}</span> : null}
          <DecisionInputs entry={entry} />
        </li>
      ))}
    </ol>
  )
}

export default function CasePage() {
  const t = useT()
  const { view, limits, flagsAndNotes } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const isAgent = view.viewer.kind === 'AGENT'
  const disputeOpen = view.dispute?.status === 'OPEN'
  const byParty = (party: 'BUYER' | 'MERCHANT') => ({
    requests: view.requests.filter((r) => r.party === party),
    escalationFiles: view.escalationFiles.filter((f) => f.uploadedByRole === party),
  })
  return (
    <div className="space-y-4">
      <header className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold">{t('case.title', { caseNo: view.case.caseNo })}</h1>
        <span className="rounded bg-slate-800 px-2 py-0.5 text-sm text-white" data-testid="case-state">
          {t(`caseState.${view.case.state}`)}
        </span>
      </header>
      {result?.ok ? (
        <p role="status" className="rounded bg-green-50 px-3 py-2 text-sm text-green-800">
          {t(`done.${result.intent}` as never)}
        </p>
      ) : null}
      <Section title={t('case.summary')}>
        <Summary view={view} />
      </Section>
      <LifecyclePanel view={view} result={result} />
      {flagsAndNotes ? <FlagsAndNotesPanel data={flagsAndNotes} result={result} /> : null}
      <Ruling view={view} />
      {view.viewer.mayEscalate ? (
        <Section title={t('escalate.title')} id="escalate">
          <p className="mb-3 text-sm text-slate-700">{t('escalate.explain')}</p>
          <EscalateForm result={result} />
        </Section>
      ) : null}
      {view.dispute ? (
        <Section title={t('dispute.title')} id="dispute">
          <p className="text-sm">
            {t('dispute.openedBy', { party: t(`party.${view.dispute.openedByRole}`) })} · <LocalTime value={view.dispute.openedAt} /> ·{' '}
            {t(`escalationReason.${view.dispute.reason}` as never)}
          </p>
          {view.dispute.description ? <p className="mt-1 whitespace-pre-wrap text-sm">{view.dispute.description}</p> : null}
          {isAgent ? (
            <div className="mt-4 grid gap-4 lg:grid-cols-2">
              {(['BUYER', 'MERCHANT'] as const).map((party) => {
                const side = byParty(party)
                return (
                  <div key={party} className="space-y-3" data-testid={`side-${party}`}>
                    <h3 className="font-semibold">{t(`evidence.side.${party}`)}</h3>
                    {side.escalationFiles.length > 0 ? <EvidenceList files={side.escalationFiles} preview /> : null}
                    {side.requests.length === 0 && side.escalationFiles.length === 0 ? <p className="text-sm text-slate-600">{t('evidence.noneYet')}</p> : null}
                    {side.requests.map((request) => (
                      <RequestCard key={request.id} request={request} view={view} limits={limits} result={result} />
                    ))}
                  </div>
                )
              })}
            </div>
          ) : (
            <div className="mt-4 space-y-3">
              {view.escalationFiles.length > 0 ? <EvidenceList files={view.escalationFiles} preview={false} /> : null}
              {view.requests.length === 0 ? <p className="text-sm text-slate-600">{t('evidence.nothingAsked')}</p> : null}
              {view.requests.map((request) => (
                <RequestCard key={request.id} request={request} view={view} limits={limits} result={result} />
              ))}
            </div>
          )}
        </Section>
      ) : null}
      {isAgent && disputeOpen ? (
        <div className="grid gap-4 lg:grid-cols-2">
          <Section title={t('agent.requestEvidence')} id="request-evidence">
            <RequestEvidenceForm result={result} />
          </Section>
          <Section title={t('ruling.record')} id="record-ruling">
            <RulingFormView view={view} result={result} />
          </Section>
        </div>
      ) : null}
      <div className="grid gap-4 lg:grid-cols-2">
        <Section title={t('case.negotiation')} id="negotiation">
          <Negotiation view={view} />
        </Section>
        <Section title={t('case.log')} id="log">
          <Timeline view={view} />
        </Section>
      </div>
    </div>
  )
}
