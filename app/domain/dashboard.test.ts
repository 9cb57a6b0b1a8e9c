import { describe, expect, it } from 'vitest'
import { beijingDay, fillDays, rulingBucket, windowDays } from './dashboard'

describe('dashboard days', () => {
  it('counts days in Beijing time', () => {
    expect(beijingDay(new Date('2026-11-21T15:59:59Z'))).toBe('2026-11-21')
    expect(beijingDay(new Date('2026-11-21T16:00:00Z'))).toBe('2026-11-22')
  })

  it('ends the window with today and starts it at Beijing midnight', () => {
    const { days, from } = windowDays(new Date('2026-11-22T02:00:00Z'), 7)
    expect(days).toEqual(['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20', '2026-11-21', '2026-11-22'])
    expect(from.toISOString()).toBe('2026-11-15T16:00:00.000Z')
    // across a month end
    expect(windowDays(new Date('2026-12-01T17:00:00Z'), 3).days).toEqual(['2026-11-30', '2026-12-01', '2026-12-02'])
  })

  it('fills missing days with zero', () => {
    expect(fillDays(['a', 'b', 'c'], [{ day: 'c', n: 4 }, { day: 'a', n: 1 }], (r) => r.n)).toEqual([1, 0, 4])
  })

  it('buckets hours to ruling on both sides of each bound', () => {
    expect([0, 5.99, 6, 11.99, 12, 23.9, 24, 47, 48, 71.9, 72, 500].map(rulingBucket)).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
  })
})
