// The after-sales life cycle before (and besides) platform intervention: refund-only, return and
// refund, the automatic decisions at each deadline, express refund and the merchant's auto-refund
// strategy. Pure functions over plain values; every refusal is a named error the UI translates.
// A deadline is met while now < deadline; at the deadline exactly the time is up (as for evidence).
import { assertNever } from './actor'
import type { CaseState } from './dispute'
import type { Policy } from './policy'

export type CaseType = 'REFUND_ONLY' | 'RETURN_AND_REFUND'
export const CASE_TYPES = ['REFUND_ONLY', 'RETURN_AND_REFUND'] as const satisfies readonly CaseType[]

export const CASE_REASONS = [
  'NOT_AS_DESCRIBED',
  'QUALITY_ISSUE',
  'DAMAGED',
  'WRONG_ITEM',
  'MISSING_PARTS',
  'NOT_RECEIVED',
  'NO_LONGER_NEEDED',
  'OTHER',
] as const
export type CaseReason = (typeof CASE_REASONS)[number]

/** Why a merchant rejects a request (before or after receiving the return). */
export const REJECTION_REASONS = [
  'ITEM_AS_DESCRIBED',
  'BUYER_DAMAGED',
  'RETURN_NOT_RECEIVED',
  'RETURN_INCOMPLETE',
  'PAST_AFTER_SALES_PERIOD',
  'OTHER',
] as const
export type RejectionReason = (typeof REJECTION_REASONS)[number]

export const COURIERS = ['SF', 'EMS', 'POSTAL', 'JD', 'ZTO', 'YTO', 'STO', 'YUNDA', 'JT', 'OTHER'] as const
export type Courier = (typeof COURIERS)[number]

/** Offline resolutions a merchant records when it cancels the request (换货 / 维修). */
export const OFFLINE_RESOLUTIONS = ['EXCHANGE', 'REPAIR'] as const
export type OfflineResolution = (typeof OFFLINE_RESOLUTIONS)[number]

/** The fixed, non-editable SMS notice a merchant may send with a return address. */
export const RETURN_SMS_NOTICE = '拒收到付/EMS/顺丰/邮政包邮'

/** Ids of the automatic decisions, recorded on refunds and case log rows. */
export const LIFECYCLE_RULE_IDS = {
  refundOnlyTimeout: 'refund-only.merchant-timeout',
  returnReviewTimeout: 'return.merchant-review-timeout',
  buyerShipTimeout: 'return.buyer-ship-timeout',
  merchantReceiveTimeout: 'return.merchant-receive-timeout',
  expressRefundCurrent: 'express-refund.2023-09-13',
  expressRefundOld: 'express-refund.before-2023-09-13',
  autoRefundStrategy: 'merchant-strategy.auto-refund-only',
} as const

export type LifecycleError =
  | 'NOT_PENDING_MERCHANT'
  | 'NOT_AWAITING_RETURN'
  | 'NOT_AWAITING_RECEIPT'
  | 'NOT_RETURN_CASE'
  | 'CASE_CLOSED'
  | 'DEADLINE_PASSED'
  | 'NOT_DUE'
  | 'RETURN_ADDRESS_REQUIRED'
  | 'PROOF_REQUIRED'
  | 'INSURANCE_WARNING'
  | 'EXTENSION_NOT_YET'
  | 'EXTENSION_USED'
  | 'PARCEL_SIGNED'
  | 'AMOUNT_INVALID'
  | 'OPEN_REQUEST_EXISTS'
  | 'ORDER_REFUNDED'
  | 'IN_DISPUTE'

export type Result<T> = { ok: true; value: T } | { ok: false; error: LifecycleError }
const ok = <T>(value: T): Result<T> => ({ ok: true, value })
const fail = <T>(error: LifecycleError): Result<T> => ({ ok: false, error })

export const isBefore = (now: Date, deadline: Date) => now.getTime() < deadline.getTime()
const plus = (at: Date, ms: number) => new Date(at.getTime() + ms)

// ─── opening a request ─────────────────────────────────────────────────────────

/** Amount the buyer may ask for: 0 < amount ≤ paid; empty means the paid amount. */
export function requestedAmount(amountFen: number | null, paidAmountFen: number): Result<number> {
  if (amountFen === null) return ok(paidAmountFen)
  if (!Number.isInteger(amountFen) || amountFen <= 0 || amountFen > paidAmountFen) return fail('AMOUNT_INVALID')
  return ok(amountFen)
}

/** One open request per order; a new one only after rejection or closure. */
export function canOpenRequest(otherCaseStates: readonly CaseState[], orderRefunded: boolean): Result<true> {
  if (orderRefunded) return fail('ORDER_REFUNDED')
  const open = otherCaseStates.some((state) => state !== 'REJECTED' && state !== 'CLOSED' && state !== 'REFUNDED')
  return open ? fail('OPEN_REQUEST_EXISTS') : ok(true)
}

// ─── express refund (极速退款), versioned ───────────────────────────────────────

export type ExpressRefundInputs = {
  shopExpressRefundEnabled: boolean
  expressRefundBadge: boolean
  paidAmountFen: number
  isVirtual: boolean
  shipped: boolean
  paidAt: Date
  requestedAt: Date
}

export type ExpressRefundCheck =
  | 'SERVICE_OFF'
  | 'NO_BADGE'
  | 'OVER_AMOUNT'
  | 'VIRTUAL_GOODS'
  | 'SHIPPED'
  | 'REQUESTED_TOO_LATE'

export type ExpressRefundDecision = {
  applies: boolean
  /** The rule in force when the order was paid. */
  ruleId: string
  /** Every condition that failed, so the case log can say why in words. */
  failed: ExpressRefundCheck[]
  inputs: Record<string, string | number | boolean>
}

export function evaluateExpressRefund(inputs: ExpressRefundInputs, policy: Policy): ExpressRefundDecision {
  const rule = policy.expressRefund
  const oldRule = inputs.paidAt.getTime() < new Date(rule.oldRuleBefore).getTime()
  const failed: ExpressRefundCheck[] = []
  if (!inputs.shopExpressRefundEnabled) failed.push('SERVICE_OFF')
  if (!inputs.expressRefundBadge) failed.push('NO_BADGE')
  const withinAmount = rule.maxInclusive ? inputs.paidAmountFen <= rule.maxPaidAmountFen : inputs.paidAmountFen < rule.maxPaidAmountFen
  if (!withinAmount) failed.push('OVER_AMOUNT')
  if (inputs.isVirtual) failed.push('VIRTUAL_GOODS')
  if (inputs.shipped) failed.push('SHIPPED')
  if (oldRule && inputs.requestedAt.getTime() - inputs.paidAt.getTime() > rule.oldRuleRequestWithinMs) failed.push('REQUESTED_TOO_LATE')
  return {
    applies: failed.length === 0,
    ruleId: oldRule ? LIFECYCLE_RULE_IDS.expressRefundOld : LIFECYCLE_RULE_IDS.expressRefundCurrent,
    failed,
    inputs: {
      paidAmountFen: inputs.paidAmountFen,
      maxPaidAmountFen: rule.maxPaidAmountFen,
      isVirtual: inputs.isVirtual,
      shipped: inputs.shipped,
      badge: inputs.expressRefundBadge,
      serviceOn: inputs.shopExpressRefundEnabled,
      paidAt: inputs.paidAt.toISOString(),
      requestedAt: inputs.requestedAt.toISOString(),
    },
  }
}

// ─── the merchant's auto-refund strategy (自动仅退款) ───────────────────────────

export type AutoRefundStrategy = { enabled: boolean; perOrderMaxFen: number; dailyCapFen: number }

export function validateStrategy(strategy: AutoRefundStrategy, policy: Policy): Result<AutoRefundStrategy> {
  const { minPerOrderFen, maxPerOrderFen } = policy.autoRefundStrategy
  const inRange = (fen: number) => Number.isInteger(fen) && fen >= minPerOrderFen && fen <= maxPerOrderFen
  if (!inRange(strategy.perOrderMaxFen) || !Number.isInteger(strategy.dailyCapFen) || strategy.dailyCapFen < strategy.perOrderMaxFen) {
    return fail('AMOUNT_INVALID')
  }
  return ok(strategy)
}

export type AutoRefundDecision = { kind: 'AUTO_APPROVE' } | { kind: 'MANUAL'; why: 'OFF' | 'NOT_ELIGIBLE' | 'OVER_PER_ORDER' }

/**
 * Whether the strategy may approve this request, before the daily cap (which is checked
 * atomically in the database, since two requests may race for the last of it).
 */
export function evaluateAutoRefund(
  strategy: AutoRefundStrategy | null,
  request: { type: CaseType; shipped: boolean; amountFen: number },
): AutoRefundDecision {
  if (!strategy?.enabled) return { kind: 'MANUAL', why: 'OFF' }
  if (request.type !== 'REFUND_ONLY' || request.shipped) return { kind: 'MANUAL', why: 'NOT_ELIGIBLE' }
  if (request.amountFen > strategy.perOrderMaxFen) return { kind: 'MANUAL', why: 'OVER_PER_ORDER' }
  return { kind: 'AUTO_APPROVE' }
}

/** The calendar day a moment belongs to in the strategy's zone (Asia/Shanghai), as YYYY-MM-DD. */
export function strategyDay(at: Date, policy: Policy): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: policy.autoRefundStrategy.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at)
}

// ─── the case after it is opened ───────────────────────────────────────────────

export type LifecycleCase = {
  type: CaseType
  state: CaseState
  merchantRespondBy: Date | null
  buyerShipBy: Date | null
  merchantReceiveBy: Date | null
  trackingUploadedAt: Date | null
  parcelSignedAt: Date | null
  receiptExtensions: number
  returnShippingInsurance: boolean
}

/** Deadlines a transition sets; `null` clears one, absent leaves it. */
export type DeadlineChange = { merchantRespondBy?: Date | null; buyerShipBy?: Date | null; merchantReceiveBy?: Date | null }

export type Transition = {
  to: CaseState
  deadlines: DeadlineChange
  /** The requested amount is refunded as part of this transition. */
  refund: boolean
  ruleId?: string
}

export type LifecycleEvent =
  | { type: 'APPROVE'; hasReturnAddress: boolean }
  | { type: 'REJECT'; proofFiles: number }
  | { type: 'DIRECT_REFUND' }
  | { type: 'SHIP_RETURN' }
  | { type: 'CONFIRM_RECEIPT'; insuranceWarningAccepted: boolean }
  | { type: 'REJECT_AFTER_RECEIPT'; proofFiles: number }
  | { type: 'EXTEND_RECEIPT' }
  | { type: 'CANCEL_FOR_OFFLINE_RESOLUTION' }
  | { type: 'BUYER_WITHDRAW' }
  | { type: 'MERCHANT_TIMEOUT' }
  | { type: 'BUYER_SHIP_TIMEOUT' }
  | { type: 'RECEIVE_TIMEOUT' }

const CLEAR_ALL: DeadlineChange = { merchantRespondBy: null, buyerShipBy: null, merchantReceiveBy: null }

function closedOrDisputed(state: CaseState): LifecycleError | null {
  if (state === 'REFUNDED' || state === 'CLOSED') return 'CASE_CLOSED'
  if (state === 'IN_DISPUTE') return 'IN_DISPUTE'
  return null
}

/** Deadlines of a new request: 48 h for the merchant to handle it. */
export function openingDeadlines(type: CaseType, now: Date, policy: Policy): DeadlineChange {
  const window = type === 'REFUND_ONLY' ? policy.refundOnly.merchantRespondMs : policy.returnAndRefund.merchantReviewMs
  return { merchantRespondBy: plus(now, window) }
}

export function transitionLifecycle(c: LifecycleCase, event: LifecycleEvent, now: Date, policy: Policy): Result<Transition> {
  const blocked = closedOrDisputed(c.state)
  const returnCase = c.type === 'RETURN_AND_REFUND'
  const shipWindow = () => plus(now, policy.returnAndRefund.buyerShipMs)
  switch (event.type) {
    case 'APPROVE':
      if (blocked) return fail(blocked)
      if (c.state !== 'PENDING_MERCHANT') return fail('NOT_PENDING_MERCHANT')
      if (c.merchantRespondBy && !isBefore(now, c.merchantRespondBy)) return fail('DEADLINE_PASSED')
      if (!returnCase) return ok({ to: 'REFUNDED', deadlines: CLEAR_ALL, refund: true })
      if (!event.hasReturnAddress) return fail('RETURN_ADDRESS_REQUIRED')
      return ok({ to: 'AWAITING_RETURN', deadlines: { ...CLEAR_ALL, buyerShipBy: shipWindow() }, refund: false })
    case 'REJECT':
      if (blocked) return fail(blocked)
      if (c.state !== 'PENDING_MERCHANT') return fail('NOT_PENDING_MERCHANT')
      if (c.merchantRespondBy && !isBefore(now, c.merchantRespondBy)) return fail('DEADLINE_PASSED')
      if (event.proofFiles < 1) return fail('PROOF_REQUIRED')
      return ok({ to: 'REJECTED', deadlines: CLEAR_ALL, refund: false })
    case 'DIRECT_REFUND':
      if (blocked) return fail(blocked)
      if (!returnCase) return fail('NOT_RETURN_CASE')
      if (c.state !== 'PENDING_MERCHANT' && c.state !== 'AWAITING_RETURN') return fail('NOT_PENDING_MERCHANT')
      return ok({ to: 'REFUNDED', deadlines: CLEAR_ALL, refund: true })
    case 'SHIP_RETURN':
      if (blocked) return fail(blocked)
      if (c.state !== 'AWAITING_RETURN') return fail('NOT_AWAITING_RETURN')
      if (c.buyerShipBy && !isBefore(now, c.buyerShipBy)) return fail('DEADLINE_PASSED')
      return ok({ to: 'AWAITING_RECEIPT', deadlines: { ...CLEAR_ALL, merchantReceiveBy: plus(now, policy.returnAndRefund.merchantReceiveMs) }, refund: false })
    case 'CONFIRM_RECEIPT':
      if (blocked) return fail(blocked)
      // A parcel may arrive before the buyer enters its tracking number; with return-shipping
      // insurance the buyer's claim needs that number, so the merchant is warned first.
      if (c.state === 'AWAITING_RETURN') {
        if (c.returnShippingInsurance && !event.insuranceWarningAccepted) return fail('INSURANCE_WARNING')
        return ok({ to: 'REFUNDED', deadlines: CLEAR_ALL, refund: true })
      }
      if (c.state !== 'AWAITING_RECEIPT') return fail('NOT_AWAITING_RECEIPT')
      return ok({ to: 'REFUNDED', deadlines: CLEAR_ALL, refund: true })
    case 'REJECT_AFTER_RECEIPT':
      if (blocked) return fail(blocked)
      if (c.state !== 'AWAITING_RECEIPT') return fail('NOT_AWAITING_RECEIPT')
      if (c.merchantReceiveBy && !isBefore(now, c.merchantReceiveBy)) return fail('DEADLINE_PASSED')
      if (event.proofFiles < 1) return fail('PROOF_REQUIRED')
      return ok({ to: 'REJECTED', deadlines: CLEAR_ALL, refund: false })
    case 'EXTEND_RECEIPT': {
      if (blocked) return fail(blocked)
      if (c.state !== 'AWAITING_RECEIPT' || !c.merchantReceiveBy || !c.trackingUploadedAt) return fail('NOT_AWAITING_RECEIPT')
      if (!isBefore(now, c.merchantReceiveBy)) return fail('DEADLINE_PASSED')
      if (c.parcelSignedAt) return fail('PARCEL_SIGNED')
      if (c.receiptExtensions >= policy.returnAndRefund.maxReceiptExtensions) return fail('EXTENSION_USED')
      if (now.getTime() - c.trackingUploadedAt.getTime() < policy.returnAndRefund.extendReceiptAfterMs) return fail('EXTENSION_NOT_YET')
      return ok({ to: 'AWAITING_RECEIPT', deadlines: { merchantReceiveBy: plus(c.merchantReceiveBy, policy.returnAndRefund.extendReceiptByMs) }, refund: false })
    }
    case 'CANCEL_FOR_OFFLINE_RESOLUTION':
    case 'BUYER_WITHDRAW':
      if (blocked) return fail(blocked)
      if (c.state === 'REJECTED' && event.type === 'CANCEL_FOR_OFFLINE_RESOLUTION') return fail('NOT_PENDING_MERCHANT')
      return ok({ to: 'CLOSED', deadlines: CLEAR_ALL, refund: false })
    case 'MERCHANT_TIMEOUT':
      if (c.state !== 'PENDING_MERCHANT') return fail('NOT_PENDING_MERCHANT')
      if (!c.merchantRespondBy || isBefore(now, c.merchantRespondBy)) return fail('NOT_DUE')
      if (!returnCase) return ok({ to: 'REFUNDED', deadlines: CLEAR_ALL, refund: true, ruleId: LIFECYCLE_RULE_IDS.refundOnlyTimeout })
      // Approved with the shop's default return address (the caller attaches it).
      return ok({ to: 'AWAITING_RETURN', deadlines: { ...CLEAR_ALL, buyerShipBy: shipWindow() }, refund: false, ruleId: LIFECYCLE_RULE_IDS.returnReviewTimeout })
    case 'BUYER_SHIP_TIMEOUT':
      if (c.state !== 'AWAITING_RETURN') return fail('NOT_AWAITING_RETURN')
      if (!c.buyerShipBy || isBefore(now, c.buyerShipBy)) return fail('NOT_DUE')
      return ok({ to: 'CLOSED', deadlines: CLEAR_ALL, refund: false, ruleId: LIFECYCLE_RULE_IDS.buyerShipTimeout })
    case 'RECEIVE_TIMEOUT':
      if (c.state !== 'AWAITING_RECEIPT') return fail('NOT_AWAITING_RECEIPT')
      if (!c.merchantReceiveBy || isBefore(now, c.merchantReceiveBy)) return fail('NOT_DUE')
      return ok({ to: 'REFUNDED', deadlines: CLEAR_ALL, refund: true, ruleId: LIFECYCLE_RULE_IDS.merchantReceiveTimeout })
    default:
      return assertNever(event)
  }
}

/** The deadline that governs the case now: what lists sort and count down by. */
export function currentDeadline(c: Pick<LifecycleCase, 'state' | 'merchantRespondBy' | 'buyerShipBy' | 'merchantReceiveBy'>): Date | null {
  switch (c.state) {
    case 'PENDING_MERCHANT':
      return c.merchantRespondBy
    case 'AWAITING_RETURN':
      return c.buyerShipBy
    case 'AWAITING_RECEIPT':
      return c.merchantReceiveBy
    default:
      return null
  }
}

/** The first moment 延长收货 may be used, for the UI. */
export function extensionAvailableAt(trackingUploadedAt: Date, policy: Policy): Date {
  return plus(trackingUploadedAt, policy.returnAndRefund.extendReceiptAfterMs)
}
