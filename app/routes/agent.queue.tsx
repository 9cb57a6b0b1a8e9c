import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { DataTable } from '~/components/case-table'
import { Money } from '~/components/money'
import { Tabs } from '~/components/tabs'
import { Countdown, LocalTime } from '~/components/time'
import { useT } from '~/i18n/use-t'
import { db } from '~/infra/db.server'
import { requireAgent } from '~/infra/session.server'
import { listDisputeQueue } from '~/models/cases.server'
import { pick, QUEUE_FILTERS } from '~/models/list-filters'

export async function loader({ request }: LoaderFunctionArgs) {
  const agent = await requireAgent(request)
  const filter = pick(QUEUE_FILTERS, new URL(request.url).searchParams.get('filter'), 'all')
  return { filter, disputes: await listDisputeQueue(db(), agent, filter) }
}

export default function AgentQueue() {
  const t = useT()
  const { disputes, filter } = useLoaderData<typeof loader>()
  const rows = disputes.map((d) => ({ ...d, id: d.disputeId }))
  return (
    <>
      <h1 className="mb-4 text-2xl font-semibold">{t('queue.title')}</h1>
      <Tabs
        label={t('queue.title')}
        current={filter}
        tabs={QUEUE_FILTERS.map((key) => ({ key, label: t(`queue.filter.${key}`), href: key === 'all' ? '?' : `?filter=${key}` }))}
      />
      <DataTable
        caption={t('queue.title')}
        rows={rows}
        columns={[
          {
            header: t('table.caseNo'),
            cell: (d) => (
              <Link to={`/cases/${d.case.caseNo}`} className="font-mono text-blue-700 underline">
                {d.case.caseNo}
              </Link>
            ),
          },
          { header: t('buyer.cases.shop'), cell: (d) => d.case.shop.name },
          { header: t('table.type'), cell: (d) => t(`caseType.${d.case.type}`) },
          { header: t('table.amount'), cell: (d) => <Money fen={d.case.requestedAmountFen} /> },
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
          { header: t('queue.assigned'), cell: (d) => (d.mine ? t('queue.me') : t('common.none')) },
        ]}
      />
    </>
  )
}
