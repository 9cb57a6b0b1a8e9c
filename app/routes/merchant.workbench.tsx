import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { DataTable } from '~/components/case-table'
import { Money } from '~/components/money'
import { Tabs } from '~/components/tabs'
import { Countdown, LocalTime } from '~/components/time'
import { useT } from '~/i18n/use-t'
import { db } from '~/infra/db.server'
import { requireMerchant } from '~/infra/session.server'
import { listShopCases } from '~/models/cases.server'
import { pick, WORKBENCH_TABS, type WorkbenchTab } from '~/models/list-filters'

export async function loader({ request }: LoaderFunctionArgs) {
  const merchant = await requireMerchant(request, 'HANDLE_AFTER_SALES')
  const params = new URL(request.url).searchParams
  const tab = pick(WORKBENCH_TABS, params.get('tab'), 'all')
  const shop = await db().shop.findUniqueOrThrow({ where: { id: merchant.shopId }, select: { name: true } })
  const cases = await listShopCases(db(), merchant, params.get('after'), tab)
  return { shopName: shop.name, role: merchant.role, tab, paged: Boolean(params.get('after')), ...cases }
}

export default function Workbench() {
  const t = useT()
  const { items, nextCursor, shopName, role, tab, paged } = useLoaderData<typeof loader>()
  const href = (key: WorkbenchTab) => (key === 'all' ? '?' : `?tab=${key}`)
  return (
    <>
      <h1 className="text-2xl font-semibold">{t('workbench.title')}</h1>
      <p className="mb-4 text-sm text-slate-600">{t('workbench.shopRole', { shop: shopName, role: t(`shopRole.${role}`) })}</p>
      <Tabs label={t('workbench.title')} current={tab} tabs={WORKBENCH_TABS.map((key) => ({ key, label: t(`workbench.tab.${key}`), href: href(key) }))} />
      <DataTable
        caption={t('workbench.title')}
        rows={items}
        nextHref={nextCursor ? `${href(tab)}${tab === 'all' ? '' : '&'}after=${nextCursor}` : null}
        firstHref={paged ? href(tab) : null}
        columns={[
          {
            header: t('table.orderNo'),
            cell: (c) => (
              <Link to={`/cases/${c.caseNo}`} className="font-mono text-blue-700 underline">
                {c.orderNo}
              </Link>
            ),
          },
          { header: t('table.buyer'), cell: (c) => c.customerName },
          { header: t('table.phone'), cell: (c) => <span className="font-mono">{c.maskedPhone}</span> },
          { header: t('table.type'), cell: (c) => t(`caseType.${c.type}`) },
          { header: t('table.amount'), cell: (c) => <Money fen={c.requestedAmountFen} /> },
          { header: t('table.state'), cell: (c) => t(`caseState.${c.state}`) },
          {
            header: tab === 'awaitingEvidence' ? t('workbench.evidenceRemaining') : t('table.deadline'),
            cell: (c) => (c.nextDeadlineAt ? <Countdown deadline={c.nextDeadlineAt} /> : t('common.none')),
          },
          { header: t('table.created'), cell: (c) => <LocalTime value={c.createdAt} /> },
        ]}
      />
    </>
  )
}
