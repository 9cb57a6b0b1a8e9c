// Small server-rendered SVG charts. Each is a <figure> whose SVG has a text summary for screen
// readers, a tooltip per mark, and the numbers as a table under "show data": the chart is the
// quick read, the table is the exact one.
import type { ReactNode } from 'react'
import { useT } from '~/i18n/use-t'

const W = 640
const H = 220
const PAD = { top: 12, right: 12, bottom: 28, left: 40 }

const TICKS = 4

/** The axis top: four equal, round steps that reach the value (whole steps for counts). */
function niceMax(value: number, minStep = 0) {
  const raw = Math.max(value / TICKS, minStep, Number.EPSILON)
  const magnitude = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].map((s) => s * magnitude).find((s) => s >= raw && (minStep < 1 || Number.isInteger(s)))!
  return step * TICKS
}

function DataTableFallback({ headers, rows }: { headers: string[]; rows: ReactNode[][] }) {
  const t = useT()
  return (
    <details className="mt-1 text-xs">
      <summary className="cursor-pointer text-blue-700 underline">{t('chart.showData')}</summary>
      <div className="max-h-64 overflow-auto">
        <table className="mt-1 w-full text-left">
          <thead>
            <tr>
              {headers.map((h) => (
                <th key={h} scope="col" className="px-2 py-1 font-medium">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <tr key={i} className="border-t border-slate-100">
                {row.map((cell, j) => (
                  <td key={j} className="px-2 py-1">
                    {cell}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  )
}

function Axis({ max, format }: { max: number; format: (v: number) => string }) {
  const ticks = Array.from({ length: TICKS + 1 }, (_, i) => (i / TICKS) * max)
  const y = (v: number) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - v / max)
  return (
    <g className="text-[10px]" aria-hidden>
      {ticks.map((v) => (
        <g key={v}>
          <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} className="stroke-slate-200" />
          <text x={PAD.left - 4} y={y(v) + 3} textAnchor="end" className="fill-slate-500">
            {format(v)}
          </text>
        </g>
      ))}
    </g>
  )
}

function DayLabels({ labels, x }: { labels: string[]; x: (i: number) => number }) {
  const every = Math.ceil(labels.length / 8)
  return (
    <g className="text-[10px]" aria-hidden>
      {labels.map((label, i) =>
        (labels.length - 1 - i) % every === 0 ? ( // counted back from today, so today is always labelled
          <text key={label} x={x(i)} y={H - 10} textAnchor="middle" className="fill-slate-500">
            {label.slice(5)}
          </text>
        ) : null,
      )}
    </g>
  )
}

export type Series = { name: string; values: number[]; className: string }

/** Grouped columns per day, e.g. disputes opened and ruled. */
export function ColumnChart({ title, summary, labels, series }: { title: string; summary: string; labels: string[]; series: Series[] }) {
  const t = useT()
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values)), 1)
  const slot = (W - PAD.left - PAD.right) / labels.length
  const bar = Math.max(1, (slot * 0.8) / series.length)
  const y = (v: number) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - v / max)
  return (
    <figure className="rounded-lg border border-slate-200 bg-white p-3">
      <figcaption className="mb-1 font-medium">{title}</figcaption>
      <Legend series={series} />
      <svg viewBox={`0 0 ${W} ${H}`} className="h-auto w-full" role="img" aria-label={summary}>
        <Axis max={max} format={(v) => String(Math.round(v))} />
        {labels.map((label, i) =>
          series.map((s, j) => {
            const v = s.values[i] ?? 0
            return (
              <rect key={`${label}-${s.name}`} x={PAD.left + i * slot + slot * 0.1 + j * bar} y={y(v)} width={bar} height={y(0) - y(v)} className={s.className}>
                <title>{`${label} ${s.name}: ${v}`}</title>
              </rect>
            )
          }),
        )}
        <DayLabels labels={labels} x={(i) => PAD.left + i * slot + slot / 2} />
      </svg>
      <DataTableFallback headers={[t('chart.day'), ...series.map((s) => s.name)]} rows={labels.map((label, i) => [label, ...series.map((s) => s.values[i] ?? 0)])} />
    </figure>
  )
}

/** A share (0–1) per day as a line; days without data break the line. */
export function ShareLineChart({ title, summary, labels, values, name }: { title: string; summary: string; labels: string[]; values: (number | null)[]; name: string }) {
  const t = useT()
  const max = Math.min(1, niceMax(Math.max(0.04, ...values.map((v) => v ?? 0))))
  const x = (i: number) => PAD.left + ((W - PAD.left - PAD.right) * (i + 0.5)) / labels.length
  const y = (v: number) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - v / max)
  const percent = (v: number) => `${(v * 100).toFixed(v < 0.1 && v > 0 ? 1 : 0)}%`
  const segments: string[] = []
  let current = ''
  values.forEach((v, i) => {
    if (v === null) {
      if (current) segments.push(current)
      current = ''
    } else current += `${current ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`
  })
  if (current) segments.push(current)
  return (
    <figure className="rounded-lg border border-slate-200 bg-white p-3">
      <figcaption className="mb-1 font-medium">{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} className="h-auto w-full" role="img" aria-label={summary}>
        <Axis max={max} format={percent} />
        {segments.map((d) => (
          <path key={d} d={d} className="fill-none stroke-rose-600" strokeWidth={2} />
        ))}
        {values.map((v, i) =>
          v === null ? null : (
            <circle key={labels[i]} cx={x(i)} cy={y(v)} r={labels.length > 40 ? 1.5 : 3} className="fill-rose-600">
              <title>{`${labels[i]} ${name}: ${percent(v)}`}</title>
            </circle>
          ),
        )}
        <DayLabels labels={labels} x={x} />
      </svg>
      <DataTableFallback headers={[t('chart.day'), name]} rows={labels.map((label, i) => [label, values[i] === null ? '—' : percent(values[i]!)])} />
    </figure>
  )
}

/** Horizontal bars with a label and a formatted value each, e.g. shops by dispute rate. */
export function BarList({ title, summary, rows, valueHeader }: { title: string; summary: string; valueHeader: string; rows: { label: string; value: number; text: string }[] }) {
  const t = useT()
  const max = Math.max(0, ...rows.map((r) => r.value)) || 1
  const rowH = 22
  const labelW = 180
  const valueW = 130 // room for the value text right of the longest bar
  const height = Math.max(rowH, rows.length * rowH)
  return (
    <figure className="rounded-lg border border-slate-200 bg-white p-3">
      <figcaption className="mb-1 font-medium">{title}</figcaption>
      {rows.length === 0 ? (
        <p className="text-sm text-slate-600">{t('common.empty')}</p>
      ) : (
        <svg viewBox={`0 0 ${W} ${height}`} className="h-auto w-full" role="img" aria-label={summary}>
          {rows.map((r, i) => (
            <g key={r.label} className="text-[11px]">
              <text x={labelW - 6} y={i * rowH + 15} textAnchor="end" className="fill-slate-700">
                {r.label.length > 28 ? `${r.label.slice(0, 27)}…` : r.label}
              </text>
              <rect x={labelW} y={i * rowH + 4} height={rowH - 8} width={((W - labelW - valueW) * r.value) / max} className="fill-indigo-600">
                <title>{`${r.label}: ${r.text}`}</title>
              </rect>
              <text x={labelW + ((W - labelW - valueW) * r.value) / max + 4} y={i * rowH + 15} className="fill-slate-700">
                {r.text}
              </text>
            </g>
          ))}
        </svg>
      )}
      <DataTableFallback headers={[t('chart.item'), valueHeader]} rows={rows.map((r) => [r.label, r.text])} />
    </figure>
  )
}

function Legend({ series }: { series: Series[] }) {
  return (
    <ul className="mb-1 flex gap-4 text-xs text-slate-700">
      {series.map((s) => (
        <li key={s.name} className="flex items-center gap-1">
          <svg width="10" height="10" aria-hidden>
            <rect width="10" height="10" className={s.className} />
          </svg>
          {s.name}
        </li>
      ))}
    </ul>
  )
}
