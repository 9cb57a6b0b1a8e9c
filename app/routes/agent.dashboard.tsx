// Agents' dashboard: escalations and rulings per day, time to ruling, the share decided by timeout,
// and the shops with the highest dispute rate, over 7, 30 or 90 Beijing days.
import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { BarList, ColumnChart, ShareLineChart } from '~/components/charts'
import { DASHBOARD_RANGES, MIN_CASES_FOR_DISPUTE_RATE, RULING_HOUR_BUCKETS, type DashboardRange } from '~/domain/dashboard'
import { useT } from '~/i18n/use-t'
import { clock } from '~/infra/clock.server'
import { db } from '~/infra/db.server'
import { requireAgent } from '~/infra/session.server'
import { loadDashboard } from '~/models/dashboard.server'

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAgent(request)
  const asked = Number(new URL(request.url).searchParams.get('days'))
  const range: DashboardRange = (DASHBOARD_RANGES as readonly number[]).includes(asked) ? (asked as DashboardRange) : 30
  return loadDashboard(db(), clock().now(), range)
}

const percent = (share: number) => `${(share * 100).toFixed(1)}%`

export default function Dashboard() {
  const t = useT()
  const d = useLoaderData<typeof loader>()
  const hours = (h: number | null) => (h === null ? t('dashboard.none') : t('dashboard.hours', { hours: h.toFixed(1) }))
  const opened = d.openedPerDay.reduce((a, b) => a + b, 0)
  const bucketLabel = (i: number) =>
    i === 0
      ? t('dashboard.ttr.under', { to: RULING_HOUR_BUCKETS[0] })
      : i === RULING_HOUR_BUCKETS.length
        ? t('dashboard.ttr.over', { from: RULING_HOUR_BUCKETS[i - 1]! })
        : t('dashboard.ttr.between', { from: RULING_HOUR_BUCKETS[i - 1]!, to: RULING_HOUR_BUCKETS[i]! })
  const kpis: [string, string | number][] = [
    [t('dashboard.kpi.opened'), opened],
    [t('dashboard.kpi.ruled'), d.totalRuled],
    [t('dashboard.kpi.median'), hours(d.timeToRuling.medianHours)],
    [t('dashboard.kpi.timeoutShare'), d.timeoutShare === null ? t('dashboard.none') : percent(d.timeoutShare)],
  ]
  return (
    <>
      <div className="mb-4 flex flex-wrap items-center gap-4">
        <h1 className="text-2xl font-semibold">{t('dashboard.title')}</h1>
        <nav aria-label={t('dashboard.range')} className="flex gap-1 text-sm">
          {DASHBOARD_RANGES.map((days) => (
            <Link
              key={days}
              to={`?days=${days}`}
              aria-current={days === d.range ? 'page' : undefined}
              className={`rounded border px-2 py-1 ${days === d.range ? 'border-slate-900 bg-slate-900 text-white' : 'border-slate-300 text-slate-700 hover:bg-slate-100'}`}
            >
              {t('dashboard.range.days', { days })}
            </Link>
          ))}
        </nav>
      </div>
      <dl className="mb-4 grid grid-cols-2 gap-2 lg:grid-cols-4" data-testid="kpis">
        {kpis.map(([label, value]) => (
          <div key={label} className="rounded-lg border border-slate-200 bg-white p-3">
            <dt className="text-xs text-slate-600">{label}</dt>
            <dd className="text-xl font-semibold">{value}</dd>
          </div>
        ))}
      </dl>
      <div className="grid gap-4 lg:grid-cols-2">
        <ColumnChart
          title={t('dashboard.openedRuled.title')}
          summary={t('dashboard.openedRuled.summary', { days: d.range, opened, ruled: d.totalRuled })}
          labels={d.days}
          series={[
            { name: t('dashboard.opened'), values: d.openedPerDay, className: 'fill-amber-500' },
            { name: t('dashboard.ruled'), values: d.ruledPerDay, className: 'fill-blue-700' },
          ]}
        />
        <ShareLineChart
          title={t('dashboard.timeout.title')}
          summary={t('dashboard.timeout.summary', { days: d.range, share: d.timeoutShare === null ? t('dashboard.none') : percent(d.timeoutShare) })}
          name={t('dashboard.timeout.name')}
          labels={d.days}
          values={d.timeoutSharePerDay}
        />
        <BarList
          title={t('dashboard.ttr.title')}
          summary={t('dashboard.ttr.summary', { count: d.totalRuled, median: hours(d.timeToRuling.medianHours), p90: hours(d.timeToRuling.p90Hours) })}
          valueHeader={t('dashboard.ttr.count')}
          rows={d.timeToRuling.buckets.map((n, i) => ({ label: bucketLabel(i), value: n, text: String(n) }))}
        />
        <BarList
          title={t('dashboard.shops.title')}
          summary={t('dashboard.shops.summary', { count: d.shopsByDisputeRate.length, min: MIN_CASES_FOR_DISPUTE_RATE })}
          valueHeader={t('dashboard.shops.rate')}
          rows={d.shopsByDisputeRate.map((s) => ({ label: s.name, value: s.rate, text: t('dashboard.shops.value', { rate: percent(s.rate), disputes: s.disputes, cases: s.cases }) }))}
        />
      </div>
    </>
  )
}
