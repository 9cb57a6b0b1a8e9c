import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { CsrfInput } from '~/components/csrf-input'
import { DataTable } from '~/components/case-table'
import { Money } from '~/components/money'
import { Tabs } from '~/components/tabs'
import { Countdown, LocalTime } from '~/components/time'
import { useT } from '~/i18n/use-t'
import { readForm } from '~/infra/csrf.server'
import { db } from '~/infra/db.server'
import { disputeDeps } from '~/infra/deps.server'
import { requireMerchant } from '~/infra/session.server'
import { listShopCases } from '~/models/cases.server'
import { MAX_BULK, pick, WORKBENCH_TABS, type WorkbenchTab } from '~/models/list-filters'
import { confirmReceipt } from '~/services/lifecycle.server'

export async function loader({ request }: LoaderFunctionArgs) {
  const merchant = await requireMerchant(request, 'HANDLE_AFTER_SALES')
  const params = new URL(request.url).searchParams
  const tab = pick(WORKBENCH_TABS, params.get('tab'), 'all')
  const shop = await db().shop.findUniqueOrThrow({ where: { id: merchant.shopId }, select: { name: true } })
  const cases = await listShopCases(db(), merchant, params.get('after'), tab)
  return { shopName: shop.name, role: merchant.role, tab, paged: Boolean(params.get('after')), ...cases }
}

/** 批量确认收货: each case stands or fails on its own; the page says which were held back and why. */
export async function action({ request }: ActionFunctionArgs) {
  const merchant = await requireMerchant(request, 'AGREE_REFUND')
  const form = await readForm(request)
  const caseIds = form.getAll('caseId').map(String).slice(0, MAX_BULK)
  const results = await confirmReceipt(disputeDeps(), merchant, { caseIds, insuranceWarningAccepted: form.get('insuranceWarningAccepted') === 'yes' })
  return data({ confirmed: results.filter((r) => r.ok).length, refused: results.flatMap((r) => (r.ok ? [] : [{ caseId: r.caseId, error: r.error }])) })
}

export default function Workbench() {
  const t = useT()
  const { items, nextCursor, shopName, role, tab, paged } = useLoaderData<typeof loader>()
  const bulk = useActionData<typeof action>()
  const receipt = tab === 'awaitingReceipt'
  const orderNoOf = (caseId: string) => items.find((c) => c.id === caseId)?.orderNo ?? caseId
  const href = (key: WorkbenchTab) => (key === 'all' ? '?' : `?tab=${key}`)
  return (
    <>
      <h1 className="text-2xl font-semibold">{t('workbench.title')}</h1>
      <p className="mb-4 text-sm text-slate-600">{t('workbench.shopRole', { shop: shopName, role: t(`shopRole.${role}`) })}</p>
      <Tabs label={t('workbench.title')} current={tab} tabs={WORKBENCH_TABS.map((key) => ({ key, label: t(`workbench.tab.${key}`), href: href(key) }))} />
      {receipt ? (
        <Form method="post" id="bulk-receipt" className="mb-3 flex flex-wrap items-center gap-3 text-sm" onSubmit={(event) => (window.confirm(t('workbench.bulk.confirm')) ? undefined : event.preventDefault())}>
          <CsrfInput />
          <button type="submit" className="rounded bg-slate-900 px-3 py-2 font-medium text-white">
            {t('workbench.bulk.submit')}
          </button>
          <label className="flex items-center gap-2">
            <input type="checkbox" name="insuranceWarningAccepted" value="yes" /> {t('workbench.bulk.acceptWarning')}
          </label>
        </Form>
      ) : null}
      {bulk ? (
        <div role="status" className="mb-3 rounded bg-slate-50 px-3 py-2 text-sm" data-testid="bulk-result">
          <p>{t('workbench.bulk.result', { count: bulk.confirmed })}</p>
          {bulk.refused.map((r) => (
            <p key={r.caseId} className="text-amber-900">
              {orderNoOf(r.caseId)}: {t(`error.service.${r.error}` as never)}
            </p>
          ))}
        </div>
      ) : null}
      <DataTable
        caption={t('workbench.title')}
        rows={items}
        nextHref={nextCursor ? `${href(tab)}${tab === 'all' ? '' : '&'}after=${nextCursor}` : null}
        firstHref={paged ? href(tab) : null}
        columns={[
          ...(receipt
            ? [
                {
                  header: t('workbench.bulk.select'),
                  cell: (c: (typeof items)[number]) => (
                    <input type="checkbox" name="caseId" value={c.id} form="bulk-receipt" aria-label={t('workbench.bulk.selectOne', { orderNo: c.orderNo })} />
                  ),
                },
              ]
            : []),
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
          {
            header: t('table.state'),
            cell: (c) => (
              <>
                {t(`caseState.${c.state}`)}
                {c.returnShippingInsurance ? <span className="ml-1 rounded bg-amber-100 px-1 text-xs text-amber-900">{t('workbench.insurance')}</span> : null}
              </>
            ),
          },
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
