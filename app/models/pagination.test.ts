import { describe, expect, it } from 'vitest'
import { decodeCursor, encodeCursor } from './pagination'
import { maskPhone } from './cases.server'

describe('keyset cursors', () => {
  it('round-trips', () => {
    const cursor = { at: '2026-11-22T01:02:03.004Z', id: '0195f3a2-1111-7222-8333-444455556666' }
    expect(decodeCursor(encodeCursor(cursor))).toEqual({ at: new Date(cursor.at), id: cursor.id })
  })

  const id = '0195f3a2-1111-7222-8333-444455556666'
  const raw = (at: string) => Buffer.from(JSON.stringify([at, id])).toString('base64url')
  it.each([
    '',
    'garbage',
    Buffer.from('["not a date","x"]').toString('base64url'),
    Buffer.from('{}').toString('base64url'),
    // Dates JS reads but PostgreSQL cannot (issue 16), and forms encodeCursor never writes.
    raw('-000001-01-01T00:00:00.000Z'),
    raw('+275760-09-13T00:00:00.000Z'),
    raw('0001-01-01T00:00:00.000Z'),
    raw('1969-12-31T23:59:59.999Z'),
    raw('2026'),
    raw('Sun Nov 22 2026'),
  ])(
    'ignores a tampered cursor %#',
    (value) => {
      expect(decodeCursor(value)).toBeUndefined()
    },
  )
})

describe('maskPhone', () => {
  it('keeps only the first three and last four digits', () => {
    expect(maskPhone('13800138000')).toBe('138****8000')
    expect(maskPhone('123')).toBe('****')
  })
})
