// The rule numbers copy may quote ("48 小时内处理"): taken from the policy, never typed into a
// catalog, so an operator's override changes the text with the rule. Every translation sees them.
import { daysOf, hoursOf, type Policy } from '~/domain/policy'
import type { MessageParams } from './format'

const MB = 1024 * 1024

export function ruleParams(policy: Policy): MessageParams {
  return {
    maxImageMb: Math.floor(policy.dispute.maxImageOrPdfBytes / MB),
    maxVideoMb: Math.floor(policy.dispute.maxVideoBytes / MB),
    maxFiles: policy.dispute.maxFilesPerResponse,
    explanationMax: policy.dispute.explanationMaxChars,
    escalateDays: daysOf(policy.dispute.escalateAfterRejectionMs),
    reminderHours: hoursOf(policy.dispute.reminderBeforeDueMs),
    respondHours: hoursOf(policy.refundOnly.merchantRespondMs),
    reviewHours: hoursOf(policy.returnAndRefund.merchantReviewMs),
    shipDays: daysOf(policy.returnAndRefund.buyerShipMs),
    receiveDays: daysOf(policy.returnAndRefund.merchantReceiveMs),
    extendAfterDays: daysOf(policy.returnAndRefund.extendReceiptAfterMs),
    extendByDays: daysOf(policy.returnAndRefund.extendReceiptByMs),
    expressMaxYuan: policy.expressRefund.maxPaidAmountFen / 100,
    autoRefundMinYuan: policy.autoRefundStrategy.minPerOrderFen / 100,
    autoRefundMaxYuan: policy.autoRefundStrategy.maxPerOrderFen / 100,
    autoRefundMaxCapYuan: policy.autoRefundStrategy.maxDailyCapFen / 100,
    arrivalMinDays: policy.refunds.arrivalMinBusinessDays,
    arrivalMaxDays: policy.refunds.arrivalMaxBusinessDays,
    expressArrivalHours: policy.refunds.expressArrivalHours,
  }
}
