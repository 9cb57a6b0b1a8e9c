// The metrics that describe the database rather than one process: each lane's queue (rows waiting,
// rows due, how long the oldest due row has waited, rows given up on) and refunds by state. Read at
// scrape time with three statements side by side, so every app instance reports the same figures
// whichever worker did the work. Every count goes through a (status, due) index; none scans sent
// history.
import { Gauge } from 'prom-client'
import { metrics } from '~/infra/metrics.server'
import { deadlineBacklog } from './deadlines.server'
import type { ServiceDeps } from './deps'

type LaneRow = { lane: string; queued: bigint; due: bigint; oldest_due: Date | null; gave_up: bigint }
type RefundRow = { status: string; n: bigint }
export type QueueSnapshot = { lanes: LaneRow[]; refunds: RefundRow[]; at: Date }

/** What the gauges show; exported for tests. */
export async function readQueues(deps: ServiceDeps, now: Date): Promise<QueueSnapshot> {
  const { db } = deps
  const [lanes, refunds, deadlines] = await Promise.all([
    db.$queryRaw<LaneRow[]>`
      SELECT 'email' AS lane,
             count(*) FILTER (WHERE "status" = 'PENDING') AS queued,
             count(*) FILTER (WHERE "status" = 'PENDING' AND "nextAttemptAt" <= ${now}) AS due,
             min("nextAttemptAt") FILTER (WHERE "status" = 'PENDING' AND "nextAttemptAt" <= ${now}) AS oldest_due,
             count(*) FILTER (WHERE "status" = 'FAILED') AS gave_up
        FROM "EmailOutbox" WHERE "status" IN ('PENDING', 'FAILED')
      UNION ALL
      SELECT 'webhook',
             count(*) FILTER (WHERE "status" = 'PENDING'),
             count(*) FILTER (WHERE "status" = 'PENDING' AND "nextAttemptAt" <= ${now}),
             min("nextAttemptAt") FILTER (WHERE "status" = 'PENDING' AND "nextAttemptAt" <= ${now}),
             count(*) FILTER (WHERE "status" = 'FAILED')
        FROM "WebhookDelivery" WHERE "status" IN ('PENDING', 'FAILED')
      UNION ALL
      SELECT 'refund',
             count(*),
             count(*) FILTER (WHERE "nextAttemptAt" <= ${now}),
             min("nextAttemptAt") FILTER (WHERE "nextAttemptAt" <= ${now}),
             0
        FROM "Refund" WHERE "status" IN ('PENDING', 'SUBMITTED')`,
    db.$queryRaw<RefundRow[]>`SELECT "status"::text AS status, count(*) AS n FROM "Refund" GROUP BY "status"`,
    // The deadline kinds' own due queries: what "due" means is written once, in deadlines.server.
    deadlineBacklog(deps, now),
  ])
  const due = BigInt(deadlines.due)
  return { lanes: [...lanes, { lane: 'deadline', queued: due, due, oldest_due: deadlines.oldestDueAt, gave_up: 0n }], refunds, at: now }
}

const globalStore = globalThis as unknown as { __queueGauges?: true }

/** Registers the gauges once per process; each scrape reads the database once for all of them. */
export function registerQueueGauges(read: () => Promise<QueueSnapshot>) {
  if (globalStore.__queueGauges) return
  globalStore.__queueGauges = true
  const { registry } = metrics()
  let current: Promise<QueueSnapshot> | undefined
  let readAt = 0
  // One read shared by the gauges of one scrape (they are collected one after another).
  const snapshot = () => {
    if (!current || Date.now() - readAt > 1_000) {
      readAt = Date.now()
      current = read()
    }
    return current
  }
  const gauge = (name: string, help: string, labelNames: string[], fill: (g: Gauge, s: QueueSnapshot) => void) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        this.reset()
        fill(this, await snapshot())
      },
    })
  gauge('portal_lane_queued', 'Rows waiting in a lane (due or not)', ['lane'], (g, s) => s.lanes.forEach((l) => g.set({ lane: l.lane }, Number(l.queued))))
  gauge('portal_lane_due', 'Rows of a lane that are due now', ['lane'], (g, s) => s.lanes.forEach((l) => g.set({ lane: l.lane }, Number(l.due))))
  gauge('portal_lane_oldest_due_age_seconds', 'How long the oldest due row of a lane has waited', ['lane'], (g, s) =>
    s.lanes.forEach((l) => g.set({ lane: l.lane }, l.oldest_due ? Math.max(0, (s.at.getTime() - new Date(l.oldest_due).getTime()) / 1000) : 0)),
  )
  gauge('portal_lane_gave_up', 'Deliveries given up on after their last attempt', ['lane'], (g, s) =>
    s.lanes.filter((l) => l.lane === 'email' || l.lane === 'webhook').forEach((l) => g.set({ lane: l.lane }, Number(l.gave_up))),
  )
  gauge('portal_refunds', 'Refunds by state', ['state'], (g, s) => {
    for (const state of ['PENDING', 'SUBMITTED', 'SUCCEEDED', 'FAILED']) g.set({ state }, Number(s.refunds.find((r) => r.status === state)?.n ?? 0))
  })
}
