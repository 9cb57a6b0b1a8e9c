import { describe, expect, it } from 'vitest'
import { RULE_IDS, type CaseState } from './case-machine'
import { canOpenRequest, evaluateAutoRefund, evaluateExpressRefund, requestedAmount, strategyDay, validateStrategy, type ExpressRefundInputs } from './lifecycle'
import { defaultPolicy, withOverrides } from './policy'

const SECOND = 1000
const HOUR = 3600 * SECOND
const DAY = 24 * HOUR
const t0 = new Date('2026-11-22T02:00:00Z')
const at = (ms: number) => new Date(t0.getTime() + ms)
const policy = defaultPolicy

describe('opening a request', () => {
  it('asks for at most the refundable balance, all of it by default', () => {
    expect(requestedAmount(null, 100_00)).toEqual({ ok: true, value: 100_00 })
    expect(requestedAmount(100_00, 100_00)).toEqual({ ok: true, value: 100_00 })
    expect(requestedAmount(100_01, 100_00)).toEqual({ ok: false, error: 'AMOUNT_INVALID' })
    expect(requestedAmount(0, 100_00)).toEqual({ ok: false, error: 'AMOUNT_INVALID' })
  })
  const earlier = (...states: CaseState[]) => states.map((state) => ({ state, ruled: false }))
  it('allows one open request per order; a new one after rejection or closure', () => {
    expect(canOpenRequest([], 100_00)).toEqual({ ok: true, value: true })
    expect(canOpenRequest(earlier('REJECTED', 'CLOSED'), 100_00)).toEqual({ ok: true, value: true })
    for (const open of ['PENDING_MERCHANT', 'AWAITING_RETURN', 'AWAITING_RECEIPT', 'IN_DISPUTE'] as const) {
      expect(canOpenRequest(earlier('CLOSED', open), 100_00)).toEqual({ ok: false, error: 'OPEN_REQUEST_EXISTS' })
    }
  })
  it('accepts no new request after the platform ruled on the order, whatever the ruling left', () => {
    expect(canOpenRequest([{ state: 'CLOSED', ruled: true }], 100_00)).toEqual({ ok: false, error: 'RULED_BY_PLATFORM' })
    expect(canOpenRequest([...earlier('REJECTED'), { state: 'REFUNDED', ruled: true }], 40_00)).toEqual({ ok: false, error: 'RULED_BY_PLATFORM' })
    // An open request is named first: there is one already.
    expect(canOpenRequest([{ state: 'AWAITING_RETURN', ruled: true }], 100_00)).toEqual({ ok: false, error: 'OPEN_REQUEST_EXISTS' })
  })
  it('accepts no request once a refund pending or paid has taken the whole balance; a part left may be asked for', () => {
    expect(canOpenRequest(earlier('REFUNDED'), 0)).toEqual({ ok: false, error: 'ORDER_REFUNDED' })
    expect(canOpenRequest([], -1)).toEqual({ ok: false, error: 'ORDER_REFUNDED' })
    expect(canOpenRequest(earlier('REFUNDED'), 1)).toEqual({ ok: true, value: true })
    expect(requestedAmount(null, 40_00)).toEqual({ ok: true, value: 40_00 })
    expect(requestedAmount(40_01, 40_00)).toEqual({ ok: false, error: 'AMOUNT_INVALID' })
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
    expect(decision).toMatchObject({ applies: true, ruleId: RULE_IDS.expressRefundCurrent })
  })
  it('requires the request within 6 hours of payment for orders paid before 2023-09-13', () => {
    const oldPaid = new Date('2023-09-12T23:59:59+08:00')
    const within = evaluateExpressRefund({ ...eligible, paidAt: oldPaid, requestedAt: new Date(oldPaid.getTime() + 6 * HOUR) }, policy)
    expect(within).toMatchObject({ applies: true, ruleId: RULE_IDS.expressRefundOld })
    const late = evaluateExpressRefund({ ...eligible, paidAt: oldPaid, requestedAt: new Date(oldPaid.getTime() + 6 * HOUR + SECOND) }, policy)
    expect(late).toMatchObject({ applies: false, failed: ['REQUESTED_TOO_LATE'], ruleId: RULE_IDS.expressRefundOld })
  })
})

describe('the merchant auto-refund strategy', () => {
  const strategy = { enabled: true, perOrderMaxFen: 50_00, dailyCapFen: 200_00 }
  it('accepts 1 – 99,999 yuan per order, and no cap below the per-order maximum', () => {
    expect(validateStrategy({ ...strategy, perOrderMaxFen: 1_00 }, policy).ok).toBe(true)
    expect(validateStrategy({ ...strategy, perOrderMaxFen: 99, dailyCapFen: 100_00 }, policy)).toEqual({ ok: false, error: 'AUTO_REFUND_LIMITS_INVALID' })
    expect(validateStrategy({ ...strategy, perOrderMaxFen: 99_999_00, dailyCapFen: 99_999_00 }, policy).ok).toBe(true)
    expect(validateStrategy({ ...strategy, perOrderMaxFen: 99_999_01, dailyCapFen: 100_000_00 }, policy)).toEqual({ ok: false, error: 'AUTO_REFUND_LIMITS_INVALID' })
    expect(validateStrategy({ ...strategy, dailyCapFen: 49_99 }, policy)).toEqual({ ok: false, error: 'AUTO_REFUND_LIMITS_INVALID' })
  })
  it("takes a cap up to the policy's highest (10,000,000 yuan), refusing 9 digits of yuan with its own error", () => {
    expect(validateStrategy({ ...strategy, dailyCapFen: policy.autoRefundStrategy.maxDailyCapFen }, policy).ok).toBe(true)
    expect(validateStrategy({ ...strategy, dailyCapFen: policy.autoRefundStrategy.maxDailyCapFen + 1 }, policy)).toEqual({ ok: false, error: 'AUTO_REFUND_CAP_TOO_HIGH' })
    expect(validateStrategy({ ...strategy, dailyCapFen: 999_999_999_00 }, policy)).toEqual({ ok: false, error: 'AUTO_REFUND_CAP_TOO_HIGH' })
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
