// Opening an after-sales request (发起售后). The order row is locked, so two requests opened at once
// on one order are serialized; the order's refundable balance (paid − refunds not failed) decides
// what may be asked for, so a refund still pending counts like a paid one. The case is created
// awaiting the merchant; an automatic approval (express refund, the shop's strategy) is then a
// transition of the case machine like any other.
import type { BuyerActor } from '~/domain/actor'
import { RULE_IDS, transition, type CaseType, type RuleId } from '~/domain/case-machine'
import { canOpenRequest, evaluateAutoRefund, evaluateExpressRefund, openingDeadlines, requestedAmount, strategyDay, type CaseReason } from '~/domain/lifecycle'
import { Prisma } from '~/generated/prisma/client'
import type { Tx } from '~/infra/db.server'
import { applyTransition, loadCase } from './case-transition.server'
import { writeCaseLog } from './case-log.server'
import type { ServiceDeps } from './deps'
import { ServiceError } from './errors.server'
import { evidenceRow, type StoredFile } from './evidence-intake.server'
import { merchantRecipients, notify } from './notify.server'

export type OpenRequestInput = { orderNo: string; type: CaseType; reason: CaseReason; description: string; amountFen: number | null; files: StoredFile[] }

export async function openRequest(deps: ServiceDeps, buyer: BuyerActor, input: OpenRequestInput) {
  const now = deps.clock.now()
  for (let attempt = 0; ; attempt++) {
    try {
      return await deps.db.$transaction((tx) => openInTx(tx, deps, buyer, input, now))
    } catch (error) {
      // A case number drawn twice: draw again.
      const clash = error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002' && attempt < 3
      if (!clash) throw error
    }
  }
}

/** Case numbers as users know them: AS + yymmdd (Asia/Shanghai) + 8 digits. */
function newCaseNo(now: Date): string {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: '2-digit', month: '2-digit', day: '2-digit' }).format(now).replaceAll('-', '')
  const digits = String(Math.floor(Math.random() * 1e8)).padStart(8, '0')
  return `AS${day}${digits}`
}

async function openInTx(tx: Tx, deps: ServiceDeps, buyer: BuyerActor, input: OpenRequestInput, now: Date) {
  const [locked] = await tx.$queryRaw<{ id: string }[]>`
    SELECT "id" FROM "Order" WHERE "orderNo" = ${input.orderNo} AND "buyerId" = ${buyer.buyerId}::uuid FOR UPDATE`
  if (!locked) throw new ServiceError('NOT_FOUND')
  const order = await tx.order.findUniqueOrThrow({
    where: { id: locked.id },
    include: { shop: { select: { expressRefundEnabled: true, autoRefundEnabled: true, autoRefundPerOrderFen: true, autoRefundDailyCapFen: true } } },
  })
  const refundableFen = order.paidAmountFen - order.refundReservedFen
  const others = await tx.afterSalesCase.findMany({ where: { orderId: order.id }, select: { state: true, _count: { select: { rulings: true } } } })
  const allowed = canOpenRequest(
    others.map((c) => ({ state: c.state, ruled: c._count.rulings > 0 })),
    refundableFen,
  )
  if (!allowed.ok) throw new ServiceError(allowed.error)
  const amount = requestedAmount(input.amountFen, refundableFen)
  if (!amount.ok) throw new ServiceError(amount.error)

  const shipped = order.shippedAt !== null
  const express = evaluateExpressRefund(
    {
      shopExpressRefundEnabled: order.shop.expressRefundEnabled,
      expressRefundBadge: order.expressRefundBadge,
      paidAmountFen: order.paidAmountFen,
      isVirtual: order.isVirtual,
      shipped,
      paidAt: order.paidAt,
      requestedAt: now,
    },
    deps.policy,
  )
  const strategy =
    order.shop.autoRefundPerOrderFen !== null && order.shop.autoRefundDailyCapFen !== null
      ? { enabled: order.shop.autoRefundEnabled, perOrderMaxFen: order.shop.autoRefundPerOrderFen, dailyCapFen: order.shop.autoRefundDailyCapFen }
      : null
  let auto: { ruleId: RuleId; inputs: Record<string, string | number | boolean> } | null = null
  if (express.applies) {
    auto = { ruleId: express.ruleId, inputs: express.inputs }
  } else {
    const decision = evaluateAutoRefund(strategy, { type: input.type, shipped, amountFen: amount.value })
    if (decision.kind === 'AUTO_APPROVE' && strategy && (await takeFromDailyCap(tx, order.shopId, amount.value, strategy.dailyCapFen, now, deps))) {
      auto = {
        ruleId: RULE_IDS.autoRefundStrategy,
        inputs: { amountFen: amount.value, perOrderMaxFen: strategy.perOrderMaxFen, dailyCapFen: strategy.dailyCapFen, day: strategyDay(now, deps.policy) },
      }
    }
  }

  const deadlines = openingDeadlines(input.type, now, deps.policy)
  const created = await tx.afterSalesCase.create({
    data: {
      caseNo: newCaseNo(now),
      orderId: order.id,
      shopId: order.shopId,
      buyerId: buyer.buyerId,
      type: input.type,
      state: 'PENDING_MERCHANT',
      reason: input.reason,
      description: input.description.trim(),
      requestedAmountFen: amount.value,
      orderNo: order.orderNo,
      customerName: order.customerName,
      customerPhone: order.customerPhone,
      ...deadlines,
      nextDeadlineAt: deadlines.merchantRespondBy,
      expressRefund: express.applies,
      orderShipped: shipped,
      returnShippingInsurance: order.returnShippingInsurance,
      flagColor: order.flagColor,
      autoDecisionRuleId: auto?.ruleId ?? null,
      autoDecisionInputs: auto?.inputs ?? Prisma.DbNull,
      createdAt: now,
    },
  })
  if (input.files.length) {
    await tx.evidenceItem.createMany({ data: input.files.map((file) => evidenceRow(file, { caseId: created.id, actor: buyer, purpose: 'REQUEST_PROOF', status: 'SUBMITTED', at: now })) })
  }
  await tx.negotiationEntry.create({
    data: {
      caseId: created.id,
      at: now,
      role: 'BUYER',
      actorUserId: buyer.userId,
      kind: 'request',
      message: input.description.trim(),
      amountFen: amount.value,
      details: { type: input.type, reason: input.reason, files: input.files.length },
    },
  })
  await writeCaseLog(tx, {
    caseId: created.id,
    at: now,
    actor: buyer,
    action: 'case.opened',
    toState: 'PENDING_MERCHANT',
    details: { type: input.type, amountFen: amount.value, expressRefundChecks: express.failed },
  })
  if (auto) {
    const found = await loadCase(tx, { id: created.id })
    const decided = transition(found.snapshot, { type: 'AUTO_REFUND', ...auto }, now, deps.policy)
    if (!decided.ok) throw new ServiceError(decided.error)
    await applyTransition(tx, deps, found, decided.value, { actor: { kind: 'SYSTEM' }, action: express.applies ? 'case.express-refunded' : 'case.auto-refunded', now })
  } else {
    await notify(tx, {
      notice: 'caseOpened',
      reason: `case-opened:${created.id}`,
      recipients: await merchantRecipients(tx, order.shopId),
      caseId: created.id,
      caseNo: created.caseNo,
      params: {},
      at: now,
      appUrl: deps.appUrl,
      policy: deps.policy,
      email: false,
    })
  }
  return tx.afterSalesCase.findUniqueOrThrow({ where: { id: created.id } })
}

/**
 * Adds the amount to the shop's total for the day if it stays within the cap. One statement: the
 * row lock taken by the upsert makes a racing request wait and then see the new total.
 */
async function takeFromDailyCap(tx: Tx, shopId: string, amountFen: number, capFen: number, now: Date, deps: ServiceDeps): Promise<boolean> {
  const day = strategyDay(now, deps.policy)
  const rows = await tx.$queryRaw<{ totalFen: number }[]>`
    INSERT INTO "AutoRefundDay" ("shopId", "day", "totalFen", "updatedAt")
    SELECT ${shopId}::uuid, ${day}, ${amountFen}::int, ${now}::timestamptz WHERE ${amountFen}::int <= ${capFen}::int
    ON CONFLICT ("shopId", "day") DO UPDATE SET "totalFen" = "AutoRefundDay"."totalFen" + EXCLUDED."totalFen", "updatedAt" = EXCLUDED."updatedAt"
      WHERE "AutoRefundDay"."totalFen" + EXCLUDED."totalFen" <= ${capFen}::int
    RETURNING "totalFen"`
  return rows.length === 1
}
