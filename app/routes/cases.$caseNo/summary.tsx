// The case at a glance: order, item, amounts (with the order's refunds as they stand), dates.
import { Money, RefundArrival, RefundBadge } from '~/components/money'
import { LocalTime } from '~/components/time'
import { useT } from '~/i18n/use-t'
import type { CaseView } from '~/models/case-view.server'

export function Summary({ view }: { view: CaseView }) {
  const t = useT()
  const c = view.case
  const rows: [string, React.ReactNode][] = [
    [t('table.orderNo'), <span className="font-mono">{c.orderNo}</span>],
    [t('case.item'), c.itemTitle],
    [t('buyer.cases.shop'), c.shopName],
    [t('table.type'), t(`caseType.${c.type}`)],
    [t('case.reason'), t(`caseReason.${c.reason}`)],
    [t('case.requested'), <Money fen={c.requestedAmountFen} />],
    [t('case.paid'), <Money fen={c.paidAmountFen} />],
    [t('table.created'), <LocalTime value={c.createdAt} />],
  ]
  if (view.money.standing.kind !== 'NONE') {
    rows.push([
      t('case.refunds'),
      <span className="flex flex-col gap-1">
        <RefundBadge standing={view.money.standing} />
        <RefundArrival standing={view.money.standing} express={view.money.express} />
      </span>,
    ])
  }
  if (c.customer) rows.push([t('table.buyer'), `${c.customer.name} · ${c.customer.phone}`])
  return (
    <>
      <dl className="grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-2">
        {rows.map(([label, value]) => (
          <div key={label} className="flex gap-2">
            <dt className="min-w-24 text-slate-600">{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
        {c.description ? (
          <div className="sm:col-span-2">
            <dt className="text-slate-600">{t('case.description')}</dt>
            <dd className="whitespace-pre-wrap">{c.description}</dd>
          </div>
        ) : null}
      </dl>
    </>
  )
}
