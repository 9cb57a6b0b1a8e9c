// What every benchmark measures with and is judged by, kept pure so it is unit-tested
// (goals.test.ts): percentiles that refuse an empty sample, load-test figures from successful
// responses only, and goals checked against the figures (runBench in harness.ts exits 1 when one
// is missed). A figure computed from nothing is a failure, never a 0 that reads as a pass.

/** Nothing was measured where a figure was expected (a dead lane, every response failed). */
export class NoSamples extends Error {
  override name = 'NoSamples'
}

/** The p-th percentile (nearest rank) of a sample. An empty sample has none: it throws. */
export function percentile(values: readonly number[], p: number, what = 'the sample'): number {
  if (values.length === 0) throw new NoSamples(`${what} is empty: nothing was measured, so there is no p${p}`)
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

export type Summary = { p50: number; p95: number; max: number; n: number }

export function summarize(values: readonly number[], what: string): Summary {
  return { p50: percentile(values, 50, what), p95: percentile(values, 95, what), max: Math.max(...values), n: values.length }
}

/** What autocannon reports, run with `excludeErrorStats: true` so its latencies are of 2xx answers only. */
export type AutocannonFigures = {
  '2xx': number
  non2xx: number
  errors: number
  timeouts: number
  /** seconds */
  duration: number
  latency: { p50: number; p97_5: number }
}

export type Load = { ok: number; failed: number; seconds: number; perSecond: number; p50: number; p975: number }

/** Throughput and latency of the successful (2xx) answers; failures are counted apart, never as throughput. */
export function successfulLoad(result: AutocannonFigures, what: string): Load {
  const failed = result.non2xx + result.errors + result.timeouts
  if (result['2xx'] === 0) throw new NoSamples(`${what}: no successful response (${failed} failed), so there is no throughput or latency`)
  return { ok: result['2xx'], failed, seconds: result.duration, perSecond: result['2xx'] / result.duration, p50: result.latency.p50, p975: result.latency.p97_5 }
}

/** A stated goal: the measured value must be at most or at least the target. */
export type Goal = { name: string; value: number; unit?: string } & ({ atMost: number } | { atLeast: number })

/** Met only by a finite value on the right side of the target (NaN, from a division by nothing, never is). */
export function goalMet(goal: Goal): boolean {
  if (!Number.isFinite(goal.value)) return false
  return 'atMost' in goal ? goal.value <= goal.atMost : goal.value >= goal.atLeast
}

const figure = (value: number, unit = '') => `${Number.isInteger(value) ? value : value.toFixed(2)}${unit}`

/** One line per goal, and whether all were met. */
export function judge(goals: readonly Goal[]): { met: boolean; lines: string[] } {
  if (goals.length === 0) return { met: false, lines: ['GOAL MISSED: the benchmark stated no goal to judge'] }
  const lines = goals.map((goal) => {
    const target = 'atMost' in goal ? `<= ${figure(goal.atMost, goal.unit)}` : `>= ${figure(goal.atLeast, goal.unit)}`
    return `${goalMet(goal) ? 'goal met' : 'GOAL MISSED'}: ${goal.name} ${figure(goal.value, goal.unit)} (goal ${target})`
  })
  return { met: goals.every(goalMet), lines }
}
