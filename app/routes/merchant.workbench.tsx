import type { LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData, useSearchParams } from '@remix-run/react'
import { DataTable } from '~/components/case-table'
import { Money } from '~/components/money'
import { Countdown, LocalTime } from '~/components/time'
import { useT } from '~/i18n/use-t'
import { db } from '~/infra/db.server'
import { requireMerchant } from '~/infra/session.server'
import { listShopCases } from '~/models/cases.server'

export async function loader({ request }: LoaderFunctionArgs) {
  const merchant = await requireMerchant(request, 'HANDLE_AFTER_SALES')
  const shop = await db().shop.findUniqueOrThrow({ where: { id: merchant.shopId }, select: { name: true } })
  const cases = await listShopCases(db(), merchant, new URL(request.url).searchParams.get('after'))
  return { shopName: shop.name, role: merchant.role, ...cases }
}

export default function Workbench() {
  const t = useT()
  const { items, nextCursor, shopName, role } = useLoaderData<typeof loader>()
  const [params] = useSearchParams()
  return (
    <>
      <h1 className="text-2xl font-semibold">{t('workbench.title')}</h1>
      <p className="mb-4 text-sm text-slate-600">{t('workbench.shopRole', { shop: shopName, role: t(`shopRole.${role}`) })}</p>
      <DataTable
        caption={t('workbench.title')}
        rows={items}
        nextHref={nextCursor ? `?after=${nextCursor}` : null}
        firstHref={params.get('after') ? '?' : null}
        columns={[
          { header: t('table.orderNo'), cell: (c) => <span className="font-mono">{c.orderNo}</span> },
          { header: t('table.buyer'), cell: (c) => c.customerName },
          { header: t('table.phone'), cell: (c) => <span className="font-mono">{c.maskedPhone}</span> },
          { header: t('table.type'), cell: (c) => t(`caseType.${c.type}`) },
          { header: t('table.amount'), cell: (c) => <Money fen={c.requestedAmountFen} /> },
          { header: t('table.state'), cell: (c) => t(`caseState.${c.state}`) },
          {
            header: t('table.deadline'),
            cell: (c) => (c.nextDeadlineAt ? <Countdown deadline={c.nextDeadlineAt} /> : t('common.none')),
          },
          { header: t('table.created'), cell: (c) => <LocalTime value={c.createdAt} /> },
        ]}
      />
    </>
  )
}
