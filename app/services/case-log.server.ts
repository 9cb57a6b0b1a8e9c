// Writes the 售后日志 rows; always inside the transaction of the change it records.
import type { Actor } from '~/domain/actor'
import type { CaseState } from '~/domain/case-machine'
import type { Prisma } from '~/generated/prisma/client'
import type { Tx } from '~/infra/db.server'
import { emitWebhookEvent } from './webhooks.server'

export type LogActor = Actor | { kind: 'SYSTEM' }

export function actorFields(actor: LogActor) {
  switch (actor.kind) {
    case 'SYSTEM':
      return { actorKind: 'SYSTEM' as const, actorUserId: null, actorRole: 'system' }
    case 'BUYER':
      return { actorKind: 'BUYER' as const, actorUserId: actor.userId, actorRole: 'buyer' }
    case 'MERCHANT':
      return { actorKind: 'MERCHANT' as const, actorUserId: actor.userId, actorRole: actor.role }
    case 'AGENT':
      return { actorKind: 'AGENT' as const, actorUserId: actor.userId, actorRole: 'agent' }
  }
}

export async function writeCaseLog(
  tx: Tx,
  entry: {
    caseId: string
    at: Date
    actor: LogActor
    action: string
    fromState?: CaseState
    toState?: CaseState
    ruleId?: string
    details?: Prisma.InputJsonObject
  },
) {
  const row = await tx.caseLog.create({
    data: {
      caseId: entry.caseId,
      at: entry.at,
      ...actorFields(entry.actor),
      action: entry.action,
      fromState: entry.fromState,
      toState: entry.toState,
      ruleId: entry.ruleId,
      details: entry.details ?? {},
    },
  })
  // Every state change is also an event for the shop's webhooks (the ERP hears of it at once).
  if (entry.toState && entry.fromState !== entry.toState) {
    const target = await tx.afterSalesCase.findUniqueOrThrow({ where: { id: entry.caseId }, select: { shopId: true, caseNo: true, orderNo: true } })
    await emitWebhookEvent(tx, {
      shopId: target.shopId,
      type: 'case.state_changed',
      eventId: row.id,
      at: entry.at,
      data: { caseNo: target.caseNo, orderNo: target.orderNo, from: entry.fromState ?? null, to: entry.toState, action: entry.action, ruleId: entry.ruleId ?? null },
    })
  }
}
