import { describe, expect, it } from 'vitest'
import { decodeCursor, encodeCursor } from './pagination'
import { maskPhone } from './cases.server'

describe('keyset cursors', () => {
  it('round-trips', () => {
    const cursor = { at: '2026-11-22T01:02:03.004Z', id: '0195f3a2-1111-7222-8333-444455556666' }
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor)
  })

  it.each(['', 'garbage', Buffer.from('["not a date","x"]').toString('base64url'), Buffer.from('{}').toString('base64url')])(
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
