import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { DataTable } from '~/components/case-table'
import { Money, RefundBadge } from '~/components/money'
import { Countdown, LocalTime } from '~/components/time'
import { useT } from '~/i18n/use-t'
import { db } from '~/infra/db.server'
import { requireBuyer } from '~/infra/session.server'
import { withRowExtras } from '~/models/case-rows.server'
import { listBuyerCases } from '~/models/cases.server'

export async function loader({ request }: LoaderFunctionArgs) {
  const buyer = await requireBuyer(request)
  const after = new URL(request.url).searchParams.get('after')
  const page = await listBuyerCases(db(), buyer, after, 'disputes')
  // The buyer's own deadline, never the merchant's.
  const items = await withRowExtras(db(), 'BUYER', page.items)
  return { paged: Boolean(after), items, nextCursor: page.nextCursor }
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
          { header: t('table.state'), cell: (c) => (c.refund.kind === 'NONE' ? t(`caseState.${c.state}`) : <RefundBadge standing={c.refund} />) },
          { header: t('table.deadline'), cell: (c) => (c.deadline ? <Countdown deadline={c.deadline} /> : t('common.none')) },
          { header: t('table.created'), cell: (c) => <LocalTime value={c.createdAt} /> },
        ]}
      />
    </>
  )
}
