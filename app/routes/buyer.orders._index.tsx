import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData, useSearchParams } from '@remix-run/react'
import { DataTable } from '~/components/case-table'
import { caseStateKey, Money, RefundBadge } from '~/components/money'
import { LocalTime } from '~/components/time'
import { useT } from '~/i18n/use-t'
import { db } from '~/infra/db.server'
import { requireBuyer } from '~/infra/session.server'
import { listBuyerOrders } from '~/models/orders.server'

export async function loader({ request }: LoaderFunctionArgs) {
  const buyer = await requireBuyer(request)
  return listBuyerOrders(db(), buyer, new URL(request.url).searchParams.get('after'))
}

export default function BuyerOrders() {
  const t = useT()
  const { items, nextCursor } = useLoaderData<typeof loader>()
  const [params] = useSearchParams()
  return (
    <>
      <h1 className="mb-4 text-2xl font-semibold">{t('orders.title')}</h1>
      <DataTable
        caption={t('orders.title')}
        rows={items}
        nextHref={nextCursor ? `?after=${nextCursor}` : null}
        firstHref={params.get('after') ? '?' : null}
        columns={[
          { header: t('table.orderNo'), cell: (o) => <span className="font-mono">{o.orderNo}</span> },
          { header: t('buyer.cases.item'), cell: (o) => o.itemTitle },
          { header: t('buyer.cases.shop'), cell: (o) => o.shop.name },
          { header: t('case.paid'), cell: (o) => <Money fen={o.paidAmountFen} /> },
          { header: t('orders.paidAt'), cell: (o) => <LocalTime value={o.paidAt} /> },
          { header: t('orders.shipping'), cell: (o) => t(o.shippedAt ? 'orders.shipped' : 'orders.unshipped') },
          {
            header: t('orders.afterSales'),
            cell: (o) => (
              <span className="flex flex-wrap gap-2">
                {o.latestCase ? (
                  <Link to={`/cases/${o.latestCase.caseNo}`} className="text-blue-700 underline">
                    {t(caseStateKey(o.latestCase.state, o.refund))}
                  </Link>
                ) : null}
                <RefundBadge standing={o.refund} />
                {o.mayRequest ? (
                  <Link to={`/buyer/orders/${o.orderNo}/request`} className="text-blue-700 underline">
                    {t('orders.request')}
                  </Link>
                ) : null}
              </span>
            ),
          },
        ]}
      />
    </>
  )
}
