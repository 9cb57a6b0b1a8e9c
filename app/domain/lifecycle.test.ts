import { describe, expect, it } from 'vitest'
import {
  canOpenRequest,
  evaluateAutoRefund,
  evaluateExpressRefund,
  LIFECYCLE_RULE_IDS,
  requestedAmount,
  strategyDay,
  transitionLifecycle,
  validateStrategy,
  type ExpressRefundInputs,
  type LifecycleCase,
} from './lifecycle'
import { defaultPolicy, douyinOverrides, withOverrides } from './policy'

const SECOND = 1000
const HOUR = 3600 * SECOND
const DAY = 24 * HOUR
const t0 = new Date('2026-11-22T02:00:00Z')
const at = (ms: number) => new Date(t0.getTime() + ms)
const policy = defaultPolicy

const base: LifecycleCase = {
  type: 'REFUND_ONLY',
  state: 'PENDING_MERCHANT',
  merchantRespondBy: at(policy.refundOnly.merchantRespondMs),
  buyerShipBy: null,
  merchantReceiveBy: null,
  trackingUploadedAt: null,
  parcelSignedAt: null,
  receiptExtensions: 0,
  returnShippingInsurance: false,
}
const returnCase = (patch: Partial<LifecycleCase>): LifecycleCase => ({ ...base, type: 'RETURN_AND_REFUND', merchantRespondBy: null, ...patch })

describe('refund-only: 48 hours for the merchant', () => {
  const due = policy.refundOnly.merchantRespondMs
  it('does not time out one second before 48 h, and does at 48 h exactly', () => {
    expect(transitionLifecycle(base, { type: 'MERCHANT_TIMEOUT' }, at(due - SECOND), policy)).toEqual({ ok: false, error: 'NOT_DUE' })
    expect(transitionLifecycle(base, { type: 'MERCHANT_TIMEOUT' }, at(due), policy)).toEqual({
      ok: true,
      value: { to: 'REFUNDED', deadlines: { merchantRespondBy: null, buyerShipBy: null, merchantReceiveBy: null }, refund: true, ruleId: LIFECYCLE_RULE_IDS.refundOnlyTimeout },
    })
  })
  it('lets the merchant approve up to the last second, not at 48 h', () => {
    expect(transitionLifecycle(base, { type: 'APPROVE', hasReturnAddress: false }, at(due - SECOND), policy)).toMatchObject({ ok: true, value: { to: 'REFUNDED', refund: true } })
    expect(transitionLifecycle(base, { type: 'APPROVE', hasReturnAddress: false }, at(due), policy)).toEqual({ ok: false, error: 'DEADLINE_PASSED' })
  })
  it('needs at least one proof file to reject', () => {
    expect(transitionLifecycle(base, { type: 'REJECT', proofFiles: 0 }, at(HOUR), policy)).toEqual({ ok: false, error: 'PROOF_REQUIRED' })
    expect(transitionLifecycle(base, { type: 'REJECT', proofFiles: 1 }, at(HOUR), policy)).toMatchObject({ ok: true, value: { to: 'REJECTED', refund: false } })
  })
  it('has no direct refund (that is for returns)', () => {
    expect(transitionLifecycle(base, { type: 'DIRECT_REFUND' }, at(HOUR), policy)).toEqual({ ok: false, error: 'NOT_RETURN_CASE' })
  })
})

describe('return and refund', () => {
  const review = returnCase({ merchantRespondBy: at(policy.returnAndRefund.merchantReviewMs) })
  it('approval needs a return address and starts the buyer\'s 10 days', () => {
    expect(transitionLifecycle(review, { type: 'APPROVE', hasReturnAddress: false }, at(HOUR), policy)).toEqual({ ok: false, error: 'RETURN_ADDRESS_REQUIRED' })
    const approved = transitionLifecycle(review, { type: 'APPROVE', hasReturnAddress: true }, at(HOUR), policy)
    expect(approved).toMatchObject({ ok: true, value: { to: 'AWAITING_RETURN', refund: false, deadlines: { buyerShipBy: at(HOUR + 10 * DAY) } } })
  })
  it('review timeout at 48 h approves the return, not before', () => {
    const due = policy.returnAndRefund.merchantReviewMs
    expect(transitionLifecycle(review, { type: 'MERCHANT_TIMEOUT' }, at(due - SECOND), policy)).toEqual({ ok: false, error: 'NOT_DUE' })
    expect(transitionLifecycle(review, { type: 'MERCHANT_TIMEOUT' }, at(due), policy)).toMatchObject({
      ok: true,
      value: { to: 'AWAITING_RETURN', refund: false, ruleId: LIFECYCLE_RULE_IDS.returnReviewTimeout, deadlines: { buyerShipBy: at(due + 10 * DAY) } },
    })
  })
  it('direct refund from review or while awaiting the parcel', () => {
    expect(transitionLifecycle(review, { type: 'DIRECT_REFUND' }, at(HOUR), policy)).toMatchObject({ ok: true, value: { to: 'REFUNDED', refund: true } })
    const awaiting = returnCase({ state: 'AWAITING_RETURN', buyerShipBy: at(DAY) })
    expect(transitionLifecycle(awaiting, { type: 'DIRECT_REFUND' }, at(HOUR), policy)).toMatchObject({ ok: true, value: { to: 'REFUNDED' } })
  })

  describe('the buyer ships within 10 days (Douyin preset: 7)', () => {
    const ship = policy.returnAndRefund.buyerShipMs
    const awaiting = returnCase({ state: 'AWAITING_RETURN', buyerShipBy: at(ship) })
    it('accepts the tracking number up to the last second and starts the merchant\'s 10 days', () => {
      expect(transitionLifecycle(awaiting, { type: 'SHIP_RETURN' }, at(ship - SECOND), policy)).toMatchObject({
        ok: true,
        value: { to: 'AWAITING_RECEIPT', deadlines: { merchantReceiveBy: at(ship - SECOND + 10 * DAY), buyerShipBy: null } },
      })
      expect(transitionLifecycle(awaiting, { type: 'SHIP_RETURN' }, at(ship), policy)).toEqual({ ok: false, error: 'DEADLINE_PASSED' })
    })
    it('closes the case at 10 days exactly', () => {
      expect(transitionLifecycle(awaiting, { type: 'BUYER_SHIP_TIMEOUT' }, at(ship - SECOND), policy)).toEqual({ ok: false, error: 'NOT_DUE' })
      expect(transitionLifecycle(awaiting, { type: 'BUYER_SHIP_TIMEOUT' }, at(ship), policy)).toMatchObject({
        ok: true,
        value: { to: 'CLOSED', refund: false, ruleId: LIFECYCLE_RULE_IDS.buyerShipTimeout },
      })
    })
    it('gives 7 days under the Douyin preset', () => {
      const douyin = withOverrides(douyinOverrides)
      const approved = transitionLifecycle(review, { type: 'APPROVE', hasReturnAddress: true }, at(0), douyin)
      expect(approved).toMatchObject({ ok: true, value: { deadlines: { buyerShipBy: at(7 * DAY) } } })
    })
  })

  describe('the merchant confirms receipt within 10 days of the tracking number', () => {
    const receive = policy.returnAndRefund.merchantReceiveMs
    const inTransit = returnCase({ state: 'AWAITING_RECEIPT', trackingUploadedAt: at(0), merchantReceiveBy: at(receive) })
    it('refunds on receipt; times out into a refund at 10 days exactly', () => {
      expect(transitionLifecycle(inTransit, { type: 'CONFIRM_RECEIPT', insuranceWarningAccepted: false }, at(DAY), policy)).toMatchObject({ ok: true, value: { to: 'REFUNDED', refund: true } })
      expect(transitionLifecycle(inTransit, { type: 'RECEIVE_TIMEOUT' }, at(receive - SECOND), policy)).toEqual({ ok: false, error: 'NOT_DUE' })
      expect(transitionLifecycle(inTransit, { type: 'RECEIVE_TIMEOUT' }, at(receive), policy)).toMatchObject({
        ok: true,
        value: { to: 'REFUNDED', refund: true, ruleId: LIFECYCLE_RULE_IDS.merchantReceiveTimeout },
      })
    })
    it('rejects after receipt only with proof', () => {
      expect(transitionLifecycle(inTransit, { type: 'REJECT_AFTER_RECEIPT', proofFiles: 0 }, at(DAY), policy)).toEqual({ ok: false, error: 'PROOF_REQUIRED' })
      expect(transitionLifecycle(inTransit, { type: 'REJECT_AFTER_RECEIPT', proofFiles: 2 }, at(DAY), policy)).toMatchObject({ ok: true, value: { to: 'REJECTED' } })
    })
    it('extends receipt by 5 days once the tracking number is 5 days old, once, while unsigned', () => {
      const after = policy.returnAndRefund.extendReceiptAfterMs
      expect(transitionLifecycle(inTransit, { type: 'EXTEND_RECEIPT' }, at(after - SECOND), policy)).toEqual({ ok: false, error: 'EXTENSION_NOT_YET' })
      expect(transitionLifecycle(inTransit, { type: 'EXTEND_RECEIPT' }, at(after), policy)).toMatchObject({
        ok: true,
        value: { to: 'AWAITING_RECEIPT', deadlines: { merchantReceiveBy: at(receive + 5 * DAY) } },
      })
      expect(transitionLifecycle({ ...inTransit, receiptExtensions: 1 }, { type: 'EXTEND_RECEIPT' }, at(after), policy)).toEqual({ ok: false, error: 'EXTENSION_USED' })
      expect(transitionLifecycle({ ...inTransit, parcelSignedAt: at(DAY) }, { type: 'EXTEND_RECEIPT' }, at(after), policy)).toEqual({ ok: false, error: 'PARCEL_SIGNED' })
    })
  })

  it('warns before confirming receipt on an insured order still awaiting the buyer\'s tracking number', () => {
    const insured = returnCase({ state: 'AWAITING_RETURN', buyerShipBy: at(DAY), returnShippingInsurance: true })
    expect(transitionLifecycle(insured, { type: 'CONFIRM_RECEIPT', insuranceWarningAccepted: false }, at(HOUR), policy)).toEqual({ ok: false, error: 'INSURANCE_WARNING' })
    expect(transitionLifecycle(insured, { type: 'CONFIRM_RECEIPT', insuranceWarningAccepted: true }, at(HOUR), policy)).toMatchObject({ ok: true, value: { to: 'REFUNDED' } })
    const uninsured = { ...insured, returnShippingInsurance: false }
    expect(transitionLifecycle(uninsured, { type: 'CONFIRM_RECEIPT', insuranceWarningAccepted: false }, at(HOUR), policy)).toMatchObject({ ok: true })
  })
})

describe('closed and disputed cases accept no lifecycle event', () => {
  const events = [
    { type: 'APPROVE', hasReturnAddress: true },
    { type: 'REJECT', proofFiles: 1 },
    { type: 'DIRECT_REFUND' },
    { type: 'SHIP_RETURN' },
    { type: 'CONFIRM_RECEIPT', insuranceWarningAccepted: true },
    { type: 'REJECT_AFTER_RECEIPT', proofFiles: 1 },
    { type: 'EXTEND_RECEIPT' },
    { type: 'CANCEL_FOR_OFFLINE_RESOLUTION' },
    { type: 'BUYER_WITHDRAW' },
  ] as const
  for (const state of ['REFUNDED', 'CLOSED', 'IN_DISPUTE'] as const) {
    for (const event of events) {
      it(`${state} × ${event.type}`, () => {
        const result = transitionLifecycle(returnCase({ state }), event, at(HOUR), policy)
        expect(result).toEqual({ ok: false, error: state === 'IN_DISPUTE' ? 'IN_DISPUTE' : 'CASE_CLOSED' })
      })
    }
  }
  it('timeouts on any other state are refused', () => {
    expect(transitionLifecycle(returnCase({ state: 'REJECTED' }), { type: 'MERCHANT_TIMEOUT' }, at(10 * DAY), policy)).toEqual({ ok: false, error: 'NOT_PENDING_MERCHANT' })
    expect(transitionLifecycle(returnCase({ state: 'IN_DISPUTE' }), { type: 'RECEIVE_TIMEOUT' }, at(10 * DAY), policy)).toEqual({ ok: false, error: 'NOT_AWAITING_RECEIPT' })
    expect(transitionLifecycle(returnCase({ state: 'CLOSED' }), { type: 'BUYER_SHIP_TIMEOUT' }, at(10 * DAY), policy)).toEqual({ ok: false, error: 'NOT_AWAITING_RETURN' })
  })
})

describe('opening a request', () => {
  it('asks for at most the paid amount, the paid amount by default', () => {
    expect(requestedAmount(null, 100_00)).toEqual({ ok: true, value: 100_00 })
    expect(requestedAmount(100_00, 100_00)).toEqual({ ok: true, value: 100_00 })
    expect(requestedAmount(100_01, 100_00)).toEqual({ ok: false, error: 'AMOUNT_INVALID' })
    expect(requestedAmount(0, 100_00)).toEqual({ ok: false, error: 'AMOUNT_INVALID' })
  })
  it('allows one open request per order; a new one after rejection or closure', () => {
    expect(canOpenRequest([], false)).toEqual({ ok: true, value: true })
    expect(canOpenRequest(['REJECTED', 'CLOSED'], false)).toEqual({ ok: true, value: true })
    for (const open of ['PENDING_MERCHANT', 'AWAITING_RETURN', 'AWAITING_RECEIPT', 'IN_DISPUTE'] as const) {
      expect(canOpenRequest(['CLOSED', open], false)).toEqual({ ok: false, error: 'OPEN_REQUEST_EXISTS' })
    }
    expect(canOpenRequest([], true)).toEqual({ ok: false, error: 'ORDER_REFUNDED' })
  })
})

describe('express refund (versioned)', () => {
  const paidAt = new Date('2026-11-21T10:00:00+08:00')
  const eligible: ExpressRefundInputs = {
    shopExpressRefundEnabled: true,
    expressRefundBadge: true,
    paidAmountFen: 100_00,
    isVirtual: false,
    shipped: false,
    paidAt,
    requestedAt: new Date(paidAt.getTime() + 3 * DAY),
  }
  it.each([
    [299_99, true],
    [300_00, true],
    [300_01, false],
  ])('paid %i fen → applies %s (inclusive 300 yuan)', (paidAmountFen, applies) => {
    expect(evaluateExpressRefund({ ...eligible, paidAmountFen }, policy).applies).toBe(applies)
  })
  it('is exclusive at 300.00 when the operator sets it so', () => {
    const strict = withOverrides({ expressRefund: { maxInclusive: false } })
    expect(evaluateExpressRefund({ ...eligible, paidAmountFen: 300_00 }, strict).applies).toBe(false)
  })
  it.each([
    ['virtual goods', { isVirtual: true }, 'VIRTUAL_GOODS'],
    ['a shipped order', { shipped: true }, 'SHIPPED'],
    ['no badge', { expressRefundBadge: false }, 'NO_BADGE'],
    ['the service off', { shopExpressRefundEnabled: false }, 'SERVICE_OFF'],
  ] as const)('does not apply with %s', (_name, patch, check) => {
    const decision = evaluateExpressRefund({ ...eligible, ...patch }, policy)
    expect(decision.applies).toBe(false)
    expect(decision.failed).toEqual([check])
  })
  it('uses the current rule (no time limit) for orders paid on or after 2023-09-13', () => {
    const decision = evaluateExpressRefund({ ...eligible, paidAt: new Date('2023-09-13T00:00:00+08:00'), requestedAt: new Date('2023-09-20T00:00:00+08:00') }, policy)
    expect(decision).toMatchObject({ applies: true, ruleId: LIFECYCLE_RULE_IDS.expressRefundCurrent })
  })
  it('requires the request within 6 hours of payment for orders paid before 2023-09-13', () => {
    const oldPaid = new Date('2023-09-12T23:59:59+08:00')
    const within = evaluateExpressRefund({ ...eligible, paidAt: oldPaid, requestedAt: new Date(oldPaid.getTime() + 6 * HOUR) }, policy)
    expect(within).toMatchObject({ applies: true, ruleId: LIFECYCLE_RULE_IDS.expressRefundOld })
    const late = evaluateExpressRefund({ ...eligible, paidAt: oldPaid, requestedAt: new Date(oldPaid.getTime() + 6 * HOUR + SECOND) }, policy)
    expect(late).toMatchObject({ applies: false, failed: ['REQUESTED_TOO_LATE'], ruleId: LIFECYCLE_RULE_IDS.expressRefundOld })
  })
})

describe('the merchant auto-refund strategy', () => {
  const strategy = { enabled: true, perOrderMaxFen: 50_00, dailyCapFen: 200_00 }
  it('accepts 1 – 99,999 yuan per order, and no cap below the per-order maximum', () => {
    expect(validateStrategy({ ...strategy, perOrderMaxFen: 1_00 }, policy).ok).toBe(true)
    expect(validateStrategy({ ...strategy, perOrderMaxFen: 99, dailyCapFen: 100_00 }, policy)).toEqual({ ok: false, error: 'AMOUNT_INVALID' })
    expect(validateStrategy({ ...strategy, perOrderMaxFen: 99_999_00, dailyCapFen: 99_999_00 }, policy).ok).toBe(true)
    expect(validateStrategy({ ...strategy, perOrderMaxFen: 99_999_01, dailyCapFen: 100_000_00 }, policy)).toEqual({ ok: false, error: 'AMOUNT_INVALID' })
    expect(validateStrategy({ ...strategy, dailyCapFen: 49_99 }, policy)).toEqual({ ok: false, error: 'AMOUNT_INVALID' })
  })
  it('applies to refund-only requests on unshipped orders up to the per-order maximum', () => {
    expect(evaluateAutoRefund(strategy, { type: 'REFUND_ONLY', shipped: false, amountFen: 50_00 })).toEqual({ kind: 'AUTO_APPROVE' })
    expect(evaluateAutoRefund(strategy, { type: 'REFUND_ONLY', shipped: false, amountFen: 50_01 })).toEqual({ kind: 'MANUAL', why: 'OVER_PER_ORDER' })
    expect(evaluateAutoRefund(strategy, { type: 'REFUND_ONLY', shipped: true, amountFen: 10_00 })).toEqual({ kind: 'MANUAL', why: 'NOT_ELIGIBLE' })
    expect(evaluateAutoRefund(strategy, { type: 'RETURN_AND_REFUND', shipped: false, amountFen: 10_00 })).toEqual({ kind: 'MANUAL', why: 'NOT_ELIGIBLE' })
    expect(evaluateAutoRefund({ ...strategy, enabled: false }, { type: 'REFUND_ONLY', shipped: false, amountFen: 10_00 })).toEqual({ kind: 'MANUAL', why: 'OFF' })
  })
  it('counts days in Asia/Shanghai', () => {
    expect(strategyDay(new Date('2026-11-22T15:59:59Z'), policy)).toBe('2026-11-22')
    expect(strategyDay(new Date('2026-11-22T16:00:00Z'), policy)).toBe('2026-11-23')
  })
})
