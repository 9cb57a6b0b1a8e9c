// After-sales commands before platform intervention: open a request, the merchant's decisions, the
// buyer's return, receipt, and the three deadline handlers. Each is one transaction: authorize →
// load (scoped) → pure transition → conditional update on the version read (double clicks and
// racing workers change nothing twice) → case log, negotiation history, refund, notifications.
import type { BuyerActor, MerchantActor } from '~/domain/actor'
import { merchantCan } from '~/domain/actor'
import type { CaseState } from '~/domain/dispute'
import {
  canOpenRequest,
  currentDeadline,
  evaluateAutoRefund,
  evaluateExpressRefund,
  LIFECYCLE_RULE_IDS,
  openingDeadlines,
  requestedAmount,
  RETURN_SMS_NOTICE,
  strategyDay,
  transitionLifecycle,
  type CaseReason,
  type CaseType,
  type Courier,
  type LifecycleEvent,
  type OfflineResolution,
  type RejectionReason,
  type Transition,
} from '~/domain/lifecycle'
import { Prisma } from '~/generated/prisma/client'
import type { Tx } from '~/infra/db.server'
import { writeCaseLog, type LogActor } from './case-log.server'
import { evidenceRow, type DisputeDeps, type StoredFile } from './disputes.server'
import { ServiceError, type ServiceErrorCode } from './errors.server'
import { defaultReturnAddress } from './shop-settings.server'
import { buyerRecipient, merchantRecipients, notifyCaseEvent, type CaseNotice } from './notify.server'
import { recordRefund } from './refunds.server'

export type LifecycleDeps = DisputeDeps

const CASE_SELECT = {
  id: true,
  caseNo: true,
  type: true,
  state: true,
  version: true,
  shopId: true,
  buyerId: true,
  orderId: true,
  requestedAmountFen: true,
  merchantRespondBy: true,
  buyerShipBy: true,
  merchantReceiveBy: true,
  trackingUploadedAt: true,
  parcelSignedAt: true,
  receiptExtensions: true,
  order: { select: { returnShippingInsurance: true } },
} satisfies Prisma.AfterSalesCaseSelect

type LoadedCase = Prisma.AfterSalesCaseGetPayload<{ select: typeof CASE_SELECT }>

function lifecycleView(c: LoadedCase) {
  return { ...c, returnShippingInsurance: c.order.returnShippingInsurance }
}

function requireMerchant(actor: MerchantActor, permission: 'AGREE_REFUND' | 'HANDLE_AFTER_SALES') {
  if (!merchantCan(actor, permission)) throw new ServiceError('FORBIDDEN')
}

/** Case numbers as users know them: AS + yymmdd (Asia/Shanghai) + 8 digits. */
function newCaseNo(now: Date): string {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: '2-digit', month: '2-digit', day: '2-digit' }).format(now).replaceAll('-', '')
  const digits = String(Math.floor(Math.random() * 1e8)).padStart(8, '0')
  return `AS${day}${digits}`
}

/**
 * Applies a transition the pure core allowed: the conditional update on the version read is the
 * claim, so of two racing writers (a merchant's double click, two workers) exactly one proceeds.
 */
async function applyTransition(
  tx: Tx,
  deps: LifecycleDeps,
  found: LoadedCase,
  transition: Transition,
  input: {
    actor: LogActor
    action: string
    now: Date
    data?: Prisma.AfterSalesCaseUpdateManyMutationInput
    details?: Prisma.InputJsonObject
    negotiation?: { kind: string; message?: string; details?: Prisma.InputJsonObject }
    notice: CaseNotice
  },
) {
  const deadlines = {
    merchantRespondBy: found.merchantRespondBy,
    buyerShipBy: found.buyerShipBy,
    merchantReceiveBy: found.merchantReceiveBy,
    ...transition.deadlines,
  }
  const closes = transition.to === 'REFUNDED' || transition.to === 'CLOSED'
  const { count } = await tx.afterSalesCase.updateMany({
    where: { id: found.id, version: found.version },
    data: {
      ...input.data,
      ...transition.deadlines,
      state: transition.to,
      nextDeadlineAt: currentDeadline({ state: transition.to, ...deadlines }),
      rejectedAt: transition.to === 'REJECTED' ? input.now : undefined,
      closedAt: closes ? input.now : undefined,
      version: { increment: 1 },
    },
  })
  if (count === 0) throw new ServiceError('CONFLICT_CHANGED')
  if (transition.refund) {
    await recordRefund(tx, {
      caseId: found.id,
      amountFen: found.requestedAmountFen,
      at: input.now,
      actorKind: input.actor.kind,
      actorUserId: input.actor.kind === 'SYSTEM' ? null : input.actor.userId,
      ruleId: transition.ruleId ?? null,
    })
  }
  await writeCaseLog(tx, {
    caseId: found.id,
    at: input.now,
    actor: input.actor,
    action: input.action,
    fromState: found.state,
    toState: transition.to,
    ruleId: transition.ruleId,
    details: { ...input.details, ...(transition.refund ? { refundFen: found.requestedAmountFen } : {}) },
  })
  if (input.negotiation) {
    await tx.negotiationEntry.create({
      data: {
        caseId: found.id,
        at: input.now,
        role: input.actor.kind,
        actorUserId: input.actor.kind === 'SYSTEM' ? null : input.actor.userId,
        kind: input.negotiation.kind,
        message: input.negotiation.message ?? '',
        amountFen: transition.refund ? found.requestedAmountFen : null,
        details: input.negotiation.details ?? {},
      },
    })
  }
  const toBuyer = input.actor.kind !== 'BUYER'
  const recipients = toBuyer ? await buyerRecipient(tx, found.buyerId) : await merchantRecipients(tx, found.shopId)
  await notifyCaseEvent(tx, {
    notice: input.notice,
    reason: `${input.notice}:${found.id}:${found.version + 1}`,
    recipients,
    caseId: found.id,
    caseNo: found.caseNo,
    at: input.now,
  })
}

// ─── opening a request ─────────────────────────────────────────────────────────

export async function openRequest(
  deps: LifecycleDeps,
  buyer: BuyerActor,
  input: { orderNo: string; type: CaseType; reason: CaseReason; description: string; amountFen: number | null; files: StoredFile[] },
) {
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

async function openInTx(
  tx: Tx,
  deps: LifecycleDeps,
  buyer: BuyerActor,
  input: { orderNo: string; type: CaseType; reason: CaseReason; description: string; amountFen: number | null; files: StoredFile[] },
  now: Date,
) {
  // The order row is locked: two requests opened at once on one order are serialized here.
  const [order] = await tx.$queryRaw<{ id: string }[]>`
    SELECT "id" FROM "Order" WHERE "orderNo" = ${input.orderNo} AND "buyerId" = ${buyer.buyerId}::uuid FOR UPDATE`
  if (!order) throw new ServiceError('NOT_FOUND')
  const full = await tx.order.findUniqueOrThrow({
    where: { id: order.id },
    include: { shop: { select: { expressRefundEnabled: true, autoRefundEnabled: true, autoRefundPerOrderFen: true, autoRefundDailyCapFen: true } } },
  })
  const others = await tx.afterSalesCase.findMany({ where: { orderId: full.id }, select: { state: true } })
  const allowed = canOpenRequest(
    others.map((c) => c.state),
    full.refundedAt !== null,
  )
  if (!allowed.ok) throw new ServiceError(allowed.error)
  const amount = requestedAmount(input.amountFen, full.paidAmountFen)
  if (!amount.ok) throw new ServiceError(amount.error)

  const express = evaluateExpressRefund(
    {
      shopExpressRefundEnabled: full.shop.expressRefundEnabled,
      expressRefundBadge: full.expressRefundBadge,
      paidAmountFen: full.paidAmountFen,
      isVirtual: full.isVirtual,
      shipped: full.shippedAt !== null,
      paidAt: full.paidAt,
      requestedAt: now,
    },
    deps.policy,
  )
  const strategy =
    full.shop.autoRefundPerOrderFen !== null && full.shop.autoRefundDailyCapFen !== null
      ? { enabled: full.shop.autoRefundEnabled, perOrderMaxFen: full.shop.autoRefundPerOrderFen, dailyCapFen: full.shop.autoRefundDailyCapFen }
      : null
  let auto: { ruleId: string; inputs: Prisma.InputJsonObject } | null = null
  if (express.applies) {
    auto = { ruleId: express.ruleId, inputs: express.inputs }
  } else {
    const decision = evaluateAutoRefund(strategy, { type: input.type, shipped: full.shippedAt !== null, amountFen: amount.value })
    if (decision.kind === 'AUTO_APPROVE' && strategy && (await takeFromDailyCap(tx, full.shopId, amount.value, strategy.dailyCapFen, now, deps))) {
      auto = {
        ruleId: LIFECYCLE_RULE_IDS.autoRefundStrategy,
        inputs: { amountFen: amount.value, perOrderMaxFen: strategy.perOrderMaxFen, dailyCapFen: strategy.dailyCapFen, day: strategyDay(now, deps.policy) },
      }
    }
  }

  const deadlines = auto ? {} : openingDeadlines(input.type, now, deps.policy)
  const created = await tx.afterSalesCase.create({
    data: {
      caseNo: newCaseNo(now),
      orderId: full.id,
      shopId: full.shopId,
      buyerId: buyer.buyerId,
      type: input.type,
      state: auto ? 'REFUNDED' : 'PENDING_MERCHANT',
      reason: input.reason,
      description: input.description.trim(),
      requestedAmountFen: amount.value,
      orderNo: full.orderNo,
      customerName: full.customerName,
      customerPhone: full.customerPhone,
      ...deadlines,
      nextDeadlineAt: deadlines.merchantRespondBy ?? null,
      expressRefund: express.applies,
      orderShipped: full.shippedAt !== null,
      returnShippingInsurance: full.returnShippingInsurance,
      flagColor: full.flagColor,
      autoDecisionRuleId: auto?.ruleId ?? null,
      autoDecisionInputs: auto?.inputs ?? Prisma.DbNull,
      closedAt: auto ? now : null,
      createdAt: now,
    },
  })
  if (input.files.length) await tx.evidenceItem.createMany({ data: input.files.map((file) => evidenceRow(file, { caseId: created.id, actor: buyer, purpose: 'REQUEST_PROOF', status: 'SUBMITTED', at: now })) })
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
    await recordRefund(tx, { caseId: created.id, amountFen: amount.value, at: now, actorKind: 'SYSTEM', actorUserId: null, ruleId: auto.ruleId })
    await writeCaseLog(tx, {
      caseId: created.id,
      at: now,
      actor: { kind: 'SYSTEM' },
      action: express.applies ? 'case.express-refunded' : 'case.auto-refunded',
      fromState: 'PENDING_MERCHANT',
      toState: 'REFUNDED',
      ruleId: auto.ruleId,
      details: auto.inputs,
    })
  }
  await notifyCaseEvent(tx, {
    notice: auto ? 'caseAutoRefunded' : 'caseOpened',
    reason: `case-opened:${created.id}`,
    recipients: await merchantRecipients(tx, full.shopId),
    caseId: created.id,
    caseNo: created.caseNo,
    at: now,
  })
  return created
}

/**
 * Adds the amount to the shop's total for the day if it stays within the cap. One statement: the
 * row lock taken by the upsert makes a racing request wait and then see the new total.
 */
async function takeFromDailyCap(tx: Tx, shopId: string, amountFen: number, capFen: number, now: Date, deps: LifecycleDeps): Promise<boolean> {
  const day = strategyDay(now, deps.policy)
  const rows = await tx.$queryRaw<{ totalFen: number }[]>`
    INSERT INTO "AutoRefundDay" ("shopId", "day", "totalFen", "updatedAt")
    SELECT ${shopId}::uuid, ${day}, ${amountFen}::int, ${now}::timestamptz WHERE ${amountFen}::int <= ${capFen}::int
    ON CONFLICT ("shopId", "day") DO UPDATE SET "totalFen" = "AutoRefundDay"."totalFen" + EXCLUDED."totalFen", "updatedAt" = EXCLUDED."updatedAt"
      WHERE "AutoRefundDay"."totalFen" + EXCLUDED."totalFen" <= ${capFen}::int
    RETURNING "totalFen"`
  return rows.length === 1
}

// ─── commands on an open case ──────────────────────────────────────────────────

async function loadForMerchant(tx: Tx, merchant: MerchantActor, caseId: string) {
  const found = await tx.afterSalesCase.findFirst({ where: { id: caseId, shopId: merchant.shopId }, select: CASE_SELECT })
  if (!found) throw new ServiceError('NOT_FOUND')
  return found
}

function decide(found: LoadedCase, event: LifecycleEvent, now: Date, deps: LifecycleDeps): Transition {
  const result = transitionLifecycle(lifecycleView(found), event, now, deps.policy)
  if (!result.ok) throw new ServiceError(result.error)
  return result.value
}

export type MerchantDecision =
  | { kind: 'APPROVE'; addressId?: string; smsNotice?: boolean; message?: string }
  | { kind: 'REJECT'; reason: RejectionReason; message: string; files: StoredFile[] }
  | { kind: 'DIRECT_REFUND'; message?: string }

/** 同意 / 拒绝 / 直接退款 on a request awaiting the merchant. */
export async function merchantDecide(deps: LifecycleDeps, merchant: MerchantActor, caseId: string, decision: MerchantDecision) {
  requireMerchant(merchant, decision.kind === 'REJECT' ? 'HANDLE_AFTER_SALES' : 'AGREE_REFUND')
  const now = deps.clock.now()
  return deps.db.$transaction(async (tx) => {
    const found = await loadForMerchant(tx, merchant, caseId)
    switch (decision.kind) {
      case 'APPROVE': {
        const address =
          found.type === 'RETURN_AND_REFUND' && decision.addressId
            ? await tx.shopAddress.findFirst({ where: { id: decision.addressId, shopId: merchant.shopId, archivedAt: null } })
            : null
        const transition = decide(found, { type: 'APPROVE', hasReturnAddress: address !== null }, now, deps)
        const returnAddress = address && { label: address.label, contactName: address.contactName, phone: address.phone, address: address.address }
        await applyTransition(tx, deps, found, transition, {
          actor: merchant,
          action: 'case.approved',
          now,
          data: returnAddress ? { returnAddress, returnSmsNotice: decision.smsNotice === true } : {},
          details: returnAddress ? { addressLabel: returnAddress.label, smsNotice: decision.smsNotice === true ? RETURN_SMS_NOTICE : null } : {},
          negotiation: { kind: 'approve', message: decision.message, details: returnAddress ? { returnAddress, smsNotice: decision.smsNotice === true } : {} },
          notice: transition.refund ? 'caseRefundApproved' : 'caseReturnApproved',
        })
        return transition.to
      }
      case 'REJECT':
        return rejectWithProof(tx, deps, found, merchant, now, { event: 'REJECT', action: 'case.rejected', negotiationKind: 'reject', ...decision })
      case 'DIRECT_REFUND': {
        const transition = decide(found, { type: 'DIRECT_REFUND' }, now, deps)
        await applyTransition(tx, deps, found, transition, {
          actor: merchant,
          action: 'case.direct-refund',
          now,
          negotiation: { kind: 'direct-refund', message: decision.message },
          notice: 'caseRefundApproved',
        })
        return transition.to
      }
    }
  })
}

/** The buyer ships the return; a merchant member allowed to refund may enter it for the buyer. */
export async function submitReturnShipment(
  deps: LifecycleDeps,
  actor: BuyerActor | MerchantActor,
  caseId: string,
  input: { courier: Courier; trackingNo: string },
) {
  if (actor.kind === 'MERCHANT') requireMerchant(actor, 'AGREE_REFUND')
  const trackingNo = input.trackingNo.trim().toUpperCase()
  if (!/^[A-Z0-9-]{6,40}$/.test(trackingNo)) throw new ServiceError('INVALID_INPUT', { field: 'trackingNo' })
  const now = deps.clock.now()
  return deps.db.$transaction(async (tx) => {
    const found = await tx.afterSalesCase.findFirst({
      where: actor.kind === 'BUYER' ? { id: caseId, buyerId: actor.buyerId } : { id: caseId, shopId: actor.shopId },
      select: CASE_SELECT,
    })
    if (!found) throw new ServiceError('NOT_FOUND')
    const transition = decide(found, { type: 'SHIP_RETURN' }, now, deps)
    await applyTransition(tx, deps, found, transition, {
      actor,
      action: actor.kind === 'BUYER' ? 'return.shipped' : 'return.shipped-by-merchant',
      now,
      data: { returnCourier: input.courier, returnTrackingNo: trackingNo, trackingUploadedAt: now, trackingUploadedBy: actor.kind },
      details: { courier: input.courier, trackingNo },
      // Entered by the merchant for the buyer: the history shows it under the merchant.
      negotiation: { kind: 'return-tracking', details: { courier: input.courier, trackingNo, onBehalfOfBuyer: actor.kind === 'MERCHANT' } },
      notice: 'returnShipped',
    })
    return transition.to
  })
}

export type ReceiptResult = { caseId: string; ok: true } | { caseId: string; ok: false; error: ServiceErrorCode }

/** 确认收货 → refund, for one case or many; each case stands or fails on its own. */
export async function confirmReceipt(
  deps: LifecycleDeps,
  merchant: MerchantActor,
  input: { caseIds: string[]; insuranceWarningAccepted: boolean },
): Promise<ReceiptResult[]> {
  requireMerchant(merchant, 'AGREE_REFUND')
  const results: ReceiptResult[] = []
  for (const caseId of new Set(input.caseIds)) {
    try {
      await deps.db.$transaction(async (tx) => {
        const now = deps.clock.now()
        const found = await loadForMerchant(tx, merchant, caseId)
        const transition = decide(found, { type: 'CONFIRM_RECEIPT', insuranceWarningAccepted: input.insuranceWarningAccepted }, now, deps)
        await applyTransition(tx, deps, found, transition, {
          actor: merchant,
          action: 'return.received',
          now,
          details: { beforeTracking: found.state === 'AWAITING_RETURN' },
          negotiation: { kind: 'receipt-confirmed' },
          notice: 'caseRefundApproved',
        })
      })
      results.push({ caseId, ok: true })
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error
      results.push({ caseId, ok: false, error: error.code })
    }
  }
  return results
}

export async function rejectAfterReceipt(deps: LifecycleDeps, merchant: MerchantActor, caseId: string, input: { reason: RejectionReason; message: string; files: StoredFile[] }) {
  requireMerchant(merchant, 'HANDLE_AFTER_SALES')
  const now = deps.clock.now()
  return deps.db.$transaction(async (tx) => {
    const found = await loadForMerchant(tx, merchant, caseId)
    await rejectWithProof(tx, deps, found, merchant, now, { event: 'REJECT_AFTER_RECEIPT', action: 'return.rejected-after-receipt', negotiationKind: 'reject-after-receipt', ...input })
  })
}

/** A rejection, before or after receipt: the proof files stay with the case, the reason goes to the log and the negotiation. */
async function rejectWithProof(
  tx: Tx,
  deps: LifecycleDeps,
  found: LoadedCase,
  merchant: MerchantActor,
  now: Date,
  input: { event: 'REJECT' | 'REJECT_AFTER_RECEIPT'; action: string; negotiationKind: string; reason: RejectionReason; message: string; files: StoredFile[] },
) {
  const transition = decide(found, { type: input.event, proofFiles: input.files.length }, now, deps)
  await tx.evidenceItem.createMany({ data: input.files.map((file) => evidenceRow(file, { caseId: found.id, actor: merchant, purpose: 'REJECTION_PROOF', status: 'SUBMITTED', at: now })) })
  await applyTransition(tx, deps, found, transition, {
    actor: merchant,
    action: input.action,
    now,
    data: { rejectionReason: input.reason },
    details: { reason: input.reason, files: input.files.length },
    negotiation: { kind: input.negotiationKind, message: input.message, details: { reason: input.reason } },
    notice: 'caseRejected',
  })
  return transition.to
}

/** 延长收货: once per case, after the tracking number has been in long enough, unsigned. */
export async function extendReceipt(deps: LifecycleDeps, merchant: MerchantActor, caseId: string) {
  requireMerchant(merchant, 'HANDLE_AFTER_SALES')
  const now = deps.clock.now()
  return deps.db.$transaction(async (tx) => {
    const found = await loadForMerchant(tx, merchant, caseId)
    const transition = decide(found, { type: 'EXTEND_RECEIPT' }, now, deps)
    await applyTransition(tx, deps, found, transition, {
      actor: merchant,
      action: 'return.receipt-extended',
      now,
      data: { receiptExtensions: { increment: 1 } },
      details: { from: found.merchantReceiveBy!.toISOString(), to: transition.deadlines.merchantReceiveBy!.toISOString() },
      negotiation: { kind: 'extend-receipt' },
      notice: 'receiptExtended',
    })
    return transition.deadlines.merchantReceiveBy!
  })
}

/** The merchant agreed an exchange or repair with the buyer offline and cancels the request. */
export async function cancelForOfflineResolution(deps: LifecycleDeps, merchant: MerchantActor, caseId: string, input: { resolution: OfflineResolution; message: string }) {
  requireMerchant(merchant, 'HANDLE_AFTER_SALES')
  const now = deps.clock.now()
  return deps.db.$transaction(async (tx) => {
    const found = await loadForMerchant(tx, merchant, caseId)
    const transition = decide(found, { type: 'CANCEL_FOR_OFFLINE_RESOLUTION' }, now, deps)
    await applyTransition(tx, deps, found, transition, {
      actor: merchant,
      action: 'case.offline-resolution',
      now,
      data: { offlineResolution: input.resolution },
      details: { resolution: input.resolution },
      negotiation: { kind: 'offline-resolution', message: input.message, details: { resolution: input.resolution } },
      notice: input.resolution === 'EXCHANGE' ? 'caseExchange' : 'caseRepair',
    })
  })
}

/** The buyer withdraws the request (撤销申请). */
export async function withdrawRequest(deps: LifecycleDeps, buyer: BuyerActor, caseId: string) {
  const now = deps.clock.now()
  return deps.db.$transaction(async (tx) => {
    const found = await tx.afterSalesCase.findFirst({ where: { id: caseId, buyerId: buyer.buyerId }, select: CASE_SELECT })
    if (!found) throw new ServiceError('NOT_FOUND')
    const transition = decide(found, { type: 'BUYER_WITHDRAW' }, now, deps)
    await applyTransition(tx, deps, found, transition, { actor: buyer, action: 'case.withdrawn', now, negotiation: { kind: 'withdraw' }, notice: 'caseWithdrawn' })
  })
}

// ─── deadline handlers (see deadlines.server) ──────────────────────────────────

async function fireTimeout(deps: LifecycleDeps, caseId: string, expected: CaseState, build: () => Promise<LifecycleEvent>): Promise<boolean> {
  const now = deps.clock.now()
  return deps.db.$transaction(async (tx) => {
    const found = await tx.afterSalesCase.findUnique({ where: { id: caseId }, select: CASE_SELECT })
    if (!found || found.state !== expected) return false
    const result = transitionLifecycle(lifecycleView(found), await build(), now, deps.policy)
    if (!result.ok) {
      // Listed as due but not due by its own column: set the list's copy right, so it is not
      // read again at every sweep ahead of deadlines that are due.
      const deadline = currentDeadline(found)
      if (result.error === 'NOT_DUE') await tx.afterSalesCase.updateMany({ where: { id: found.id, version: found.version }, data: { nextDeadlineAt: deadline } })
      return false
    }
    const transition = result.value
    let data: Prisma.AfterSalesCaseUpdateManyMutationInput = {}
    if (transition.to === 'AWAITING_RETURN') {
      // With no address in the book the case still moves on; the buyer is shown to ask the shop.
      const address = await defaultReturnAddress(tx, found.shopId)
      data = { returnAddress: address ?? Prisma.DbNull }
    }
    // The version check makes this the claim: of two workers, the second updates nothing.
    try {
      await applyTransition(tx, deps, found, transition, {
        actor: { kind: 'SYSTEM' },
        action: `deadline.${transition.ruleId}`,
        now,
        data,
        details: { deadline: currentDeadline(found)?.toISOString() ?? null },
        negotiation: { kind: 'system-decision', details: { ruleId: transition.ruleId! } },
        notice: transition.refund ? 'caseAutoRefunded' : transition.to === 'CLOSED' ? 'caseClosedNoReturn' : 'caseReturnApproved',
      })
    } catch (error) {
      if (error instanceof ServiceError && error.code === 'CONFLICT_CHANGED') return false
      throw error
    }
    return true
  })
}


/** 48 h passed: refund-only → refunded; return → approved with the shop's default address. */
export function fireMerchantTimeout(deps: LifecycleDeps, caseId: string) {
  return fireTimeout(deps, caseId, 'PENDING_MERCHANT', async () => ({ type: 'MERCHANT_TIMEOUT' }))
}

/** The buyer did not ship the return in time: the case closes. */
export function fireBuyerShipTimeout(deps: LifecycleDeps, caseId: string) {
  return fireTimeout(deps, caseId, 'AWAITING_RETURN', async () => ({ type: 'BUYER_SHIP_TIMEOUT' }))
}

/** The merchant did not confirm receipt in time: the buyer is refunded. */
export function fireReceiveTimeout(deps: LifecycleDeps, caseId: string) {
  return fireTimeout(deps, caseId, 'AWAITING_RECEIPT', async () => ({ type: 'RECEIVE_TIMEOUT' }))
}
