import type { LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { DataTable } from '~/components/case-table'
import { Money } from '~/components/money'
import { Countdown, LocalTime } from '~/components/time'
import { useT } from '~/i18n/use-t'
import { db } from '~/infra/db.server'
import { requireAgent } from '~/infra/session.server'
import { listDisputeQueue } from '~/models/cases.server'

export async function loader({ request }: LoaderFunctionArgs) {
  const agent = await requireAgent(request)
  return { disputes: await listDisputeQueue(db(), agent) }
}

export default function AgentQueue() {
  const t = useT()
  const { disputes } = useLoaderData<typeof loader>()
  const rows = disputes.map((d) => ({ ...d, id: d.disputeId }))
  return (
    <>
      <h1 className="mb-4 text-2xl font-semibold">{t('queue.title')}</h1>
      <DataTable
        caption={t('queue.title')}
        rows={rows}
        columns={[
          { header: t('table.caseNo'), cell: (d) => <span className="font-mono">{d.case.caseNo}</span> },
          { header: t('buyer.cases.shop'), cell: (d) => d.case.shop.name },
          { header: t('table.type'), cell: (d) => t(`caseType.${d.case.type}`) },
          { header: t('table.amount'), cell: (d) => <Money fen={d.case.requestedAmountFen} /> },
          { header: t('queue.openedAt'), cell: (d) => <LocalTime value={d.openedAt} /> },
          {
            header: t('queue.evidenceDue'),
            cell: (d) => (d.evidenceDueAt ? <Countdown deadline={d.evidenceDueAt} /> : t('common.none')),
          },
        ]}
      />
    </>
  )
}
