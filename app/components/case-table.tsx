import type { ReactNode } from 'react'
import { useT } from '~/i18n/use-t'

export type Column<Row> = { header: string; cell: (row: Row) => ReactNode; className?: string }

/** A plain, accessible table with an empty state and a keyset "next page" link. */
export function DataTable<Row extends { id: string }>({
  caption,
  columns,
  rows,
  nextHref,
  firstHref,
}: {
  caption: string
  columns: Column<Row>[]
  rows: Row[]
  nextHref?: string | null
  firstHref?: string | null
}) {
  const t = useT()
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-100 text-slate-700">
          <tr>
            {columns.map((column) => (
              <th key={column.header} scope="col" className="px-3 py-2 font-medium">
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length} className="px-3 py-6 text-center text-slate-600">
                {t('common.empty')}
              </td>
            </tr>
          ) : (
            rows.map((row) => (
              <tr key={row.id} className="border-t border-slate-100">
                {columns.map((column) => (
                  <td key={column.header} className={`px-3 py-2 ${column.className ?? ''}`}>
                    {column.cell(row)}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
      <PageLinks nextHref={nextHref} firstHref={firstHref} className="border-t border-slate-100 px-3 py-2" />
    </div>
  )
}

/** Keyset paging: "first page" and "next page" links (a cursor cannot go back one page). */
export function PageLinks({ nextHref, firstHref, className = '' }: { nextHref?: string | null; firstHref?: string | null; className?: string }) {
  const t = useT()
  if (!nextHref && !firstHref) return null
  return (
    <nav aria-label={t('common.pagination')} className={`flex gap-4 text-sm ${className}`}>
      {firstHref ? (
        <a href={firstHref} className="text-blue-700 underline">
          {t('common.firstPage')}
        </a>
      ) : null}
      {nextHref ? (
        <a href={nextHref} className="text-blue-700 underline">
          {t('common.nextPage')}
        </a>
      ) : null}
    </nav>
  )
}
