// The agent console: the queue of escalated cases by owner (unassigned / mine / all), stage, order
// and search, with claim and assign on each row, and the agent's own service counters on top.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { DataTable } from '~/components/case-table'
import { CsrfInput } from '~/components/csrf-input'
import { Money } from '~/components/money'
import { Tabs } from '~/components/tabs'
import { useLiveData } from '~/components/use-live-data'
import { usePageHrefs, useSearchHref } from '~/components/use-search-href'
import { Countdown, LocalTime } from '~/components/time'
import { useT } from '~/i18n/use-t'
import { clock } from '~/infra/clock.server'
import { readForm } from '~/infra/csrf.server'
import { db } from '~/infra/db.server'
import { policy } from '~/infra/policy.server'
import { requireAgent } from '~/infra/session.server'
import { agentSla, listAgentQueue, type QueueQuery } from '~/models/agent-queue.server'
import { pick, QUEUE_SCOPES, QUEUE_SORTS, QUEUE_STAGES } from '~/models/list-filters'
import { assignDispute, claimDispute } from '~/services/assignment.server'
import { isServiceError } from '~/services/errors.server'
import { isUuid } from '~/domain/ids'

function queryOf(params: URLSearchParams): QueueQuery {
  return {
    scope: pick(QUEUE_SCOPES, params.get('scope'), 'all'),
    stage: pick(QUEUE_STAGES, params.get('stage'), 'any'),
    sort: pick(QUEUE_SORTS, params.get('sort'), 'breach'),
    search: params.get('q')?.trim() || undefined,
    after: params.get('after'),
  }
}

export async function loader({ request }: LoaderFunctionArgs) {
  const agent = await requireAgent(request)
  const query = queryOf(new URL(request.url).searchParams)
  const [page, sla, agents] = await Promise.all([
    listAgentQueue(db(), policy(), agent, query),
    agentSla(db(), policy(), agent, clock().now()),
    db().user.findMany({ where: { kind: 'AGENT' }, orderBy: { displayName: 'asc' }, take: 200, select: { id: true, displayName: true } }),
  ])
  return { query, paged: Boolean(query.after), sla, agents, me: agent.userId, breachSoonHours: policy().dispute.agentBreachSoonMs / 3600_000, ...page }
}

export async function action({ request }: ActionFunctionArgs) {
  const agent = await requireAgent(request)
  const form = await readForm(request)
  const intent = String(form.get('intent') ?? '')
  const disputeId = String(form.get('disputeId') ?? '')
  if (!isUuid(disputeId)) return data({ intent, ok: false as const, error: 'NOT_FOUND' as const, details: {} }, { status: 404 })
  const deps = { db: db(), clock: clock() }
  try {
    if (intent === 'claim') await claimDispute(deps, agent, disputeId)
    else if (intent === 'assign') await assignDispute(deps, agent, disputeId, String(form.get('agentId') ?? ''))
    else return data({ intent, ok: false as const, error: 'INVALID_INPUT' as const, details: {} }, { status: 400 })
    return data({ intent, ok: true as const })
  } catch (error) {
    if (isServiceError(error)) return data({ intent, ok: false as const, error: error.code, details: error.details }, { status: error.status })
    throw error
  }
}

const field = 'mt-1 w-full rounded border border-slate-300 px-2 py-1 text-sm'

function SlaCounters() {
  const t = useT()
  const { sla, breachSoonHours } = useLoaderData<typeof loader>()
  const tiles: [string, string | number, string?][] = [
    [t('queue.sla.unassigned'), sla.unassigned],
    [t('queue.sla.mineOpen'), sla.mineOpen],
    [t('queue.sla.breachingSoon', { hours: breachSoonHours }), sla.mineBreachingSoon, sla.mineBreachingSoon > 0 ? 'text-amber-800' : undefined],
    [t('queue.sla.overdue'), sla.mineOverdue, sla.mineOverdue > 0 ? 'text-red-700' : undefined],
    [t('queue.sla.ruledToday'), sla.ruledToday],
    [t('queue.sla.median'), sla.medianHoursToRuling7d === null ? '—' : t('queue.sla.hours', { hours: sla.medianHoursToRuling7d })],
  ]
  return (
    <section aria-labelledby="sla-title" className="mb-4">
      <h2 id="sla-title" className="sr-only">
        {t('queue.sla.title')}
      </h2>
      <dl className="grid grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-6" data-testid="sla">
        {tiles.map(([label, value, tone]) => (
          <div key={label} className="rounded-lg border border-slate-200 bg-white p-3">
            <dt className="text-xs text-slate-600">{label}</dt>
            <dd className={`text-xl font-semibold ${tone ?? ''}`}>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  )
}

function QueueFilters() {
  const t = useT()
  const { query } = useLoaderData<typeof loader>()
  return (
    <Form method="get" role="search" aria-label={t('queue.search')} className="mb-3 grid gap-2 rounded-lg border border-slate-200 bg-white p-3 text-sm sm:grid-cols-4">
      <input type="hidden" name="scope" value={query.scope} />
      <div>
        <label htmlFor="queue-q" className="block font-medium">
          {t('queue.search')}
        </label>
        <input id="queue-q" name="q" defaultValue={query.search ?? ''} className={field} />
      </div>
      <div>
        <label htmlFor="queue-stage" className="block font-medium">
          {t('queue.stage')}
        </label>
        <select id="queue-stage" name="stage" defaultValue={query.stage} className={field}>
          {QUEUE_STAGES.map((stage) => (
            <option key={stage} value={stage}>
              {t(`queue.stage.${stage}`)}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="queue-sort" className="block font-medium">
          {t('queue.sort')}
        </label>
        <select id="queue-sort" name="sort" defaultValue={query.sort} className={field}>
          {QUEUE_SORTS.map((sort) => (
            <option key={sort} value={sort}>
              {t(`queue.sort.${sort}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="flex items-end">
        <button type="submit" className="rounded bg-slate-900 px-3 py-1.5 font-medium text-white">
          {t('queue.apply')}
        </button>
      </div>
    </Form>
  )
}

export default function AgentQueue() {
  const t = useT()
  useLiveData()
  const { items, nextCursor, query, paged, agents, me } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const busy = useNavigation().state === 'submitting'
  const withParams = useSearchHref()
  const pages = usePageHrefs(nextCursor, paged)
  return (
    <>
      <h1 className="mb-4 text-2xl font-semibold">{t('queue.title')}</h1>
      <SlaCounters />
      {result ? (
        <p role="status" className={`mb-3 rounded px-3 py-2 text-sm ${result.ok ? 'bg-green-50 text-green-900' : 'bg-amber-50 text-amber-900'}`}>
          {result.ok ? t(result.intent === 'claim' ? 'queue.claimed' : 'queue.assigned.done') : t(`error.service.${result.error}` as never, result.details)}
        </p>
      ) : null}
      <Tabs
        label={t('queue.scopes')}
        current={query.scope}
        tabs={QUEUE_SCOPES.map((scope) => ({ key: scope, label: t(`queue.scope.${scope}`), href: withParams((p) => (p.set('scope', scope), p.delete('after'))) }))}
      />
      <QueueFilters />
      <DataTable
        caption={t('queue.title')}
        rows={items}
        nextHref={pages.nextHref}
        firstHref={pages.firstHref}
        columns={[
          {
            header: t('table.caseNo'),
            cell: (d) => (
              <Link to={`/cases/${d.caseNo}`} className="font-mono text-blue-700 underline">
                {d.caseNo}
              </Link>
            ),
          },
          { header: t('buyer.cases.shop'), cell: (d) => d.shopName },
          { header: t('table.type'), cell: (d) => t(`caseType.${d.type}`) },
          { header: t('table.amount'), cell: (d) => <Money fen={d.requestedAmountFen} /> },
          { header: t('queue.openedAt'), cell: (d) => <LocalTime value={d.openedAt} /> },
          {
            header: t('queue.evidenceDue'),
            cell: (d) =>
              d.evidenceDueAt ? (
                <span className="flex flex-col">
                  <Countdown deadline={d.evidenceDueAt} />
                  <span className="text-xs text-slate-600">{t(`party.${d.evidenceParty ?? 'MERCHANT'}`)}</span>
                </span>
              ) : (
                t('queue.readyToRule')
              ),
          },
          { header: t('queue.breachAt'), cell: (d) => <Countdown deadline={d.breachAt} /> },
          {
            header: t('queue.assigned'),
            cell: (d) => (
              <div className="flex flex-col gap-1">
                <span>{d.assignedAgentId === me ? t('queue.me') : (d.assignedAgentName ?? t('common.none'))}</span>
                {!d.assignedAgentId ? (
                  <Form method="post">
                    <CsrfInput />
                    <input type="hidden" name="intent" value="claim" />
                    <input type="hidden" name="disputeId" value={d.id} />
                    <button type="submit" disabled={busy} aria-label={t('queue.claimOne', { caseNo: d.caseNo })} className="rounded bg-slate-900 px-2 py-1 text-xs font-medium text-white disabled:opacity-50">
                      {t('queue.claim')}
                    </button>
                  </Form>
                ) : null}
                <Form method="post" className="flex gap-1">
                  <CsrfInput />
                  <input type="hidden" name="intent" value="assign" />
                  <input type="hidden" name="disputeId" value={d.id} />
                  <select name="agentId" aria-label={t('queue.assignTo', { caseNo: d.caseNo })} defaultValue={d.assignedAgentId ?? ''} className="rounded border border-slate-300 px-1 text-xs" required>
                    <option value="" disabled>
                      —
                    </option>
                    {agents.map((a) => (
                      <option key={a.id} value={a.id}>
                        {a.id === me ? t('queue.me') : a.displayName}
                      </option>
                    ))}
                  </select>
                  <button type="submit" disabled={busy} className="rounded border border-slate-300 px-2 text-xs disabled:opacity-50">
                    {t('queue.assign')}
                  </button>
                </Form>
              </div>
            ),
          },
        ]}
      />
    </>
  )
}
