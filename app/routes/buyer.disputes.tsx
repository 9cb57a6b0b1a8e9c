import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { DataTable } from '~/components/case-table'
import { Money } from '~/components/money'
import { Countdown, LocalTime } from '~/components/time'
import { useT } from '~/i18n/use-t'
import { db } from '~/infra/db.server'
import { requireBuyer } from '~/infra/session.server'
import { listBuyerCases } from '~/models/cases.server'

export async function loader({ request }: LoaderFunctionArgs) {
  const buyer = await requireBuyer(request)
  const after = new URL(request.url).searchParams.get('after')
  return { paged: Boolean(after), ...(await listBuyerCases(db(), buyer, after, 'disputes')) }
}

export default function BuyerDisputes() {
  const t = useT()
  const { items, nextCursor, paged } = useLoaderData<typeof loader>()
  return (
    <>
      <h1 className="mb-4 text-2xl font-semibold">{t('buyer.disputes.title')}</h1>
      <DataTable
        caption={t('buyer.disputes.title')}
        rows={items}
        nextHref={nextCursor ? `?after=${nextCursor}` : null}
        firstHref={paged ? '?' : null}
        columns={[
          {
            header: t('buyer.cases.caseNo'),
            cell: (c) => (
              <Link to={`/cases/${c.caseNo}`} className="font-mono text-blue-700 underline">
                {c.caseNo}
              </Link>
            ),
          },
          { header: t('buyer.cases.shop'), cell: (c) => c.shop.name },
          { header: t('table.amount'), cell: (c) => <Money fen={c.requestedAmountFen} /> },
          { header: t('table.state'), cell: (c) => t(`caseState.${c.state}`) },
          { header: t('table.deadline'), cell: (c) => (c.nextDeadlineAt && c.state === 'IN_DISPUTE' ? <Countdown deadline={c.nextDeadlineAt} /> : t('common.none')) },
          { header: t('table.created'), cell: (c) => <LocalTime value={c.createdAt} /> },
        ]}
      />
    </>
  )
}
