// The one deadline mechanism. Each kind of deadline is a column on the row it governs, read through
// an index by `due` (work proportional to what is due, not to all open cases) and fired as an event
// of the case machine (fireSystemEvent), which re-checks and claims the case by its version
// (several workers, crash-safe, idempotent). A deadline missed while every process was down is
// simply due at the next sweep.
import type { CaseEvent, CaseState } from '~/domain/case-machine'
import type { Db } from '~/infra/db.server'
import { logger } from '~/infra/logger.server'
import { fireSystemEvent } from './case-commands.server'
import type { ServiceDeps } from './deps'

export type DeadlineKind = {
  name: string
  /** What is due: the case to fire on and the event to fire. */
  due(db: Db, now: Date, limit: number, deps: ServiceDeps): Promise<{ caseId: string; event: CaseEvent }[]>
}

const evidenceExpiry: DeadlineKind = {
  name: 'evidence.expiry',
  async due(db, now, limit) {
    const rows = await db.evidenceRequest.findMany({
      where: { status: 'OPEN', dueAt: { lte: now } },
      orderBy: { dueAt: 'asc' },
      take: limit,
      select: { id: true, caseId: true },
    })
    return rows.map((r) => ({ caseId: r.caseId, event: { type: 'EXPIRE_EVIDENCE', requestId: r.id } }))
  },
}

const evidenceReminder: DeadlineKind = {
  name: 'evidence.reminder',
  async due(db, now, limit, deps) {
    const rows = await db.evidenceRequest.findMany({
      where: {
        status: 'OPEN',
        reminderSentAt: null,
        dueAt: { gt: now, lt: new Date(now.getTime() + deps.policy.dispute.reminderBeforeDueMs) },
      },
      orderBy: { dueAt: 'asc' },
      take: limit,
      select: { id: true, caseId: true },
    })
    return rows.map((r) => ({ caseId: r.caseId, event: { type: 'REMIND_EVIDENCE', requestId: r.id } }))
  },
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
        select: { id: true },
      })
      return rows.map((r) => ({ caseId: r.id, event }))
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

export async function sweepDeadlines(deps: ServiceDeps, limit = 200): Promise<Record<string, number>> {
  const fired: Record<string, number> = {}
  for (const kind of DEADLINE_KINDS) {
    const due = await kind.due(deps.db, deps.clock.now(), limit, deps)
    let count = 0
    for (const { caseId, event } of due) {
      try {
        if (await fireSystemEvent(deps, caseId, event)) count++
      } catch (error) {
        logger.error('deadline handler failed', { kind: kind.name, caseId, event: event.type, error })
      }
    }
    if (count) fired[kind.name] = count
  }
  return fired
}
