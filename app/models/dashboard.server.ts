// The agents' dashboard: disputes opened and ruled per Beijing day, time from escalation to ruling,
// the share the system decided on a timeout, and the shops with the highest dispute rate. Each
// figure is one aggregate over an indexed time range (Dispute.openedAt, Ruling.createdAt).
import { fillDays, MIN_CASES_FOR_DISPUTE_RATE, RULING_HOUR_BUCKETS, TOP_SHOPS, windowDays, type DashboardRange } from '~/domain/dashboard'
import type { Db } from '~/infra/db.server'

// Grouped on the truncated timestamp (cheap), formatted once per group.
const beijingDaySql = (column: string) => `to_char(date_trunc('day', ${column} AT TIME ZONE 'Asia/Shanghai'), 'YYYY-MM-DD')`

export async function loadDashboard(db: Db, now: Date, range: DashboardRange) {
  const { days, from } = windowDays(now, range)
  const [opened, ruled, [timing], shops] = await Promise.all([
    db.$queryRawUnsafe<{ day: string; n: number }[]>(
      `SELECT ${beijingDaySql('d."openedAt"')} AS day, count(*)::int AS n FROM "Dispute" d WHERE d."openedAt" >= $1 GROUP BY 1`,
      from,
    ),
    db.$queryRawUnsafe<{ day: string; n: number; timeouts: number }[]>(
      `SELECT ${beijingDaySql('r."createdAt"')} AS day, count(*)::int AS n, count(*) FILTER (WHERE r."actorKind" = 'SYSTEM')::int AS timeouts
       FROM "Ruling" r WHERE r."createdAt" >= $1 GROUP BY 1`,
      from,
    ),
    // One pass over the window's rulings for both the buckets and the percentiles. width_bucket with
    // the bounds array puts hours < 6 in 0, [6, 12) in 1, …, ≥ 72 in the last: rulingBucket().
    db.$queryRaw<{ buckets: { bucket: number; n: number }[] | null; median: number | null; p90: number | null }[]>`
      WITH t AS MATERIALIZED (
        SELECT extract(epoch FROM r."createdAt" - d."openedAt") / 3600 AS hours
        FROM "Ruling" r JOIN "Dispute" d ON d.id = r."disputeId" WHERE r."createdAt" >= ${from})
      SELECT (SELECT json_agg(json_build_object('bucket', bucket, 'n', n)) FROM (
                SELECT width_bucket(hours, ${[...RULING_HOUR_BUCKETS]}::float8[]) AS bucket, count(*)::int AS n FROM t GROUP BY 1) b) AS buckets,
             (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY hours)::float8 FROM t) AS median,
             (SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY hours)::float8 FROM t) AS p90`,
    // Disputes opened in the window ÷ after-sales cases opened in it, per shop; the case count reads
    // the (shopId, createdAt) index once per shop that had a dispute.
    db.$queryRaw<{ shopId: string; name: string; disputes: number; cases: number }[]>`
      WITH per_shop AS (
        SELECT d."shopId", count(*)::int AS disputes FROM "Dispute" d WHERE d."openedAt" >= ${from} GROUP BY d."shopId")
      SELECT p."shopId", s.name, p.disputes, n.cases
      FROM per_shop p JOIN "Shop" s ON s.id = p."shopId"
      CROSS JOIN LATERAL (SELECT count(*)::int AS cases FROM "AfterSalesCase" c WHERE c."shopId" = p."shopId" AND c."createdAt" >= ${from}) n
      WHERE n.cases >= ${MIN_CASES_FOR_DISPUTE_RATE}
      ORDER BY p.disputes::float8 / n.cases DESC, p."shopId"
      LIMIT ${TOP_SHOPS}`,
  ])
  const ruledPerDay = fillDays(days, ruled, (r) => r.n)
  const timeoutsPerDay = fillDays(days, ruled, (r) => r.timeouts)
  const totalRuled = ruledPerDay.reduce((a, b) => a + b, 0)
  const totalTimeouts = timeoutsPerDay.reduce((a, b) => a + b, 0)
  const bucketCounts = Array.from({ length: RULING_HOUR_BUCKETS.length + 1 }, (_, i) => timing?.buckets?.find((b) => b.bucket === i)?.n ?? 0)
  return {
    range,
    days,
    openedPerDay: fillDays(days, opened, (r) => r.n),
    ruledPerDay,
    /** Per day, the share of rulings the system made on a timeout (null on a day without rulings). */
    timeoutSharePerDay: ruledPerDay.map((n, i) => (n === 0 ? null : timeoutsPerDay[i]! / n)),
    timeoutShare: totalRuled === 0 ? null : totalTimeouts / totalRuled,
    totalRuled,
    timeToRuling: { buckets: bucketCounts, medianHours: timing?.median ?? null, p90Hours: timing?.p90 ?? null },
    shopsByDisputeRate: shops.map((s) => ({ ...s, rate: s.disputes / s.cases })),
  }
}

export type Dashboard = Awaited<ReturnType<typeof loadDashboard>>
