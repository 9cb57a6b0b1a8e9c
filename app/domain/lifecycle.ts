// Opening an after-sales request: what may be asked for, express refund (versioned) and the
// merchant's auto-refund strategy, plus the fixed lists the request and merchant forms offer. What
// happens to the case afterwards is the case machine's (case-machine.ts).
import { fail, ok, RULE_IDS, type CaseState, type CaseType, type Result, type RuleId } from './case-machine'
import type { Policy } from './policy'

export type { CaseType } from './case-machine'
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

export type OpeningError = 'AMOUNT_INVALID' | 'OPEN_REQUEST_EXISTS' | 'ORDER_REFUNDED' | 'RULED_BY_PLATFORM'

const plus = (at: Date, ms: number) => new Date(at.getTime() + ms)

// ─── opening a request ─────────────────────────────────────────────────────────

/** Amount the buyer may ask for: 0 < amount ≤ the order's refundable balance; empty means all of it. */
export function requestedAmount(amountFen: number | null, refundableFen: number): Result<number, OpeningError> {
  if (amountFen === null) return ok(refundableFen)
  if (!Number.isInteger(amountFen) || amountFen <= 0 || amountFen > refundableFen) return fail('AMOUNT_INVALID')
  return ok(amountFen)
}

/** An earlier request on the same order: its state, and whether the platform ruled on it. */
export type EarlierRequest = { state: CaseState; ruled: boolean }

/**
 * One open request per order; a new one only after rejection or closure, and only while something
 * is left to refund: a refund pending counts like a paid one (paid − refunds not failed). A
 * platform ruling binds: the same goods (an order is one item) are not asked about again, or a
 * merchant's silence on the new request would undo the platform's decision.
 */
export function canOpenRequest(earlier: readonly EarlierRequest[], refundableFen: number): Result<true, OpeningError> {
  if (refundableFen <= 0) return fail('ORDER_REFUNDED')
  if (earlier.some((c) => c.state !== 'REJECTED' && c.state !== 'CLOSED' && c.state !== 'REFUNDED')) return fail('OPEN_REQUEST_EXISTS')
  return earlier.some((c) => c.ruled) ? fail('RULED_BY_PLATFORM') : ok(true)
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
  ruleId: RuleId
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
    ruleId: oldRule ? RULE_IDS.expressRefundOld : RULE_IDS.expressRefundCurrent,
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

/** LIMITS_INVALID: the per-order maximum out of range, or a cap below it; CAP_TOO_HIGH: above the policy's highest cap. */
export type StrategyError = 'AUTO_REFUND_LIMITS_INVALID' | 'AUTO_REFUND_CAP_TOO_HIGH'

export function validateStrategy(strategy: AutoRefundStrategy, policy: Policy): Result<AutoRefundStrategy, StrategyError> {
  const { minPerOrderFen, maxPerOrderFen, maxDailyCapFen } = policy.autoRefundStrategy
  const inRange = (fen: number) => Number.isInteger(fen) && fen >= minPerOrderFen && fen <= maxPerOrderFen
  if (!inRange(strategy.perOrderMaxFen) || !Number.isInteger(strategy.dailyCapFen) || strategy.dailyCapFen < strategy.perOrderMaxFen) {
    return fail('AUTO_REFUND_LIMITS_INVALID')
  }
  if (strategy.dailyCapFen > maxDailyCapFen) return fail('AUTO_REFUND_CAP_TOO_HIGH')
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

/** Deadlines of a new request: 48 h for the merchant to handle it. */
export function openingDeadlines(type: CaseType, now: Date, policy: Policy) {
  const window = type === 'REFUND_ONLY' ? policy.refundOnly.merchantRespondMs : policy.returnAndRefund.merchantReviewMs
  return { merchantRespondBy: plus(now, window) }
}

/** The first moment 延长收货 may be used, for the UI. */
export function extensionAvailableAt(trackingUploadedAt: Date, policy: Policy): Date {
  return plus(trackingUploadedAt, policy.returnAndRefund.extendReceiptAfterMs)
}
