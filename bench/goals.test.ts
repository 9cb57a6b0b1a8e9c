import { describe, expect, it } from 'vitest'
import { goalMet, judge, NoSamples, percentile, successfulLoad, summarize } from './goals'

describe('percentiles', () => {
  it('of an empty sample are a failure, never 0', () => {
    expect(() => percentile([], 95, 'backlog lateness')).toThrow(NoSamples)
    expect(() => percentile([], 95, 'backlog lateness')).toThrow(/backlog lateness is empty/)
    expect(() => summarize([], 'open lateness')).toThrow(NoSamples)
  })

  it('take the nearest rank of the sorted sample', () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6]
    expect(percentile(values, 50)).toBe(6)
    expect(percentile(values, 95)).toBe(10)
    expect(percentile([7], 95)).toBe(7)
    expect(summarize(values, 'x')).toEqual({ p50: 6, p95: 10, max: 10, n: 10 })
  })
})

describe('load from successful responses', () => {
  const figures = { '2xx': 300, non2xx: 100, errors: 0, timeouts: 0, duration: 3, latency: { p50: 12, p97_5: 40 } }

  it('counts only 2xx answers as throughput; failures apart', () => {
    expect(successfulLoad(figures, 'login')).toEqual({ ok: 300, failed: 100, seconds: 3, perSecond: 100, p50: 12, p975: 40 })
    expect(successfulLoad({ ...figures, errors: 2, timeouts: 3 }, 'login').failed).toBe(105)
  })

  it('refuses a run in which nothing succeeded', () => {
    expect(() => successfulLoad({ ...figures, '2xx': 0, non2xx: 900, latency: { p50: 0, p97_5: 0 } }, 'workbench')).toThrow(/workbench: no successful response \(900 failed\)/)
  })
})

describe('goals', () => {
  it('are met on the right side of the target, inclusive', () => {
    expect(goalMet({ name: 'p95', value: 250, atMost: 250 })).toBe(true)
    expect(goalMet({ name: 'p95', value: 251, atMost: 250 })).toBe(false)
    expect(goalMet({ name: 'ratio', value: 0.5, atLeast: 0.5 })).toBe(true)
    expect(goalMet({ name: 'ratio', value: 0.49, atLeast: 0.5 })).toBe(false)
  })

  it('are never met by a figure from nothing (NaN, Infinity)', () => {
    expect(goalMet({ name: 'ratio', value: Number.NaN, atLeast: 0.5 })).toBe(false)
    expect(goalMet({ name: 'ratio', value: Number.NaN, atMost: 2 })).toBe(false)
    expect(goalMet({ name: 'ratio', value: Number.POSITIVE_INFINITY, atLeast: 0.5 })).toBe(false)
  })

  it('judge every goal on its own line; one miss (or no goal at all) fails the run', () => {
    const verdict = judge([
      { name: 'open p95 lateness', value: 27, atMost: 250, unit: ' ms' },
      { name: 'backlog p95 lateness', value: 823, atMost: 250, unit: ' ms' },
    ])
    expect(verdict.met).toBe(false)
    expect(verdict.lines).toEqual(['goal met: open p95 lateness 27 ms (goal <= 250 ms)', 'GOAL MISSED: backlog p95 lateness 823 ms (goal <= 250 ms)'])
    expect(judge([{ name: 'errors', value: 0, atMost: 0 }]).met).toBe(true)
    expect(judge([]).met).toBe(false)
  })
})
