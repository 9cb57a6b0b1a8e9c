import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react'
import { DataTable } from '~/components/case-table'
import { CsrfInput } from '~/components/csrf-input'
import { FlagMark } from '~/components/flag'
import { Money, RefundBadge } from '~/components/money'
import { Tabs } from '~/components/tabs'
import { useLiveData } from '~/components/use-live-data'
import { usePageHrefs } from '~/components/use-search-href'
import { Countdown, LocalTime } from '~/components/time'
import { useT } from '~/i18n/use-t'
import { readForm } from '~/infra/csrf.server'
import { db } from '~/infra/db.server'
import { serviceDeps } from '~/infra/deps.server'
import { getShopName, requireMerchant } from '~/infra/session.server'
import { FLAG_COLORS, MAX_BULK, pick, WORKBENCH_TABS, type WorkbenchTab } from '~/models/list-filters'
import { listWorkbench, workbenchCounts, type WorkbenchQuery } from '~/models/workbench.server'
import { withRowExtras } from '~/models/case-rows.server'
import { confirmReceiptInBulk } from '~/services/case-commands.server'

/** The URL is the query: tab, search and filters survive a reload and can be shared. */
function queryOf(params: URLSearchParams): WorkbenchQuery {
  const text = (name: string) => params.get(name)?.trim() || undefined
  const flag = params.get('flag')
  return {
    tab: pick(WORKBENCH_TABS, params.get('tab'), 'all'),
    orderNo: text('orderNo'),
    customerName: text('customerName'),
    phone: text('phone'),
    from: text('from'),
    to: text('to'),
    express: params.get('express') === '1',
    insured: params.get('insured') === '1',
    flag: (FLAG_COLORS as readonly string[]).includes(flag ?? '') ? (flag as WorkbenchQuery['flag']) : undefined,
    after: params.get('after'),
  }
}

export async function loader({ request }: LoaderFunctionArgs) {
  const merchant = await requireMerchant(request, 'HANDLE_AFTER_SALES')
  const query = queryOf(new URL(request.url).searchParams)
  const [shopName, page, counts] = await Promise.all([
    getShopName(request),
    listWorkbench(db(), merchant, query),
    workbenchCounts(db(), merchant),
  ])
  // One page's rows get the merchant's own deadline and how refunded orders stand.
  const items = await withRowExtras(db(), 'MERCHANT', page.items)
  return { shopName: shopName ?? '', role: merchant.role, tab: query.tab, paged: Boolean(query.after), counts, items, nextCursor: page.nextCursor }
}

/** 批量确认收货: each case stands or fails on its own; the page says which were held back and why. */
export async function action({ request }: ActionFunctionArgs) {
  const merchant = await requireMerchant(request, 'AGREE_REFUND')
  const form = await readForm(request)
  const caseIds = form.getAll('caseId').map(String).slice(0, MAX_BULK)
  const results = await confirmReceiptInBulk(serviceDeps(), merchant, { caseIds, insuranceWarningAccepted: form.get('insuranceWarningAccepted') === 'yes' })
  return data({ confirmed: results.filter((r) => r.ok).length, refused: results.flatMap((r) => (r.ok ? [] : [{ caseId: r.caseId, error: r.error }])) })
}

const field = 'mt-1 w-full rounded border border-slate-300 px-2 py-1 text-sm'

function SearchForm({ tab }: { tab: WorkbenchTab }) {
  const t = useT()
  const [params] = useSearchParams()
  const value = (name: string) => params.get(name) ?? ''
  return (
    <Form method="get" className="mb-3 grid gap-2 rounded-lg border border-slate-200 bg-white p-3 text-sm sm:grid-cols-3 lg:grid-cols-6" role="search" aria-label={t('workbench.search')}>
      <input type="hidden" name="tab" value={tab} />
      {(['orderNo', 'customerName', 'phone'] as const).map((name) => (
        <div key={name}>
          <label htmlFor={`search-${name}`} className="block font-medium">
            {t(`workbench.search.${name}`)}
          </label>
          <input id={`search-${name}`} name={name} defaultValue={value(name)} className={field} inputMode={name === 'customerName' ? undefined : 'numeric'} />
        </div>
      ))}
      {(['from', 'to'] as const).map((name) => (
        <div key={name}>
          <label htmlFor={`search-${name}`} className="block font-medium">
            {t(`workbench.search.${name}`)}
          </label>
          <input id={`search-${name}`} name={name} type="date" defaultValue={value(name)} className={field} />
        </div>
      ))}
      <div>
        <label htmlFor="search-flag" className="block font-medium">
          {t('workbench.filter.flag')}
        </label>
        <select id="search-flag" name="flag" defaultValue={value('flag')} className={field}>
          <option value="">{t('workbench.filter.anyFlag')}</option>
          {FLAG_COLORS.map((color) => (
            <option key={color} value={color}>
              {t(`flag.${color}`)}
            </option>
          ))}
        </select>
      </div>
      <fieldset className="flex flex-wrap items-center gap-3 sm:col-span-2">
        <legend className="sr-only">{t('workbench.filter.more')}</legend>
        <label className="flex items-center gap-1">
          <input type="checkbox" name="express" value="1" defaultChecked={value('express') === '1'} /> {t('workbench.filter.express')}
        </label>
        <label className="flex items-center gap-1">
          <input type="checkbox" name="insured" value="1" defaultChecked={value('insured') === '1'} /> {t('workbench.filter.insured')}
        </label>
      </fieldset>
      <div className="flex items-end gap-2">
        <button type="submit" className="rounded bg-slate-900 px-3 py-1.5 font-medium text-white">
          {t('workbench.search.submit')}
        </button>
        <Link to={`?tab=${tab}`} className="px-2 py-1.5 text-blue-700 underline">
          {t('workbench.search.clear')}
        </Link>
      </div>
    </Form>
  )
}

export default function Workbench() {
  const t = useT()
  useLiveData()
  const { items, nextCursor, shopName, role, tab, paged, counts } = useLoaderData<typeof loader>()
  const bulk = useActionData<typeof action>()
  const pages = usePageHrefs(nextCursor, paged)
  const receipt = tab === 'awaitingReceipt'
  const orderNoOf = (caseId: string) => items.find((c) => c.id === caseId)?.orderNo ?? caseId
  const href = (key: WorkbenchTab) => `?tab=${key}`
  return (
    <>
      <h1 className="text-2xl font-semibold">{t('workbench.title')}</h1>
      <p className="mb-4 text-sm text-slate-600">{t('workbench.shopRole', { shop: shopName, role: t(`shopRole.${role}`) })}</p>
      <Tabs
        label={t('workbench.title')}
        current={tab}
        tabs={WORKBENCH_TABS.map((key) => ({ key, label: t('workbench.tabWithCount', { tab: t(`workbench.tab.${key}`), count: counts[key] }), href: href(key) }))}
      />
      <SearchForm tab={tab} />
      {receipt ? (
        <Form
          method="post"
          id="bulk-receipt"
          className="mb-3 flex flex-wrap items-center gap-3 text-sm"
          onSubmit={(event) => (window.confirm(t('workbench.bulk.confirm')) ? undefined : event.preventDefault())}
        >
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
        nextHref={pages.nextHref}
        firstHref={pages.firstHref}
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
                {c.refund.kind === 'NONE' ? t(`caseState.${c.state}`) : <RefundBadge standing={c.refund} />}
                {c.expressRefund ? <span className="ml-1 rounded bg-green-100 px-1 text-xs text-green-900">{t('workbench.filter.express')}</span> : null}
                {c.returnShippingInsurance ? <span className="ml-1 rounded bg-amber-100 px-1 text-xs text-amber-900">{t('workbench.insurance')}</span> : null}
              </>
            ),
          },
          {
            header: tab === 'awaitingEvidence' ? t('workbench.evidenceRemaining') : t('table.deadline'),
            cell: (c) => (c.deadline ? <Countdown deadline={c.deadline} /> : t('common.none')),
          },
          { header: t('workbench.flag'), cell: (c) => <FlagMark color={c.flagColor} /> },
          { header: t('table.created'), cell: (c) => <LocalTime value={c.createdAt} /> },
        ]}
      />
    </>
  )
}
