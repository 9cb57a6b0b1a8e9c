// Refunds: recorded PENDING in the transaction that decides them, then issued by the worker through
// the payment gateway (a network we do not run: the only mocked part of the system).
import type { ActorKind } from '~/generated/prisma/client'
import type { Db, Tx } from '~/infra/db.server'
import { logger } from '~/infra/logger.server'
import { emitWebhookEvent } from './webhooks.server'

export interface PaymentGateway {
  /** Returns the gateway's reference; idempotent for the same refund id. */
  refund(input: { refundId: string; orderNo: string; amountFen: number }): Promise<{ reference: string }>
}

/** Stands in for the marketplace's payment network, which this portal does not run. */
export const simulatedGateway: PaymentGateway = {
  async refund({ refundId }) {
    return { reference: `SIM-${refundId}` }
  },
}

export async function recordRefund(
  tx: Tx,
  input: { caseId: string; amountFen: number; at: Date; actorKind: ActorKind; actorUserId: string | null; ruleId: string | null },
) {
  const refund = await tx.refund.create({
    data: {
      caseId: input.caseId,
      amountFen: input.amountFen,
      status: 'PENDING',
      actorKind: input.actorKind,
      actorUserId: input.actorUserId,
      ruleId: input.ruleId,
      createdAt: input.at,
    },
  })
  await emitRefundEvent(tx, 'refund.approved', refund, input.at)
  return refund
}

async function emitRefundEvent(tx: Tx, type: 'refund.approved' | 'refund.issued', refund: { id: string; caseId: string; amountFen: number; ruleId: string | null }, at: Date) {
  const target = await tx.afterSalesCase.findUniqueOrThrow({ where: { id: refund.caseId }, select: { shopId: true, caseNo: true, orderNo: true } })
  await emitWebhookEvent(tx, {
    shopId: target.shopId,
    type,
    eventId: `${refund.id}:${type}`,
    at,
    data: { refundId: refund.id, caseNo: target.caseNo, orderNo: target.orderNo, amountFen: refund.amountFen, ruleId: refund.ruleId },
  })
}

/** Issues pending refunds; a refund is claimed with SKIP LOCKED so two workers never issue one twice. */
export async function issuePendingRefunds(db: Db, gateway: PaymentGateway, now: () => Date, limit = 20): Promise<number> {
  let issued = 0
  for (let i = 0; i < limit; i++) {
    const done = await db.$transaction(async (tx) => {
      const [refund] = await tx.$queryRaw<{ id: string; amountFen: number; caseId: string }[]>`
        SELECT "id", "amountFen", "caseId" FROM "Refund" WHERE "status" = 'PENDING'
        ORDER BY "createdAt" LIMIT 1 FOR UPDATE SKIP LOCKED`
      if (!refund) return false
      const target = await tx.afterSalesCase.findUniqueOrThrow({ where: { id: refund.caseId }, select: { orderNo: true, orderId: true } })
      try {
        await gateway.refund({ refundId: refund.id, orderNo: target.orderNo, amountFen: refund.amountFen })
      } catch (error) {
        logger.warn('refund not issued; will retry', { refundId: refund.id, error })
        return false
      }
      const at = now()
      const issuedRefund = await tx.refund.update({ where: { id: refund.id }, data: { status: 'SUCCEEDED', completedAt: at } })
      await emitRefundEvent(tx, 'refund.issued', issuedRefund, at)
      await tx.order.update({ where: { id: target.orderId }, data: { refundedAt: at } })
      return true
    })
    if (!done) break
    issued++
  }
  return issued
}
