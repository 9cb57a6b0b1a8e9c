import { afterAll, describe, expect, it } from 'vitest'
import { RULE_IDS as LIFECYCLE_RULE_IDS } from '~/domain/case-machine'
import { strategyDay } from '~/domain/lifecycle'
import { defaultPolicy, PG_INT_MAX, withOverrides } from '~/domain/policy'
import type { Prisma } from '~/generated/prisma/client'
import { sweepDeadlines } from '~/services/deadlines.server'
import type { StoredFile } from '~/services/evidence-intake.server'
import { cancelForOfflineResolution, confirmReceipt, escalate, extendReceipt, merchantDecide, openRequest, recordRuling, submitReturnShipment } from './commands'
import { serviceDeps, disputeWorld, TestClock, testDb } from './support'

const db = testDb()
afterAll(() => db.$disconnect())

const SECOND = 1000
const HOUR = 3600 * SECOND
const DAY = 24 * HOUR
const proof = (): StoredFile => ({ key: `test/${Math.random().toString(36).slice(2)}`, fileName: 'proof.png', sizeBytes: 10, mime: 'image/png', sha256: 'b'.repeat(64) })

let orderSeq = 0
async function world() {
  const clock = new TestClock()
  const deps = serviceDeps(db, clock)
  const w = await disputeWorld(db, clock)
  const address = await db.shopAddress.create({
    data: { shopId: w.shop.id, label: 'Main warehouse', contactName: 'Zhang', phone: '0571-1', address: 'Hangzhou', isDefault: true, createdAt: clock.now() },
  })
  const order = (patch: Partial<Prisma.OrderUncheckedCreateInput> = {}) =>
    db.order.create({
      data: {
        orderNo: `LC${Date.now()}${++orderSeq}`,
        shopId: w.shop.id,
        buyerId: w.buyer.buyerId,
        itemTitle: 'Tea',
        paidAmountFen: 100_00,
        paidAt: new Date(clock.now().getTime() - DAY),
        customerName: 'Customer',
        customerPhone: '13800000000',
        ...patch,
      },
    })
  const open = (orderNo: string, type: 'REFUND_ONLY' | 'RETURN_AND_REFUND' = 'REFUND_ONLY', amountFen: number | null = null) =>
    openRequest(deps, w.buyer, { orderNo, type, reason: 'QUALITY_ISSUE', description: '有问题', amountFen, files: [] })
  const reload = (id: string) => db.afterSalesCase.findUniqueOrThrow({ where: { id } })
  return { ...w, clock, deps, address, order, open, reload }
}

const refundsOf = (caseId: string) => db.refund.findMany({ where: { caseId } })

describe('opening a request', () => {
  it('gives the merchant 48 hours and tells it', async () => {
    const w = await world()
    const o = await w.order({ shippedAt: w.clock.now() })
    const created = await w.open(o.orderNo)
    expect(created).toMatchObject({ state: 'PENDING_MERCHANT', requestedAmountFen: 100_00, merchantRespondBy: new Date(w.clock.now().getTime() + 48 * HOUR) })
    expect(created.nextDeadlineAt).toEqual(created.merchantRespondBy)
    expect(created.caseNo).toMatch(/^AS\d{14}$/)
    expect(await db.notification.count({ where: { userId: w.userIds.main, caseId: created.id, messageKey: 'notice.caseOpened' } })).toBe(1)
  })

  it('refunds at once under express refund, recording the rule and its inputs', async () => {
    const w = await world()
    await db.shop.update({ where: { id: w.shop.id }, data: { expressRefundEnabled: true } })
    const o = await w.order({ expressRefundBadge: true, paidAmountFen: 300_00 })
    const created = await w.open(o.orderNo)
    expect(created).toMatchObject({ state: 'REFUNDED', expressRefund: true, autoDecisionRuleId: LIFECYCLE_RULE_IDS.expressRefundCurrent })
    expect(created.autoDecisionInputs).toMatchObject({ paidAmountFen: 300_00, shipped: false, isVirtual: false })
    expect(await refundsOf(created.id)).toMatchObject([{ amountFen: 300_00, status: 'PENDING', actorKind: 'SYSTEM', ruleId: LIFECYCLE_RULE_IDS.expressRefundCurrent }])
    // 300.01 is over the line: manual handling
    const over = await w.order({ expressRefundBadge: true, paidAmountFen: 300_01 })
    expect(await w.open(over.orderNo)).toMatchObject({ state: 'PENDING_MERCHANT', expressRefund: false })
  })

  it('allows one open request per order, also when two are opened at once', async () => {
    const w = await world()
    const o = await w.order({ shippedAt: w.clock.now() })
    const results = await Promise.allSettled([w.open(o.orderNo), w.open(o.orderNo)])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'OPEN_REQUEST_EXISTS' } })
    expect(await db.afterSalesCase.count({ where: { orderId: o.id } })).toBe(1)
  })

  it('allows a new request after a rejection', async () => {
    const w = await world()
    const o = await w.order({ shippedAt: w.clock.now() })
    const first = await w.open(o.orderNo)
    await merchantDecide(w.deps, w.main, first.id, { kind: 'REJECT', reason: 'ITEM_AS_DESCRIBED', message: '无质量问题', files: [proof()] })
    expect((await w.reload(first.id)).state).toBe('REJECTED')
    expect(await w.open(o.orderNo)).toMatchObject({ state: 'PENDING_MERCHANT' })
  })

  it('refuses an amount above the paid amount and another buyer\'s order', async () => {
    const w = await world()
    const o = await w.order()
    await expect(w.open(o.orderNo, 'REFUND_ONLY', 100_01)).rejects.toMatchObject({ code: 'AMOUNT_INVALID' })
    const stranger = { ...w.buyer, buyerId: '00000000-0000-7000-8000-000000000000' }
    await expect(openRequest(w.deps, stranger, { orderNo: o.orderNo, type: 'REFUND_ONLY', reason: 'OTHER', description: '', amountFen: null, files: [] })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })
  })
})

describe('the merchant auto-refund strategy', () => {
  it('lets exactly one of two racing requests take the last of the daily cap', async () => {
    const w = await world()
    await db.shop.update({ where: { id: w.shop.id }, data: { autoRefundEnabled: true, autoRefundPerOrderFen: 80_00, autoRefundDailyCapFen: 100_00 } })
    const [a, b] = await Promise.all([w.order({ paidAmountFen: 60_00 }), w.order({ paidAmountFen: 60_00 })])
    const opened = await Promise.all([w.open(a.orderNo), w.open(b.orderNo)])
    expect(opened.map((c) => c.state).sort()).toEqual(['PENDING_MERCHANT', 'REFUNDED'])
    const auto = opened.find((c) => c.state === 'REFUNDED')!
    expect(auto.autoDecisionRuleId).toBe(LIFECYCLE_RULE_IDS.autoRefundStrategy)
    const day = await db.autoRefundDay.findFirstOrThrow({ where: { shopId: w.shop.id } })
    expect(day.totalFen).toBe(60_00)
  })

  it('adds a request to a day total at the largest limits the schema allows without overflowing the integer', async () => {
    const limits = { ...defaultPolicy.autoRefundStrategy, maxDailyCapFen: PG_INT_MAX - defaultPolicy.autoRefundStrategy.maxPerOrderFen }
    const w = await world()
    const deps = { ...w.deps, policy: withOverrides({ autoRefundStrategy: { maxDailyCapFen: limits.maxDailyCapFen } }) }
    await db.shop.update({ where: { id: w.shop.id }, data: { autoRefundEnabled: true, autoRefundPerOrderFen: limits.maxPerOrderFen, autoRefundDailyCapFen: limits.maxDailyCapFen } })
    await db.autoRefundDay.create({ data: { shopId: w.shop.id, day: strategyDay(w.clock.now(), deps.policy), totalFen: limits.maxDailyCapFen - 1, updatedAt: w.clock.now() } })
    const order = await w.order({ paidAmountFen: limits.maxPerOrderFen })
    const opened = await openRequest(deps, w.buyer, { orderNo: order.orderNo, type: 'REFUND_ONLY', reason: 'QUALITY_ISSUE', description: '', amountFen: null, files: [] })
    expect(opened.state).toBe('PENDING_MERCHANT') // over the cap: manual review, not "integer out of range"
    expect((await db.autoRefundDay.findFirstOrThrow({ where: { shopId: w.shop.id } })).totalFen).toBe(limits.maxDailyCapFen - 1)
  })

  it('sends amounts over the per-order maximum and shipped orders to manual review', async () => {
    const w = await world()
    await db.shop.update({ where: { id: w.shop.id }, data: { autoRefundEnabled: true, autoRefundPerOrderFen: 50_00, autoRefundDailyCapFen: 1_000_00 } })
    const big = await w.order({ paidAmountFen: 50_01 })
    const shipped = await w.order({ paidAmountFen: 10_00, shippedAt: w.clock.now() })
    const within = await w.order({ paidAmountFen: 50_00 })
    expect((await w.open(big.orderNo)).state).toBe('PENDING_MERCHANT')
    expect((await w.open(shipped.orderNo)).state).toBe('PENDING_MERCHANT')
    expect((await w.open(within.orderNo)).state).toBe('REFUNDED')
  })
})

describe('deadlines, through the one sweeper', () => {
  it('refund-only: nothing at 48 h minus a second; refunded at 48 h, once, with two sweepers racing', async () => {
    const w = await world()
    const created = await w.open((await w.order({ shippedAt: w.clock.now() })).orderNo)
    w.clock.advance(48 * HOUR - SECOND)
    await sweepDeadlines(w.deps)
    expect((await w.reload(created.id)).state).toBe('PENDING_MERCHANT')
    w.clock.advance(SECOND)
    await Promise.all([sweepDeadlines(w.deps), sweepDeadlines(w.deps)])
    const after = await w.reload(created.id)
    expect(after).toMatchObject({ state: 'REFUNDED', nextDeadlineAt: null })
    expect(await refundsOf(created.id)).toMatchObject([{ amountFen: 100_00, actorKind: 'SYSTEM', ruleId: LIFECYCLE_RULE_IDS.refundOnlyTimeout }])
    expect(await db.caseLog.count({ where: { caseId: created.id, ruleId: LIFECYCLE_RULE_IDS.refundOnlyTimeout } })).toBe(1)
  })

  it('return: review timeout approves with the default address; 10 days later the unshipped case closes', async () => {
    const w = await world()
    const created = await w.open((await w.order({ shippedAt: w.clock.now() })).orderNo, 'RETURN_AND_REFUND')
    w.clock.advance(48 * HOUR)
    await sweepDeadlines(w.deps)
    const approved = await w.reload(created.id)
    expect(approved).toMatchObject({ state: 'AWAITING_RETURN', returnAddress: { label: 'Main warehouse', address: 'Hangzhou' } })
    expect(approved.buyerShipBy).toEqual(new Date(w.clock.now().getTime() + defaultPolicy.returnAndRefund.buyerShipMs))
    w.clock.advance(defaultPolicy.returnAndRefund.buyerShipMs - SECOND)
    await sweepDeadlines(w.deps)
    expect((await w.reload(created.id)).state).toBe('AWAITING_RETURN')
    w.clock.advance(SECOND)
    await sweepDeadlines(w.deps)
    expect(await w.reload(created.id)).toMatchObject({ state: 'CLOSED', nextDeadlineAt: null })
    expect(await refundsOf(created.id)).toEqual([])
  })

  it('fires deadlines missed while everything was down at the next sweep', async () => {
    const w = await world()
    const created = await w.open((await w.order({ shippedAt: w.clock.now() })).orderNo)
    w.clock.advance(30 * DAY)
    await sweepDeadlines(w.deps)
    expect((await w.reload(created.id)).state).toBe('REFUNDED')
  })
})

describe('return and refund, by hand', () => {
  async function approvedReturn(insured = false) {
    const w = await world()
    const o = await w.order({ shippedAt: w.clock.now(), returnShippingInsurance: insured })
    const created = await w.open(o.orderNo, 'RETURN_AND_REFUND')
    await merchantDecide(w.deps, w.main, created.id, { kind: 'APPROVE', addressId: w.address.id, smsNotice: true })
    return { w, created }
  }

  it('approve with an address → merchant enters the buyer\'s tracking number → receipt → refund', async () => {
    const { w, created } = await approvedReturn()
    expect(await w.reload(created.id)).toMatchObject({ state: 'AWAITING_RETURN', returnSmsNotice: true, returnAddress: { label: 'Main warehouse' } })
    w.clock.advance(DAY)
    await submitReturnShipment(w.deps, w.refunder, created.id, { courier: 'SF', trackingNo: 'sf1234567890' })
    const shipped = await w.reload(created.id)
    expect(shipped).toMatchObject({ state: 'AWAITING_RECEIPT', returnTrackingNo: 'SF1234567890', trackingUploadedBy: 'MERCHANT' })
    expect(shipped.merchantReceiveBy).toEqual(new Date(w.clock.now().getTime() + 10 * DAY))
    // the negotiation history shows it under the merchant
    expect(await db.negotiationEntry.findFirst({ where: { caseId: created.id, kind: 'return-tracking' } })).toMatchObject({ role: 'MERCHANT', actorUserId: w.userIds.refunder })
    expect(await confirmReceipt(w.deps, w.main, { caseIds: [created.id], insuranceWarningAccepted: false })).toEqual([{ caseId: created.id, ok: true }])
    expect((await w.reload(created.id)).state).toBe('REFUNDED')
    expect(await refundsOf(created.id)).toMatchObject([{ amountFen: 100_00, actorKind: 'MERCHANT', ruleId: null }])
  })

  it('a double click on approve changes the case once', async () => {
    const w = await world()
    const created = await w.open((await w.order({ shippedAt: w.clock.now() })).orderNo)
    const results = await Promise.allSettled([merchantDecide(w.deps, w.main, created.id, { kind: 'APPROVE' }), merchantDecide(w.deps, w.main, created.id, { kind: 'APPROVE' })])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    expect(await refundsOf(created.id)).toHaveLength(1)
  })

  it('bulk receipt: an insured case still awaiting the tracking number is held back with the warning', async () => {
    const { w, created } = await approvedReturn(true)
    const results = await confirmReceipt(w.deps, w.main, { caseIds: [created.id], insuranceWarningAccepted: false })
    expect(results).toEqual([{ caseId: created.id, ok: false, error: 'INSURANCE_WARNING' }])
    expect((await w.reload(created.id)).state).toBe('AWAITING_RETURN')
    expect(await confirmReceipt(w.deps, w.main, { caseIds: [created.id], insuranceWarningAccepted: true })).toEqual([{ caseId: created.id, ok: true }])
  })

  it('extends receipt once, after 5 days, and the sweeper honours the new deadline', async () => {
    const { w, created } = await approvedReturn()
    await submitReturnShipment(w.deps, w.buyer, created.id, { courier: 'YTO', trackingNo: 'YT9988776655' })
    w.clock.advance(5 * DAY - SECOND)
    await expect(extendReceipt(w.deps, w.main, created.id)).rejects.toMatchObject({ code: 'EXTENSION_NOT_YET' })
    w.clock.advance(SECOND)
    await extendReceipt(w.deps, w.main, created.id)
    await expect(extendReceipt(w.deps, w.main, created.id)).rejects.toMatchObject({ code: 'EXTENSION_USED' })
    w.clock.advance(5 * DAY) // the original 10 days are over
    await sweepDeadlines(w.deps)
    expect((await w.reload(created.id)).state).toBe('AWAITING_RECEIPT')
    w.clock.advance(5 * DAY)
    await sweepDeadlines(w.deps)
    expect((await w.reload(created.id)).state).toBe('REFUNDED')
    expect(await refundsOf(created.id)).toMatchObject([{ ruleId: LIFECYCLE_RULE_IDS.merchantReceiveTimeout }])
  })

  it('records an offline exchange and closes the request', async () => {
    const w = await world()
    const created = await w.open((await w.order({ shippedAt: w.clock.now() })).orderNo)
    await cancelForOfflineResolution(w.deps, w.cs, created.id, { resolution: 'EXCHANGE', message: '已与买家协商换货' })
    expect(await w.reload(created.id)).toMatchObject({ state: 'CLOSED', offlineResolution: 'EXCHANGE' })
    expect(await db.notification.count({ where: { userId: w.userIds.buyer, caseId: created.id, messageKey: 'notice.caseOffline.EXCHANGE' } })).toBe(1)
  })
})

describe('who may do what', () => {
  it('a sub-account without "agree to refund" cannot approve; another shop finds nothing', async () => {
    const w = await world()
    const created = await w.open((await w.order({ shippedAt: w.clock.now() })).orderNo)
    await expect(merchantDecide(w.deps, w.viewer, created.id, { kind: 'APPROVE' })).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await expect(merchantDecide(w.deps, w.outsider, created.id, { kind: 'APPROVE' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(merchantDecide(w.deps, w.viewer, created.id, { kind: 'REJECT', reason: 'OTHER', message: '无质量问题', files: [] })).rejects.toMatchObject({ code: 'PROOF_REQUIRED' })
    expect((await w.reload(created.id)).state).toBe('PENDING_MERCHANT')
  })
})

describe('a "return then refund" ruling', () => {
  it('sends the case back into the return flow with the default address and its deadlines', async () => {
    const w = await world()
    const created = await w.open((await w.order({ shippedAt: w.clock.now() })).orderNo, 'RETURN_AND_REFUND')
    await escalate(w.deps, w.buyer, { caseId: created.id, reason: 'MERCHANT_NOT_RESPONDING', description: '' })
    await recordRuling(w.deps, w.agent, {
      caseId: created.id,
      liableParty: 'MERCHANT',
      outcome: 'RETURN_THEN_REFUND',
      refundAmountFen: null,
      rationale: '退货后退款',
      internalNote: '',
      reliedEvidenceIds: [],
    })
    const ruled = await w.reload(created.id)
    expect(ruled).toMatchObject({ state: 'AWAITING_RETURN', returnAddress: { label: 'Main warehouse' } })
    expect(ruled.nextDeadlineAt).toEqual(ruled.buyerShipBy)
    await submitReturnShipment(w.deps, w.buyer, created.id, { courier: 'EMS', trackingNo: 'EM123456789CN' })
    w.clock.advance(defaultPolicy.returnAndRefund.merchantReceiveMs)
    await sweepDeadlines(w.deps)
    expect((await w.reload(created.id)).state).toBe('REFUNDED')
    expect(await refundsOf(created.id)).toMatchObject([{ amountFen: 100_00, ruleId: LIFECYCLE_RULE_IDS.merchantReceiveTimeout }])
  })
})
