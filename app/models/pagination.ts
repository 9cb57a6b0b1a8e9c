// Keyset pagination: a cursor is the sort key of the last row shown, opaque to the client.
export type Cursor = { at: string; id: string }

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.at, cursor.id])).toString('base64url')
}

export function decodeCursor(value: string | null | undefined): Cursor | undefined {
  if (!value) return undefined
  try {
    const [at, id] = JSON.parse(Buffer.from(value, 'base64url').toString()) as unknown[]
    if (typeof at !== 'string' || typeof id !== 'string' || Number.isNaN(Date.parse(at))) return undefined
    if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined
    return { at, id }
  } catch {
    return undefined
  }
}

export const PAGE_SIZE = 20
