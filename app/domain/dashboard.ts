// Pure helpers for the agents' dashboard: the days of a window in Beijing time, gap-filled series,
// time-to-ruling buckets. The database returns what happened; days with nothing happen here.

export const DASHBOARD_RANGES = [7, 30, 90] as const
export type DashboardRange = (typeof DASHBOARD_RANGES)[number]

/** Upper bounds (hours) of the time-to-ruling buckets; the last bucket is open-ended. */
export const RULING_HOUR_BUCKETS = [6, 12, 24, 48, 72] as const

const DAY_MS = 24 * 3600_000
const BEIJING_OFFSET_MS = 8 * 3600_000 // Asia/Shanghai has no daylight saving time

/** YYYY-MM-DD of the Beijing calendar day a moment falls on. */
export function beijingDay(at: Date): string {
  return new Date(at.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 10)
}

/** The window's days, oldest first, ending with today (Beijing), and the instant the first begins. */
export function windowDays(now: Date, days: number): { days: string[]; from: Date } {
  const today = Date.parse(`${beijingDay(now)}T00:00:00+08:00`)
  const from = new Date(today - (days - 1) * DAY_MS)
  return { days: Array.from({ length: days }, (_, i) => beijingDay(new Date(from.getTime() + i * DAY_MS))), from }
}

/** One value per day of the window; days the query did not return are zero. */
export function fillDays<T extends { day: string }>(days: string[], rows: T[], value: (row: T) => number): number[] {
  const byDay = new Map(rows.map((row) => [row.day, value(row)]))
  return days.map((day) => byDay.get(day) ?? 0)
}

/** Index of the time-to-ruling bucket for a duration in hours. */
export function rulingBucket(hours: number): number {
  const index = RULING_HOUR_BUCKETS.findIndex((limit) => hours < limit)
  return index === -1 ? RULING_HOUR_BUCKETS.length : index
}

/** A shop needs this many cases in the window before its dispute rate is ranked (small shops are noise). */
export const MIN_CASES_FOR_DISPUTE_RATE = 20
export const TOP_SHOPS = 10
