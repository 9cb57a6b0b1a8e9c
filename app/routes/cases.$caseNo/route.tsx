// The case page (售后详情): one page for every party, each seeing what is theirs. The loader shapes
// the view for the viewer; the action is one dispatch through the command table.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { FlagsAndNotesPanel } from '~/components/case-flags'
import { LifecyclePanel, Negotiation } from '~/components/case-lifecycle'
import { Section } from '~/components/case-ui'
import { caseStateKey } from '~/components/money'
import { useT } from '~/i18n/use-t'
import { clock } from '~/infra/clock.server'
import { db } from '~/infra/db.server'
import { serviceDeps } from '~/infra/deps.server'
import { answerAfterBody } from '~/infra/multipart.server'
import { policy } from '~/infra/policy.server'
import { notFound, requireActor } from '~/infra/session.server'
import { runCaseAction } from '~/forms/case-action.server'
import { findCaseId, loadCaseView } from '~/models/case-view.server'
import { AgentForms } from './agent-forms'
import { DisputePanel, EscalatePanel } from './dispute-panel'
import { EvidenceAccessPanel } from './evidence-access'
import { Rulings } from './rulings'
import { Summary } from './summary'
import { Timeline } from './timeline'

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.view.case.caseNo}` : '' }]

export async function loader({ request, params }: LoaderFunctionArgs) {
  const actor = await requireActor(request)
  const view = await loadCaseView(db(), actor, params.caseNo ?? '', clock().now(), policy())
  if (!view) throw notFound()
  const { dispute } = policy()
  return {
    view,
    limits: { maxImageOrPdfBytes: dispute.maxImageOrPdfBytes, maxVideoBytes: dispute.maxVideoBytes, maxFiles: dispute.maxFilesPerResponse, maxExplanation: dispute.explanationMaxChars },
  }
}

export type CaseLimits = Awaited<ReturnType<typeof loader>>['limits']

export const action = ({ request, params }: ActionFunctionArgs) =>
  answerAfterBody(request, async () => {
    const actor = await requireActor(request)
    const caseId = await findCaseId(db(), actor, params.caseNo ?? '')
    if (!caseId) throw notFound()
    const { result, status } = await runCaseAction(request, serviceDeps(), actor, caseId)
    return data(result, { status })
  })

export default function CasePage() {
  const t = useT()
  const { view, limits } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  return (
    <div className="space-y-4">
      <header className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold">{t('case.title', { caseNo: view.case.caseNo })}</h1>
        <span className="rounded bg-slate-800 px-2 py-0.5 text-sm text-white" data-testid="case-state">
          {t(caseStateKey(view.case.state, view.money.standing))}
        </span>
        {view.dispute && view.dispute.round > 1 ? (
          <span className="rounded bg-orange-100 px-2 py-0.5 text-sm text-orange-900" data-testid="dispute-round">
            {t('dispute.round', { round: view.dispute.round })}
          </span>
        ) : null}
      </header>
      {result?.ok ? (
        <p role="status" className="rounded bg-green-50 px-3 py-2 text-sm text-green-800">
          {t(result.intent === 'reject-after-receipt' && result.to === 'IN_DISPUTE' ? 'done.reject-after-receipt.toPlatform' : (`done.${result.intent}` as never))}
        </p>
      ) : null}
      <Section title={t('case.summary')}>
        <Summary view={view} />
      </Section>
      <LifecyclePanel view={view} result={result} />
      {view.flagsAndNotes ? <FlagsAndNotesPanel data={view.flagsAndNotes} result={result} /> : null}
      <Rulings view={view} result={result} />
      <DisputePanel view={view} limits={limits} result={result} />
      {view.viewer.mayEscalate ? <EscalatePanel view={view} result={result} /> : null}
      <AgentForms view={view} result={result} />
      <EvidenceAccessPanel view={view} />
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
