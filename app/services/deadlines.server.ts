// The one deadline mechanism. Each kind of deadline is a column on the row it governs, read through
// an index by `due` (work proportional to what is due, not to all open cases) and fired by a
// handler that re-checks and claims the row with a conditional update (several workers, crash-safe,
// idempotent). A deadline missed while every process was down is simply due at the next sweep.
import type { Db } from '~/infra/db.server'
import { logger } from '~/infra/logger.server'
import type { CaseState } from '~/domain/dispute'
import { expireEvidenceRequest, sendEvidenceReminder, type DisputeDeps } from './disputes.server'
import { fireBuyerShipTimeout, fireMerchantTimeout, fireReceiveTimeout } from './lifecycle.server'

export type DeadlineKind = {
  name: string
  due(db: Db, now: Date, limit: number, deps: DisputeDeps): Promise<string[]>
  fire(deps: DisputeDeps, id: string): Promise<boolean>
}

const evidenceExpiry: DeadlineKind = {
  name: 'evidence.expiry',
  async due(db, now, limit) {
    const rows = await db.evidenceRequest.findMany({
      where: { status: 'OPEN', dueAt: { lte: now } },
      orderBy: { dueAt: 'asc' },
      take: limit,
      select: { id: true },
    })
    return rows.map((r) => r.id)
  },
  fire: expireEvidenceRequest,
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
      select: { id: true },
    })
    return rows.map((r) => r.id)
  },
  fire: sendEvidenceReminder,
}

/**
 * A case-level deadline: the case's `nextDeadlineAt` is the deadline of its current state (kept so
 * by every transition), read through the (state, nextDeadlineAt) index. The handler re-checks the
 * state's own column, so a stale `nextDeadlineAt` can never fire the wrong rule.
 */
function caseDeadline(name: string, state: CaseState, fire: DeadlineKind['fire']): DeadlineKind {
  return {
    name,
    async due(db, now, limit) {
      const rows = await db.afterSalesCase.findMany({
        where: { state, nextDeadlineAt: { lte: now } },
        orderBy: { nextDeadlineAt: 'asc' },
        take: limit,
        select: { id: true },
      })
      return rows.map((r) => r.id)
    },
    fire,
  }
}

/** Expiries first: a request past due after downtime expires and is never reminded. */
export const DEADLINE_KINDS: readonly DeadlineKind[] = [
  caseDeadline('case.merchant-timeout', 'PENDING_MERCHANT', fireMerchantTimeout),
  caseDeadline('case.buyer-ship-timeout', 'AWAITING_RETURN', fireBuyerShipTimeout),
  caseDeadline('case.receive-timeout', 'AWAITING_RECEIPT', fireReceiveTimeout),
  evidenceExpiry,
  evidenceReminder,
]

export async function sweepDeadlines(deps: DisputeDeps, limit = 200): Promise<Record<string, number>> {
  const fired: Record<string, number> = {}
  for (const kind of DEADLINE_KINDS) {
    const ids = await kind.due(deps.db, deps.clock.now(), limit, deps)
    let count = 0
    for (const id of ids) {
      try {
        if (await kind.fire(deps, id)) count++
      } catch (error) {
        logger.error('deadline handler failed', { kind: kind.name, id, error })
      }
    }
    if (count) fired[kind.name] = count
  }
  return fired
}
