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
  /** The earliest moment at which `due` would return something (maybe already past), or null. */
  nextDueAt(db: Db, now: Date, deps: ServiceDeps): Promise<Date | null>
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
  async nextDueAt(db) {
    return earliest(db, Prisma.sql`SELECT min("dueAt") AS "at" FROM "EvidenceRequest" WHERE "status" = 'OPEN'`)
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
  async nextDueAt(db, now, deps) {
    const before = deps.policy.dispute.reminderBeforeDueMs
    const dueAt = await earliest(db, Prisma.sql`SELECT min("dueAt") AS "at" FROM "EvidenceRequest" WHERE "status" = 'OPEN' AND "reminderSentAt" IS NULL AND "dueAt" > ${now}`)
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
    async nextDueAt(db) {
      return earliest(db, Prisma.sql`SELECT min("nextDeadlineAt") AS "at" FROM "AfterSalesCase" WHERE "state" = ${state}::"CaseState"`)
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

/** When the deadline lane must look next: the earliest due moment of any kind (maybe past), or null. */
export async function nextDeadlineDueAt(deps: ServiceDeps): Promise<Date | null> {
  const now = deps.clock.now()
  const times = await Promise.all(DEADLINE_KINDS.map((kind) => kind.nextDueAt(deps.db, now, deps)))
  return times.reduce<Date | null>((earliest, t) => (t && (!earliest || t < earliest) ? t : earliest), null)
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
 * One sweep: every kind in order, its due rows fired `concurrency` at a time. Returns how many
 * fired per kind. Each fired deadline reports its lateness (fired at − due at) to the metrics.
 */
export async function sweepDeadlines(deps: ServiceDeps, options: SweepOptions = {}): Promise<Record<string, number>> {
  const { limit = 200, concurrency = 4 } = options
  const fired: Record<string, number> = {}
  for (const kind of DEADLINE_KINDS) {
    if (options.stopping?.()) break
    const due = await kind.due(deps.db, deps.clock.now(), limit, deps)
    let count = 0
    let next = 0
    const slot = async () => {
      while (next < due.length && !options.stopping?.()) {
        const { caseId, event, dueAt } = due[next++]!
        try {
          if (await fireSystemEvent(deps, caseId, event)) {
            count++
            const firedAt = deps.clock.now()
            metrics().deadlineLateness.observe({ kind: kind.name }, Math.max(0, firedAt.getTime() - dueAt.getTime()) / 1000)
            options.onFired?.(kind.name, dueAt, firedAt)
          }
        } catch (error) {
          logger.error('deadline handler failed', { kind: kind.name, caseId, event: event.type, error })
        }
      }
    }
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, due.length)) }, slot))
    if (count) fired[kind.name] = count
  }
  return fired
}
