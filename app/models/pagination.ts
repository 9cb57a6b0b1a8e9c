// Keyset pagination: a cursor is the sort key of the last row shown, opaque to the client.
import { isUuid } from '~/domain/ids'

/** A decoded cursor; on the wire its time is the ISO string toISOString writes. */
export type Cursor = { at: Date; id: string }

// Sort keys are times the portal wrote. A cursor outside this range was made up, and would reach
// PostgreSQL as a year it cannot read (JS prints year -1 as "-000001", 275760 as "+275760").
const EARLIEST = Date.UTC(1970, 0, 1)
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999)

export function encodeCursor(cursor: { at: string; id: string }): string {
  return Buffer.from(JSON.stringify([cursor.at, cursor.id])).toString('base64url')
}

/** The one cursor decoder: the key exactly as encodeCursor wrote it, in range, and a uuid; anything else is no cursor (the first page). */
export function decodeCursor(value: string | null | undefined): Cursor | undefined {
  if (!value) return undefined
  try {
    const [at, id] = JSON.parse(Buffer.from(value, 'base64url').toString()) as unknown[]
    if (typeof at !== 'string' || typeof id !== 'string' || !isUuid(id)) return undefined
    const time = Date.parse(at)
    if (!(time >= EARLIEST && time <= LATEST) || new Date(time).toISOString() !== at) return undefined
    return { at: new Date(time), id }
  } catch {
    return undefined
  }
}

export const PAGE_SIZE = 20

/** Rows after the cursor for an ordering on (column, id), both in the same direction. */
export function afterCursor(column: string, direction: 'asc' | 'desc', cursorValue: string | null) {
  const cursor = decodeCursor(cursorValue)
  if (!cursor) return {}
  const op = direction === 'asc' ? 'gt' : 'lt'
  return { OR: [{ [column]: { [op]: cursor.at } }, { [column]: cursor.at, id: { [op]: cursor.id } }] }
}

export function pageOf<T extends { id: string }>(rows: T[], keyOf: (row: T) => Date | null) {
  const items = rows.slice(0, PAGE_SIZE)
  const last = items.at(-1)
  const key = last ? keyOf(last) : null
  return { items, nextCursor: rows.length > PAGE_SIZE && last && key ? encodeCursor({ at: key.toISOString(), id: last.id }) : null }
}
