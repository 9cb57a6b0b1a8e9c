// Keyset pagination: a cursor is the sort key of the last row shown, opaque to the client.
import { isUuid } from '~/domain/ids'

export type Cursor = { at: string; id: string }

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.at, cursor.id])).toString('base64url')
}

export function decodeCursor(value: string | null | undefined): Cursor | undefined {
  if (!value) return undefined
  try {
    const [at, id] = JSON.parse(Buffer.from(value, 'base64url').toString()) as unknown[]
    if (typeof at !== 'string' || typeof id !== 'string' || Number.isNaN(Date.parse(at))) return undefined
    if (!isUuid(id)) return undefined
    return { at, id }
  } catch {
    return undefined
  }
}

export const PAGE_SIZE = 20

/** Rows after the cursor for an ordering on (column, id), both in the same direction. */
export function afterCursor(column: string, direction: 'asc' | 'desc', cursorValue: string | null) {
  const cursor = decodeCursor(cursorValue)
  if (!cursor) return {}
  const at = new Date(cursor.at)
  const op = direction === 'asc' ? 'gt' : 'lt'
  return { OR: [{ [column]: { [op]: at } }, { [column]: at, id: { [op]: cursor.id } }] }
}

export function pageOf<T extends { id: string }>(rows: T[], keyOf: (row: T) => Date | null) {
  const items = rows.slice(0, PAGE_SIZE)
  const last = items.at(-1)
  const key = last ? keyOf(last) : null
  return { items, nextCursor: rows.length > PAGE_SIZE && last && key ? encodeCursor({ at: key.toISOString(), id: last.id }) : null }
}
