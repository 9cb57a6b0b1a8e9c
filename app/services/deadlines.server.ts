// The one deadline mechanism. Each kind of deadline is a column on the row it governs, read through
// an index by its due query (work proportional to what is due, not to all open cases) and fired as an event
// of the case machine (fireSystemEvent), which re-checks and claims the case by its version
// (several workers, crash-safe, idempotent). A deadline missed while every process was down is
// simply due at the next sweep. The deadline lane (jobs.server.ts) sleeps until `nextDeadlineDueAt`
// and is woken early when a transaction writes a nearer deadline (ADR 0011).
import type { CaseEvent, CaseState } from '~/domain/case-machine'
import { Prisma } from '~/generated/prisma/client'
import { queryRows } from '~/infra/db.server'
import { logger } from '~/infra/logger.server'
import { metrics } from '~/infra/metrics.server'
import { fireSystemEvent } from './case-commands.server'
import type { ServiceDeps } from './deps'
import { drainSlots } from './leased-queue.server'

export type DueDeadline = { caseId: string; event: CaseEvent; /** The moment it became due (for lateness). */ dueAt: Date }

/** A due row as a kind's query returns it: the case, the evidence request (if any), since when it is due. */
type DueRow = { caseId: string; requestId: string | null; dueAt: Date }

export type DeadlineKind = {
  name: string
  /**
   * What is due at `now`, as one SELECT of "caseId", "requestId", "dueAt" (since when it is due),
   * most overdue first, at most `limit` rows, through an index: work proportional to what is due.
   */
  dueSql(now: Date, limit: number, deps: ServiceDeps): Prisma.Sql
  /** The event to fire for a due row. */
  event(row: DueRow): CaseEvent
  /**
   * As one SELECT of a single "at": the earliest moment at which `dueSql` would return a row
   * (maybe already past), or null; `busy` are cases whose fire is in flight, left out.
   */
  nextDueSql(now: Date, deps: ServiceDeps, busy: readonly string[]): Prisma.Sql
}

const evidenceExpiry: DeadlineKind = {
  name: 'evidence.expiry',
  dueSql: (now, limit) => Prisma.sql`
    SELECT "caseId", "id" AS "requestId", "dueAt" FROM "EvidenceRequest"
    WHERE "status" = 'OPEN' AND "dueAt" <= ${now} ORDER BY "dueAt" LIMIT ${limit}`,
  event: (row) => ({ type: 'EXPIRE_EVIDENCE', requestId: row.requestId! }),
  nextDueSql: (_now, _deps, busy) => Prisma.sql`
    SELECT min("dueAt") AS "at" FROM "EvidenceRequest" WHERE "status" = 'OPEN' AND NOT ("caseId" = ANY(${busy}::uuid[]))`,
}

/** Once fewer than `reminderBeforeDueMs` remain: due strictly after dueAt − before. */
const evidenceReminder: DeadlineKind = {
  name: 'evidence.reminder',
  dueSql: (now, limit, deps) => Prisma.sql`
    SELECT "caseId", "id" AS "requestId", "dueAt" - ${deps.policy.dispute.reminderBeforeDueMs}::float8 * interval '1 millisecond' AS "dueAt" FROM "EvidenceRequest"
    WHERE "status" = 'OPEN' AND "reminderSentAt" IS NULL AND "dueAt" > ${now} AND "dueAt" < ${new Date(now.getTime() + deps.policy.dispute.reminderBeforeDueMs)}
    ORDER BY "EvidenceRequest"."dueAt" LIMIT ${limit}`,
  event: (row) => ({ type: 'REMIND_EVIDENCE', requestId: row.requestId! }),
  nextDueSql: (now, deps, busy) => Prisma.sql`
    SELECT min("dueAt") - ${deps.policy.dispute.reminderBeforeDueMs - 1}::float8 * interval '1 millisecond' AS "at" FROM "EvidenceRequest"
    WHERE "status" = 'OPEN' AND "reminderSentAt" IS NULL AND "dueAt" > ${now} AND NOT ("caseId" = ANY(${busy}::uuid[]))`,
}

/**
 * A case-level deadline: the case's `nextDeadlineAt` is the deadline of its current state (kept so
 * by every transition), read through the (state, nextDeadlineAt) index. The machine re-checks the
 * state's own column, so a stale `nextDeadlineAt` can never fire the wrong rule.
 */
function caseDeadline(name: string, state: CaseState, event: CaseEvent): DeadlineKind {
  return {
    name,
    dueSql: (now, limit) => Prisma.sql`
      SELECT "id" AS "caseId", NULL::uuid AS "requestId", "nextDeadlineAt" AS "dueAt" FROM "AfterSalesCase"
      WHERE "state" = ${state}::"CaseState" AND "nextDeadlineAt" <= ${now} ORDER BY "nextDeadlineAt" LIMIT ${limit}`,
    event: () => event,
    nextDueSql: (_now, _deps, busy) => Prisma.sql`
      SELECT min("nextDeadlineAt") AS "at" FROM "AfterSalesCase" WHERE "state" = ${state}::"CaseState" AND NOT ("id" = ANY(${busy}::uuid[]))`,
  }
}

/** Expiries first: a request past due after downtime expires and is never reminded. */
export const DEADLINE_KINDS: readonly DeadlineKind[] = [
  caseDeadline('case.merchant-timeout', 'PENDING_MERCHANT', { type: 'MERCHANT_TIMEOUT' }),
  caseDeadline('case.buyer-ship-timeout', 'AWAITING_RETURN', { type: 'BUYER_SHIP_TIMEOUT' }),
  caseDeadline('case.receive-timeout', 'AWAITING_RECEIPT', { type: 'RECEIVE_TIMEOUT' }),
  evidenceExpiry,
  evidenceReminder,
]

/**
 * When the deadline lane must look next: the earliest due moment of any kind (maybe past), or null,
 * leaving out the cases in `busy` (their fire is in flight). One statement: each kind's MIN is
 * answered from its index's first entry.
 */
export async function nextDeadlineDueAt(deps: ServiceDeps, busy: readonly string[] = []): Promise<Date | null> {
  const now = deps.clock.now()
  const kinds = DEADLINE_KINDS.map((kind) => Prisma.sql`(${kind.nextDueSql(now, deps, busy)})`)
  const [row] = await queryRows<{ at: Date | null }>(deps.db, Prisma.sql`SELECT LEAST(${Prisma.join(kinds)}) AS "at"`)
  return row?.at ?? null
}

/**
 * How many deadlines are due now and since when the oldest has been (the operators' gauges), from
 * each kind's own due query, counting at most `cap` per kind so a scrape stays cheap after downtime.
 */
export async function deadlineBacklog(deps: ServiceDeps, now: Date, cap = 10_000): Promise<{ due: number; oldestDueAt: Date | null }> {
  const parts = DEADLINE_KINDS.map((kind) => Prisma.sql`(${kind.dueSql(now, cap, deps)})`)
  const [row] = await queryRows<{ due: number; oldest: Date | null }>(deps.db, Prisma.sql`SELECT count(*)::int AS "due", min("dueAt") AS "oldest" FROM (${Prisma.join(parts, ' UNION ALL ')}) d`)
  return { due: row?.due ?? 0, oldestDueAt: row?.oldest ?? null }
}

export type DueOfKind = DueDeadline & { kind: string }

/**
 * Everything due now, kind by kind in DEADLINE_KINDS order (expiries before reminders), at most
 * `limit` per kind, in one statement (one round trip, one connection). The kinds cannot overlap
 * for one request: expiry wants dueAt <= now, the reminder dueAt > now.
 */
export async function dueDeadlines(deps: ServiceDeps, now: Date, limit: number): Promise<DueOfKind[]> {
  const parts = DEADLINE_KINDS.map((kind, index) => Prisma.sql`(SELECT ${index}::int AS "kind", d.* FROM (${kind.dueSql(now, limit, deps)}) d)`)
  const rows = await queryRows<DueRow & { kind: number }>(deps.db, Prisma.sql`${Prisma.join(parts, ' UNION ALL ')} ORDER BY "kind", "dueAt"`)
  return rows.map((row) => {
    const kind = DEADLINE_KINDS[row.kind]!
    return { kind: kind.name, caseId: row.caseId, event: kind.event(row), dueAt: row.dueAt }
  })
}

/**
 * Fires one due deadline through the case machine (fireSystemEvent: re-read, re-decided, claimed by
 * the case's version). True when it took effect here; then its lateness (fired at − due at) goes to
 * the metrics and `onFired`. A failing handler is logged and reported as not fired.
 */
export async function fireDeadline(deps: ServiceDeps, due: DueOfKind, onFired?: SweepOptions['onFired']): Promise<boolean> {
  try {
    if (!(await fireSystemEvent(deps, due.caseId, due.event))) return false
  } catch (error) {
    logger.error('deadline handler failed', { kind: due.kind, caseId: due.caseId, event: due.event.type, error })
    return false
  }
  const firedAt = deps.clock.now()
  metrics().deadlineLateness.observe({ kind: due.kind }, Math.max(0, firedAt.getTime() - due.dueAt.getTime()) / 1000)
  onFired?.(due.kind, due.dueAt, firedAt)
  return true
}

export type SweepOptions = {
  /** Due rows read per kind and sweep. */
  limit?: number
  /** Events fired at once (each is its own transaction, claimed by the case's version). */
  concurrency?: number
  /** Checked before each fire: a stopping worker fires nothing new. */
  stopping?: () => boolean
  /** Told of each event that took effect, with when it was due and when it took effect. */
  onFired?: (kind: string, dueAt: Date, firedAt: Date) => void
}

/**
 * One sweep (tests, the e2e clock hook, the open case of bench:deadlines): what is due now, kind by
 * kind, each kind's rows fired `concurrency` at a time. Returns how many fired per kind.
 */
export async function sweepDeadlines(deps: ServiceDeps, options: SweepOptions = {}): Promise<Record<string, number>> {
  const { limit = 200, concurrency = 4 } = options
  const fired: Record<string, number> = {}
  const due = await dueDeadlines(deps, deps.clock.now(), limit)
  for (const kind of DEADLINE_KINDS) {
    const ofKind = due.filter((d) => d.kind === kind.name)
    let next = 0
    const outcomes = await drainSlots(Math.min(concurrency, ofKind.length), ofKind.length, async () => {
      if (next >= ofKind.length || options.stopping?.()) return null
      return (await fireDeadline(deps, ofKind[next++]!, options.onFired)) ? 'fired' : 'not-fired'
    })
    const count = outcomes.filter((outcome) => outcome === 'fired').length
    if (count) fired[kind.name] = count
  }
  return fired
}
