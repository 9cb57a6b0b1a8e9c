// The one deadline mechanism. Each kind of deadline is a column on the row it governs, read through
// an index by `due` (work proportional to what is due, not to all open cases) and fired as an event
// of the case machine (fireSystemEvent), which re-checks and claims the case by its version
// (several workers, crash-safe, idempotent). A deadline missed while every process was down is
// simply due at the next sweep. The deadline lane (jobs.server.ts) sleeps until `nextDeadlineDueAt`
// and is woken early when a transaction writes a nearer deadline (ADR 0011).
import type { CaseEvent, CaseState } from '~/domain/case-machine'
import { Prisma } from '~/generated/prisma/client'
import { queryRows, type Db } from '~/infra/db.server'
import { logger } from '~/infra/logger.server'
import { metrics } from '~/infra/metrics.server'
import { fireSystemEvent } from './case-commands.server'
import type { ServiceDeps } from './deps'

export type DueDeadline = { caseId: string; event: CaseEvent; /** The moment it became due (for lateness). */ dueAt: Date }

export type DeadlineKind = {
  name: string
  /** What is due: the case to fire on, the event to fire, and since when it is due. */
  due(db: Db, now: Date, limit: number, deps: ServiceDeps): Promise<DueDeadline[]>
  /** The earliest moment at which `due` would return something (maybe already past), or null; `busy` are cases whose fire is in flight. */
  nextDueAt(db: Db, now: Date, deps: ServiceDeps, busy: readonly string[]): Promise<Date | null>
}

const evidenceExpiry: DeadlineKind = {
  name: 'evidence.expiry',
  async due(db, now, limit) {
    const rows = await db.evidenceRequest.findMany({
      where: { status: 'OPEN', dueAt: { lte: now } },
      orderBy: { dueAt: 'asc' },
      take: limit,
      select: { id: true, caseId: true, dueAt: true },
    })
    return rows.map((r) => ({ caseId: r.caseId, event: { type: 'EXPIRE_EVIDENCE', requestId: r.id }, dueAt: r.dueAt }))
  },
  async nextDueAt(db, _now, _deps, busy) {
    return earliest(db, Prisma.sql`SELECT min("dueAt") AS "at" FROM "EvidenceRequest" WHERE "status" = 'OPEN' AND NOT ("caseId" = ANY(${busy}::uuid[]))`)
  },
}

const evidenceReminder: DeadlineKind = {
  name: 'evidence.reminder',
  async due(db, now, limit, deps) {
    const before = deps.policy.dispute.reminderBeforeDueMs
    const rows = await db.evidenceRequest.findMany({
      where: {
        status: 'OPEN',
        reminderSentAt: null,
        dueAt: { gt: now, lt: new Date(now.getTime() + before) },
      },
      orderBy: { dueAt: 'asc' },
      take: limit,
      select: { id: true, caseId: true, dueAt: true },
    })
    return rows.map((r) => ({ caseId: r.caseId, event: { type: 'REMIND_EVIDENCE', requestId: r.id }, dueAt: new Date(r.dueAt.getTime() - before) }))
  },
  async nextDueAt(db, now, deps, busy) {
    const before = deps.policy.dispute.reminderBeforeDueMs
    const dueAt = await earliest(
      db,
      Prisma.sql`SELECT min("dueAt") AS "at" FROM "EvidenceRequest" WHERE "status" = 'OPEN' AND "reminderSentAt" IS NULL AND "dueAt" > ${now} AND NOT ("caseId" = ANY(${busy}::uuid[]))`,
    )
    // Due once fewer than `before` remain: strictly after dueAt − before.
    return dueAt && new Date(dueAt.getTime() - before + 1)
  },
}

/** A plain MIN over an indexed column: PostgreSQL answers it from the index's first entry. */
async function earliest(db: Db, statement: Prisma.Sql): Promise<Date | null> {
  return (await queryRows<{ at: Date | null }>(db, statement))[0]?.at ?? null
}

/**
 * A case-level deadline: the case's `nextDeadlineAt` is the deadline of its current state (kept so
 * by every transition), read through the (state, nextDeadlineAt) index. The machine re-checks the
 * state's own column, so a stale `nextDeadlineAt` can never fire the wrong rule.
 */
function caseDeadline(name: string, state: CaseState, event: CaseEvent): DeadlineKind {
  return {
    name,
    async due(db, now, limit) {
      const rows = await db.afterSalesCase.findMany({
        where: { state, nextDeadlineAt: { lte: now } },
        orderBy: { nextDeadlineAt: 'asc' },
        take: limit,
        select: { id: true, nextDeadlineAt: true },
      })
      return rows.map((r) => ({ caseId: r.id, event, dueAt: r.nextDeadlineAt! }))
    },
    async nextDueAt(db, _now, _deps, busy) {
      return earliest(db, Prisma.sql`SELECT min("nextDeadlineAt") AS "at" FROM "AfterSalesCase" WHERE "state" = ${state}::"CaseState" AND NOT ("id" = ANY(${busy}::uuid[]))`)
    },
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
 * leaving out the cases in `busy` (their fire is in flight).
 */
export async function nextDeadlineDueAt(deps: ServiceDeps, busy: readonly string[] = []): Promise<Date | null> {
  const now = deps.clock.now()
  const times = await Promise.all(DEADLINE_KINDS.map((kind) => kind.nextDueAt(deps.db, now, deps, busy)))
  return times.reduce<Date | null>((earliest, t) => (t && (!earliest || t < earliest) ? t : earliest), null)
}

export type DueOfKind = DueDeadline & { kind: string }

/**
 * Everything due now, kind by kind in DEADLINE_KINDS order (expiries before reminders), at most
 * `limit` per kind. The kinds are read at once (one round trip's wait, not five); their lists
 * cannot overlap (expiry wants dueAt <= now, the reminder dueAt > now).
 */
export async function dueDeadlines(deps: ServiceDeps, now: Date, limit: number): Promise<DueOfKind[]> {
  const lists = await Promise.all(DEADLINE_KINDS.map((kind) => kind.due(deps.db, now, limit, deps)))
  return lists.flatMap((list, index) => list.map((due) => ({ ...due, kind: DEADLINE_KINDS[index]!.name })))
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
    const slot = async () => {
      while (next < ofKind.length && !options.stopping?.()) {
        const one = ofKind[next++]!
        if (await fireDeadline(deps, one, options.onFired)) fired[kind.name] = (fired[kind.name] ?? 0) + 1
      }
    }
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, ofKind.length)) }, slot))
  }
  return fired
}
