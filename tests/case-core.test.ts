// The case core where flows meet: money that must never be paid twice (races, a refund still
// pending, a worker that dies after the gateway call, a failing gateway), and a case that passes
// through platform intervention more than once. Real PostgreSQL, a real sandbox gateway over HTTP.
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { RULE_IDS } from '~/domain/case-machine'
import { defaultPolicy } from '~/domain/policy'
import { GatewayRejectedError, GatewayUnavailableError, signedGatewayHeaders, type PaymentGateway } from '~/infra/payment-gateway.server'
import { loadCaseView } from '~/models/case-view.server'
import { withRowExtras } from '~/models/case-rows.server'
import { sweepDeadlines } from '~/services/deadlines.server'
import { applyGatewayResult, processDueRefunds, refundLanePolicy, reserveRefund, retryRefund } from '~/services/refund-ledger.server'
import type { StoredFile } from '~/services/evidence-intake.server'
import { escalate, merchantDecide, openRequest, recordRuling, rejectAfterReceipt, requestEvidence, submitEvidence, submitReturnShipment, confirmReceipt } from './commands'
import { GATEWAY_SECRET, startTestGateway } from './gateway'
import { disputeWorld, makeAgent, serviceDeps, TestClock, testDb } from './support'

const db = testDb()
afterAll(() => db.$disconnect())
// The tests of this file share a database; the refund lane takes whatever is due. Refunds left by
// earlier tests are moved out of its way, so each test's lane works on that test's refunds.
beforeEach(() => db.refund.updateMany({ where: { status: { in: ['PENDING', 'SUBMITTED'] } }, data: { nextAttemptAt: new Date('2100-01-01T00:00:00Z') } }))

const HOUR = 3600_000
const DAY = 24 * HOUR
const proof = (): StoredFile => ({ key: `test/${Math.random().toString(36).slice(2)}`, fileName: 'proof.png', sizeBytes: 10, mime: 'image/png', sha256: 'c'.repeat(64) })

let seq = 0
async function world(paidAmountFen = 100_00) {
  const clock = new TestClock()
  const deps = serviceDeps(db, clock)
  const w = await disputeWorld(db, clock)
  await db.shopAddress.create({ data: { shopId: w.shop.id, label: 'Main', contactName: 'Zhang', phone: '0571-1', address: 'Hangzhou', isDefault: true, createdAt: clock.now() } })
  const order = await db.order.create({
    data: {
      orderNo: `CC${Date.now()}${++seq}`,
      shopId: w.shop.id,
      buyerId: w.buyer.buyerId,
      itemTitle: 'Tea',
      paidAmountFen,
      paidAt: new Date(clock.now().getTime() - DAY),
      shippedAt: new Date(clock.now().getTime() - DAY),
      customerName: 'Customer',
      customerPhone: '13800000000',
    },
  })
  const open = (type: 'REFUND_ONLY' | 'RETURN_AND_REFUND' = 'REFUND_ONLY', amountFen: number | null = null) =>
    openRequest(deps, w.buyer, { orderNo: order.orderNo, type, reason: 'QUALITY_ISSUE', description: '有问题', amountFen, files: [] })
  const ledger = async () => {
    const o = await db.order.findUniqueOrThrow({ where: { id: order.id } })
    const refunds = await db.refund.findMany({ where: { orderId: order.id } })
    const live = refunds.filter((r) => r.status !== 'FAILED').reduce((sum, r) => sum + r.amountFen, 0)
    return { reserved: o.refundReservedFen, live, refunds, refundedAt: o.refundedAt }
  }
  return { ...w, clock, deps, order, open, ledger }
}

describe('a refund still pending counts as paid', () => {
  it('refuses a new request on an order whose refund has not been paid yet (the double refund)', async () => {
    const w = await world()
    const first = await w.open()
    await merchantDecide(w.deps, w.main, first.id, { kind: 'APPROVE' })
    const { refunds, refundedAt } = await w.ledger()
    expect(refunds.map((r) => r.status)).toEqual(['PENDING'])
    expect(refundedAt).toBeNull()
    await expect(w.open()).rejects.toMatchObject({ code: 'ORDER_REFUNDED' })
    // …also with express refund on: the second request never reaches it.
    await db.shop.update({ where: { id: w.shop.id }, data: { expressRefundEnabled: true } })
    await expect(w.open()).rejects.toMatchObject({ code: 'ORDER_REFUNDED' })
    expect((await w.ledger()).live).toBe(100_00)
  })

  it('a partial refund leaves the rest to ask for, and no more', async () => {
    const w = await world(899_00)
    const first = await w.open('REFUND_ONLY', 50_00)
    await merchantDecide(w.deps, w.main, first.id, { kind: 'APPROVE' })
    await expect(w.open('REFUND_ONLY', 849_01)).rejects.toMatchObject({ code: 'AMOUNT_INVALID' })
    const second = await w.open('REFUND_ONLY', null)
    expect(second.requestedAmountFen).toBe(849_00)
  })
})

describe('the ledger under races', () => {
  it('20 concurrent reservations of ¥10 on a ¥100 order: exactly ten pass, and the database refuses the rest', async () => {
    const w = await world()
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        db.$transaction((tx) =>
          reserveRefund(tx, { orderId: w.order.id, caseId: w.case.id, shopId: w.shop.id, caseNo: w.case.caseNo, orderNo: w.order.orderNo, amountFen: 10_00, at: w.clock.now(), actorKind: 'SYSTEM', actorUserId: null, ruleId: null, rulingId: null }),
        ),
      ),
    )
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10)
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(Array(10).fill('REFUND_ABOVE_BALANCE'))
    expect(await w.ledger()).toMatchObject({ reserved: 100_00, live: 100_00 })
    // The CHECK constraint stands behind the conditional update: the balance cannot go negative.
    await expect(db.$executeRaw`UPDATE "Order" SET "refundReservedFen" = "paidAmountFen" + 1 WHERE "id" = ${w.order.id}::uuid`).rejects.toThrow(/Order_refund_within_paid/)
  })

  it('20 concurrent commands that each would refund one order (approvals, double clicks, a ruling, a timeout, express refund) never pay more than paid', async () => {
    const w = await world()
    await db.afterSalesCase.update({ where: { id: w.case.id }, data: { orderId: w.order.id, requestedAmountFen: 100_00 } })
    await escalate(w.deps, w.buyer, { caseId: w.case.id, reason: 'OTHER', description: '' })
    // Cases that each could refund the whole order, as data from before one-open-request-per-order.
    const extra = await Promise.all(
      [0, 1, 2].map((i) =>
        db.afterSalesCase.create({
          data: {
            caseNo: `ASRACE${Date.now()}${i}${++seq}`,
            orderId: w.order.id,
            shopId: w.shop.id,
            buyerId: w.buyer.buyerId,
            type: 'REFUND_ONLY',
            state: 'PENDING_MERCHANT',
            reason: 'OTHER',
            requestedAmountFen: 100_00,
            orderNo: w.order.orderNo,
            customerName: 'Customer',
            customerPhone: '13800000000',
            merchantRespondBy: new Date(w.clock.now().getTime() + (i === 2 ? -1 : DAY)),
            nextDeadlineAt: new Date(w.clock.now().getTime() + (i === 2 ? -1 : DAY)),
            createdAt: w.clock.now(),
          },
        }),
      ),
    )
    await db.shop.update({ where: { id: w.shop.id }, data: { expressRefundEnabled: true } })
    await db.order.update({ where: { id: w.order.id }, data: { shippedAt: null, expressRefundBadge: true } })
    const attempts: Promise<unknown>[] = []
    for (let i = 0; i < 4; i++) attempts.push(merchantDecide(w.deps, w.main, extra[0]!.id, { kind: 'APPROVE' }), merchantDecide(w.deps, w.cs, extra[1]!.id, { kind: 'APPROVE' }))
    for (let i = 0; i < 4; i++) attempts.push(recordRuling(w.deps, w.agent, { caseId: w.case.id, liableParty: 'MERCHANT', outcome: 'FULL_REFUND', refundAmountFen: null, rationale: 'r' }))
    for (let i = 0; i < 4; i++) attempts.push(sweepDeadlines(w.deps))
    for (let i = 0; i < 4; i++) attempts.push(w.open())
    expect(attempts).toHaveLength(20)
    const settled = await Promise.allSettled(attempts)
    // Every refused attempt says why, by name (no 500s, no half-written rows).
    const refusals = settled.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason)
    expect(refusals.length).toBeGreaterThan(0)
    for (const refusal of refusals) {
      expect(['REFUND_ABOVE_BALANCE', 'NOT_PENDING_MERCHANT', 'CONFLICT_ALREADY_RULED', 'ORDER_REFUNDED', 'OPEN_REQUEST_EXISTS', 'CASE_CLOSED', 'NOT_IN_DISPUTE']).toContain(refusal.code)
    }
    const { reserved, live, refunds } = await w.ledger()
    expect(live).toBe(100_00)
    expect(reserved).toBe(100_00)
    expect(refunds).toHaveLength(1)
    // Every case that did not get the money says why, or never moved.
    const states = await db.afterSalesCase.findMany({ where: { orderId: w.order.id }, select: { state: true } })
    expect(states.filter((c) => c.state === 'REFUNDED')).toHaveLength(1)
  })
})

describe('a second round with the platform', () => {
  it('"return then refund" → buyer ships → merchant objects after receipt → round 2 → evidence → a second ruling → refund', async () => {
    const w = await world(300_00)
    const created = await w.open('RETURN_AND_REFUND')
    await escalate(w.deps, w.buyer, { caseId: created.id, reason: 'MERCHANT_NOT_RESPONDING', description: '' })
    const first = await recordRuling(w.deps, w.agent, { caseId: created.id, liableParty: 'MERCHANT', outcome: 'RETURN_THEN_REFUND', refundAmountFen: null, rationale: '退货后退款' })
    expect(await db.afterSalesCase.findUniqueOrThrow({ where: { id: created.id } })).toMatchObject({ state: 'AWAITING_RETURN', bindingRulingId: first.id })
    await submitReturnShipment(w.deps, w.buyer, created.id, { courier: 'SF', trackingNo: 'SF9988776655' })

    // The merchant objects: the platform's ruling binds it, so the case goes back to the platform.
    expect(await rejectAfterReceipt(w.deps, w.main, created.id, { reason: 'RETURN_INCOMPLETE', message: '退回的货少了配件', files: [proof()] })).toBe('IN_DISPUTE')
    const disputes = await db.dispute.findMany({ where: { caseId: created.id }, orderBy: { round: 'asc' } })
    expect(disputes.map((d) => [d.round, d.status, d.openedByRole, d.reason])).toEqual([
      [1, 'RULED', 'BUYER', 'MERCHANT_NOT_RESPONDING'],
      [2, 'OPEN', 'MERCHANT', 'MERCHANT_REJECTED_AFTER_RULING'],
    ])
    expect(await db.caseLog.findFirst({ where: { caseId: created.id, action: 'return.rejected-after-ruling' } })).toMatchObject({ ruleId: RULE_IDS.rejectionAfterRuling, toState: 'IN_DISPUTE' })
    expect(await db.evidenceItem.count({ where: { caseId: created.id, purpose: 'REJECTION_PROOF' } })).toBe(1)

    const request = await requestEvidence(w.deps, w.agent, { caseId: created.id, party: 'MERCHANT', instructions: '请提供拆包视频', checklist: [] })
    expect(request.disputeId).toBe(disputes[1]!.id)
    await submitEvidence(w.deps, w.main, { requestId: request.id, explanation: '拆包视频见附件说明' })
    const second = await recordRuling(w.deps, w.agent, { caseId: created.id, liableParty: 'BOTH', outcome: 'PARTIAL_REFUND', refundAmountFen: 200_00, rationale: '配件缺失，部分退款' })
    expect(second.disputeId).toBe(disputes[1]!.id)
    const rulings = await db.ruling.findMany({ where: { caseId: created.id }, orderBy: { createdAt: 'asc' } })
    expect(rulings.map((r) => [r.disputeId, r.outcome])).toEqual([
      [disputes[0]!.id, 'RETURN_THEN_REFUND'],
      [disputes[1]!.id, 'PARTIAL_REFUND'],
    ])
    expect(await db.afterSalesCase.findUniqueOrThrow({ where: { id: created.id } })).toMatchObject({ state: 'REFUNDED', bindingRulingId: null })
    expect(await db.refund.findMany({ where: { caseId: created.id } })).toMatchObject([{ amountFen: 200_00, rulingId: second.id }])
  })

  it('a binding ruling, then confirming receipt refunds as ordered', async () => {
    const w = await world()
    const created = await w.open('RETURN_AND_REFUND')
    await escalate(w.deps, w.main, { caseId: created.id, reason: 'BUYER_CLAIM_UNFOUNDED', description: '' })
    await recordRuling(w.deps, w.agent, { caseId: created.id, liableParty: 'MERCHANT', outcome: 'RETURN_THEN_REFUND', refundAmountFen: null, rationale: 'r' })
    await submitReturnShipment(w.deps, w.buyer, created.id, { courier: 'SF', trackingNo: 'SF1122334455' })
    expect(await confirmReceipt(w.deps, w.main, { caseIds: [created.id], insuranceWarningAccepted: false })).toEqual([{ caseId: created.id, ok: true }])
    expect((await w.ledger()).live).toBe(100_00)
  })

  it('round 2 escalated by the buyer after the ruling, and the merchant silent: the system rules for the buyer (no stuck handler)', async () => {
    const w = await world()
    const created = await w.open('RETURN_AND_REFUND')
    await escalate(w.deps, w.buyer, { caseId: created.id, reason: 'OTHER', description: '' })
    await recordRuling(w.deps, w.agent, { caseId: created.id, liableParty: 'MERCHANT', outcome: 'RETURN_THEN_REFUND', refundAmountFen: null, rationale: 'r' })
    await escalate(w.deps, w.buyer, { caseId: created.id, reason: 'NEGOTIATION_FAILED', description: '商家拒收' })
    await requestEvidence(w.deps, w.agent, { caseId: created.id, party: 'MERCHANT', instructions: '请说明拒收原因', checklist: [] })
    w.clock.advance(defaultPolicy.dispute.merchantEvidenceMs)
    await sweepDeadlines(w.deps)
    const rulings = await db.ruling.findMany({ where: { caseId: created.id }, orderBy: { createdAt: 'asc' } })
    expect(rulings.map((r) => [r.actorKind, r.outcome, r.ruleId])).toEqual([
      ['AGENT', 'RETURN_THEN_REFUND', null],
      ['SYSTEM', 'FULL_REFUND', RULE_IDS.merchantEvidenceTimeout],
    ])
    expect((await db.afterSalesCase.findUniqueOrThrow({ where: { id: created.id } })).state).toBe('REFUNDED')
    // Nothing of this case is left due: another sweep changes nothing on it.
    const version = (await db.afterSalesCase.findUniqueOrThrow({ where: { id: created.id } })).version
    w.clock.advance(DAY)
    await sweepDeadlines(w.deps)
    expect((await db.afterSalesCase.findUniqueOrThrow({ where: { id: created.id } })).version).toBe(version)
    expect(await db.refund.count({ where: { caseId: created.id } })).toBe(1)
  })
})

describe('refunds through the gateway', () => {
  /** Three cases, each refunded ¥20 of a ¥100 order (different orders). */
  async function threeRefunds() {
    const ids: string[] = []
    const w = await world()
    for (let i = 0; i < 3; i++) {
      const other = await world()
      const c = await other.open('REFUND_ONLY', 20_00)
      await merchantDecide(other.deps, other.main, c.id, { kind: 'APPROVE' })
      ids.push((await db.refund.findFirstOrThrow({ where: { caseId: c.id } })).id)
      other.clock.advance(i + 1) // distinct order in the lane
    }
    return { w, ids }
  }

  it('a gateway failing on the first of three: the other two are paid; the first retries on its own backoff and ends FAILED with the alert, then an agent retries it', async () => {
    const { w, ids } = await threeRefunds()
    const [first, second, third] = ids as [string, string, string]
    const firstKey = (await db.refund.findUniqueOrThrow({ where: { id: first } })).idempotencyKey
    const gateway = await startTestGateway(w.deps)
    // The payment network is down for this one refund only (a network we do not run: its failure is injected).
    const flaky: PaymentGateway = {
      refund: (request) => (request.idempotencyKey === firstKey ? Promise.reject(new GatewayUnavailableError('connect ETIMEDOUT')) : gateway.gateway.refund(request)),
      query: (key) => gateway.gateway.query(key),
    }
    const policy = { ...refundLanePolicy, maxAttempts: 3, firstRetryMs: 1_000, batchSize: 100 }
    try {
      // Our refunds are due at the test clock's times; the lane leases what is due now.
      // (Other tests' refunds in this database may ride along; assertions are on these three rows.)
      const attemptsOf = async () => (await db.refund.findUniqueOrThrow({ where: { id: first } })).attempts
      w.clock.advance(1_000)
      await gateway.run(policy, flaky)
      expect((await gateway.settled(second)).status).toBe('SUCCEEDED')
      expect((await gateway.settled(third)).status).toBe('SUCCEEDED')
      expect(await db.refund.findUniqueOrThrow({ where: { id: first } })).toMatchObject({ status: 'PENDING', attempts: 1, lastError: 'connect ETIMEDOUT' })
      // Not due again before its own backoff (1 s): nothing happens to it.
      await gateway.run(policy, flaky)
      expect(await attemptsOf()).toBe(1)
      w.clock.advance(1_000)
      await gateway.run(policy, flaky)
      expect(await attemptsOf()).toBe(2)
      w.clock.advance(2_000)
      await gateway.run(policy, flaky)
      const failed = await db.refund.findUniqueOrThrow({ where: { id: first }, include: { case: true } })
      expect(failed).toMatchObject({ status: 'FAILED', failureKind: 'UNAVAILABLE', attempts: 3 })
      // The amount is back on the order's balance, and every agent is told (消息盒子 → 系统), once.
      expect((await db.order.findUniqueOrThrow({ where: { id: failed.orderId } })).refundReservedFen).toBe(0)
      const alerts = await db.notification.findMany({ where: { caseId: failed.caseId, messageKey: 'notice.refundFailed' } })
      const agents = await db.user.count({ where: { kind: 'AGENT' } })
      expect(alerts).toHaveLength(agents) // every agent, once
      expect(alerts.every((a) => a.category === 'SYSTEM')).toBe(true)
      expect(new Set(alerts.map((a) => a.userId)).has(w.agent.userId)).toBe(true)
      // The buyer is told too, and the case reads 退款异常, not 退款成功.
      expect(await db.notification.count({ where: { caseId: failed.caseId, messageKey: 'notice.refundDelayed', category: 'AFTER_SALES' } })).toBe(1)
      expect(await db.caseLog.count({ where: { caseId: failed.caseId, action: 'refund.failed' } })).toBe(1)

      // The network is back; an agent sends it again (same key: it never reached the gateway).
      const agent = { kind: 'AGENT' as const, userId: (await makeAgent(db)).id, displayName: 'A' }
      await retryRefund(w.deps, agent, { caseId: failed.caseId, refundId: first })
      expect(await db.refund.findUniqueOrThrow({ where: { id: first } })).toMatchObject({ status: 'PENDING', idempotencyKey: firstKey, attempts: 0 })
      await gateway.run(policy)
      expect((await gateway.settled(first)).status).toBe('SUCCEEDED')
      expect(gateway.sandbox.refunds().filter((r) => r.idempotencyKey === firstKey)).toHaveLength(1)
    } finally {
      await gateway.stop()
    }
  })

  it('a worker that dies after the gateway call: the next worker retries with the same key and nothing is paid twice', async () => {
    const w = await world()
    const c = await w.open()
    await merchantDecide(w.deps, w.main, c.id, { kind: 'APPROVE' })
    const refund = await db.refund.findFirstOrThrow({ where: { caseId: c.id } })
    // The sandbox pays at once and notifies the result 3 s later, so the lease is seen as the dead worker left it.
    const gateway = await startTestGateway(w.deps, {}, 3_000)
    try {
      // The first worker's call reaches the gateway, then the worker is gone: it never answers.
      const dying: PaymentGateway = { refund: async (request) => (await gateway.gateway.refund(request), new Promise<never>(() => {})), query: gateway.gateway.query }
      void gateway.run({ ...refundLanePolicy, batchSize: 100 }, dying)
      const until = Date.now() + 5_000
      while (!gateway.sandbox.refunds().some((r) => r.idempotencyKey === refund.idempotencyKey)) {
        if (Date.now() > until) throw new Error('the call never reached the gateway')
        await new Promise((r) => setTimeout(r, 10))
      }
      // Within the dead worker's lease nobody touches the row…
      await gateway.run()
      expect(gateway.sandbox.refunds().find((r) => r.idempotencyKey === refund.idempotencyKey)!.repeats).toBe(0)
      expect((await db.refund.findUniqueOrThrow({ where: { id: refund.id } })).status).toBe('PENDING')
      // …after it, the next worker calls again with the same key: the gateway answers with the first refund.
      w.clock.advance(refundLanePolicy.leaseMs + 1)
      await gateway.run({ ...refundLanePolicy, batchSize: 100 })
      expect((await db.refund.findUniqueOrThrow({ where: { id: refund.id } })).status).toBe('SUBMITTED')
      expect((await gateway.settled(refund.id, 15_000)).status).toBe('SUCCEEDED')
      const paid = gateway.sandbox.refunds().filter((r) => r.idempotencyKey === refund.idempotencyKey)
      expect(paid).toHaveLength(1)
      expect(paid[0]!.repeats).toBe(1)
      expect((await w.ledger()).refundedAt).not.toBeNull()
    } finally {
      await gateway.stop()
    }
  })

  it('a lost response (the gateway paid, the worker never heard): the retry is answered, not paid again', async () => {
    const w = await world()
    const c = await w.open()
    await merchantDecide(w.deps, w.main, c.id, { kind: 'APPROVE' })
    const refund = await db.refund.findFirstOrThrow({ where: { caseId: c.id } })
    const gateway = await startTestGateway(w.deps)
    try {
      // (The sandbox loses its first answer; other tests' refunds may be in the same pass, so this one goes alone.)
      const alone: PaymentGateway = { refund: (request) => (request.idempotencyKey === refund.idempotencyKey ? lose(request) : Promise.reject(new GatewayUnavailableError('not this test'))), query: gateway.gateway.query }
      const lose = async (request: Parameters<PaymentGateway['refund']>[0]) => {
        gateway.sandbox.inject('lost-response', 1)
        return gateway.gateway.refund(request)
      }
      await gateway.run({ ...refundLanePolicy, batchSize: 100 }, alone)
      expect((await db.refund.findUniqueOrThrow({ where: { id: refund.id } })).lastError).toBeTruthy()
      expect((await gateway.settled(refund.id)).status).toBe('SUCCEEDED') // its notification still came
      expect(gateway.sandbox.refunds().filter((r) => r.idempotencyKey === refund.idempotencyKey)).toHaveLength(1)
      w.clock.advance(refundLanePolicy.maxRetryMs)
      await gateway.run()
      expect(gateway.sandbox.refunds().filter((r) => r.idempotencyKey === refund.idempotencyKey)).toHaveLength(1)
    } finally {
      await gateway.stop()
    }
  })

  it('a declined refund is FAILED at once, gives the balance back, and a retry goes with a new key', async () => {
    const w = await world()
    const c = await w.open()
    await merchantDecide(w.deps, w.main, c.id, { kind: 'APPROVE' })
    const refund = await db.refund.findFirstOrThrow({ where: { caseId: c.id } })
    const gateway = await startTestGateway(w.deps, { decline: 1 })
    try {
      await gateway.run()
      expect(await gateway.settled(refund.id)).toMatchObject({ status: 'FAILED', failureKind: 'DECLINED' })
      expect((await w.ledger()).reserved).toBe(0)
      await retryRefund(w.deps, w.agent, { caseId: c.id, refundId: refund.id })
      const retried = await db.refund.findUniqueOrThrow({ where: { id: refund.id } })
      expect(retried.idempotencyKey).not.toBe(refund.idempotencyKey)
      expect(retried.gatewayRefundId).toBeNull() // the new key's notification must not be checked against the declined refund's id
      await gateway.run()
      expect((await gateway.settled(refund.id)).status).toBe('SUCCEEDED')
      expect((await w.ledger()).reserved).toBe(100_00)
    } finally {
      await gateway.stop()
    }
  })

  it('refuses a retry the balance no longer covers, and a retry of a refund that did not fail; agents see no case without platform history', async () => {
    const w = await world()
    const plain = await w.open()
    await merchantDecide(w.deps, w.main, plain.id, { kind: 'APPROVE' })
    const plainRefund = await db.refund.findFirstOrThrow({ where: { caseId: plain.id } })
    await expect(retryRefund(w.deps, w.agent, { caseId: plain.id, refundId: plainRefund.id })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await escalate(w.deps, w.buyer, { caseId: w.case.id, reason: 'OTHER', description: '' })
    await recordRuling(w.deps, w.agent, { caseId: w.case.id, liableParty: 'MERCHANT', outcome: 'FULL_REFUND', refundAmountFen: null, rationale: 'r' })
    const refund = await db.refund.findFirstOrThrow({ where: { caseId: w.case.id } })
    await expect(retryRefund(w.deps, w.agent, { caseId: w.case.id, refundId: refund.id })).rejects.toMatchObject({ code: 'REFUND_NOT_FAILED' })
    await expect(retryRefund(w.deps, w.agent, { caseId: w.case.id, refundId: 'not-a-uuid' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    // It failed, and meanwhile the whole balance went to another refund (set on the order directly here).
    await db.refund.update({ where: { id: refund.id }, data: { status: 'FAILED', failureKind: 'DECLINED' } })
    await db.order.update({ where: { id: refund.orderId }, data: { refundReservedFen: 300_00 } })
    await expect(retryRefund(w.deps, w.agent, { caseId: w.case.id, refundId: refund.id })).rejects.toMatchObject({ code: 'REFUND_ABOVE_BALANCE' })
    expect((await db.refund.findUniqueOrThrow({ where: { id: refund.id } })).status).toBe('FAILED')
  })

  it('after the last attempt, a refund the gateway cannot tell about stays pending and agents are told it is stuck (never FAILED while it may have been paid)', async () => {
    const w = await world()
    await escalate(w.deps, w.buyer, { caseId: w.case.id, reason: 'OTHER', description: '' })
    await recordRuling(w.deps, w.agent, { caseId: w.case.id, liableParty: 'MERCHANT', outcome: 'FULL_REFUND', refundAmountFen: null, rationale: 'r' })
    const refund = await db.refund.findFirstOrThrow({ where: { caseId: w.case.id } })
    const down: PaymentGateway = { refund: () => Promise.reject(new GatewayUnavailableError('ECONNREFUSED')), query: () => Promise.reject(new GatewayUnavailableError('ECONNREFUSED')) }
    const gateway = await startTestGateway(w.deps)
    try {
      await gateway.run({ ...refundLanePolicy, maxAttempts: 1, batchSize: 100 }, down)
      expect(await db.refund.findUniqueOrThrow({ where: { id: refund.id } })).toMatchObject({ status: 'PENDING', attempts: 1 })
      expect((await db.order.findUniqueOrThrow({ where: { id: refund.orderId } })).refundReservedFen).toBe(250_00)
      expect(await db.notification.count({ where: { caseId: w.case.id, messageKey: 'notice.refundStuck', userId: w.agent.userId } })).toBe(1)
    } finally {
      await gateway.stop()
    }
  })
})

describe('results the gateway reports', () => {
  async function pendingRefund() {
    const w = await world()
    const c = await w.open()
    await merchantDecide(w.deps, w.main, c.id, { kind: 'APPROVE' })
    return { w, c, refund: await db.refund.findFirstOrThrow({ where: { caseId: c.id } }) }
  }

  it('a question the gateway refuses (4xx) after the call may have gone through never releases the money', async () => {
    const { w, refund } = await pendingRefund()
    await db.refund.update({ where: { id: refund.id }, data: { status: 'SUBMITTED', nextAttemptAt: w.clock.now() } })
    const refusing: PaymentGateway = { refund: () => Promise.reject(new Error('unused')), query: () => Promise.reject(new GatewayRejectedError('BAD_SIGNATURE')) }
    await processDueRefunds(w.deps, refusing, 'http://127.0.0.1:9/notify', { ...refundLanePolicy, batchSize: 100 })
    expect(await db.refund.findUniqueOrThrow({ where: { id: refund.id } })).toMatchObject({ status: 'SUBMITTED' })
    expect((await w.ledger()).reserved).toBe(100_00)
    expect(await db.notification.count({ where: { messageKey: 'notice.refundStuck', userId: w.agent.userId } })).toBeGreaterThanOrEqual(1)
  })

  it('"this key was already used" on the first call is not a refusal to pay: held, not FAILED', async () => {
    const { w, refund } = await pendingRefund()
    const reused: PaymentGateway = { refund: () => Promise.reject(new GatewayRejectedError('IDEMPOTENCY_KEY_REUSED')), query: () => Promise.reject(new Error('unused')) }
    await processDueRefunds(w.deps, reused, 'http://127.0.0.1:9/notify', { ...refundLanePolicy, batchSize: 100 })
    expect((await db.refund.findUniqueOrThrow({ where: { id: refund.id } })).status).toBe('PENDING')
    expect((await w.ledger()).reserved).toBe(100_00)
  })

  it('a success reported after the refund was given up counts as paid again; with the balance gone, agents hear of an over-refund', async () => {
    const { w, refund } = await pendingRefund()
    const giveUp = () =>
      db.$transaction([
        db.refund.update({ where: { id: refund.id }, data: { status: 'FAILED', failureKind: 'UNAVAILABLE' } }),
        db.order.update({ where: { id: w.order.id }, data: { refundReservedFen: 0 } }),
      ])
    await giveUp()
    const result = { idempotencyKey: refund.idempotencyKey, gatewayRefundId: 'sbx_late', status: 'SUCCEEDED' as const, amountFen: 100_00 }
    expect(await applyGatewayResult(w.deps, result)).toEqual({ known: true, changed: true })
    expect(await db.refund.findUniqueOrThrow({ where: { id: refund.id } })).toMatchObject({ status: 'SUCCEEDED', gatewayRefundId: 'sbx_late' })
    expect((await w.ledger()).reserved).toBe(100_00)
    // Again, but meanwhile another refund took the balance: nothing goes negative, agents are told.
    await giveUp()
    await db.order.update({ where: { id: w.order.id }, data: { refundReservedFen: 100_00 } })
    expect(await applyGatewayResult(w.deps, { ...result, gatewayRefundId: 'sbx_late' })).toEqual({ known: true, changed: false })
    expect((await w.ledger()).reserved).toBe(100_00)
    expect(await db.notification.count({ where: { messageKey: 'notice.refundOverpaid', userId: w.agent.userId } })).toBe(1)
  })

  it('a signed result that does not describe the refund (another amount) settles nothing', async () => {
    const { w, refund } = await pendingRefund()
    expect(await applyGatewayResult(w.deps, { idempotencyKey: refund.idempotencyKey, gatewayRefundId: 'x', status: 'SUCCEEDED', amountFen: 1 })).toEqual({ known: true, changed: false })
    expect((await db.refund.findUniqueOrThrow({ where: { id: refund.id } })).status).toBe('PENDING')
  })

  it('the notification route: 405 for GET, 401 unsigned or tampered, 413 over 64 KB, a genuine one settles', async () => {
    const { action, loader } = await import('~/routes/payments.notify')
    const { refund } = await pendingRefund()
    const body = JSON.stringify({ idempotencyKey: refund.idempotencyKey, gatewayRefundId: 'sbx_route', status: 'SUCCEEDED', amountFen: 100_00, at: new Date().toISOString() })
    const post = (text: string, headers: Record<string, string> = {}) =>
      action({ request: new Request('http://portal.test/payments/notify', { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: text }), params: {}, context: {} }).catch((e: unknown) => e as Response)
    expect((loader() as Response).status).toBe(405)
    expect((await post(body)).status).toBe(401)
    const headers = signedGatewayHeaders(GATEWAY_SECRET, body)
    expect((await post(body.replace('sbx_route', 'sbx_other'), headers)).status).toBe(401)
    expect((await post('x'.repeat(70 * 1024), headers)).status).toBe(413)
    expect((await post(body, headers)).status).toBe(200)
    expect((await db.refund.findUniqueOrThrow({ where: { id: refund.id } })).status).toBe('SUCCEEDED')
  })
})

describe('what each party is told', () => {
  it("the case page's data carries no internal note and no agent id to a party", async () => {
    const w = await world()
    await escalate(w.deps, w.buyer, { caseId: w.case.id, reason: 'OTHER', description: '' })
    await requestEvidence(w.deps, w.agent, { caseId: w.case.id, party: 'MERCHANT', instructions: 'x', checklist: [] })
    await recordRuling(w.deps, w.agent, { caseId: w.case.id, liableParty: 'MERCHANT', outcome: 'REJECT_REQUEST', refundAmountFen: null, rationale: '证据不足', internalNote: 'SECRET-INTERNAL-NOTE' })
    for (const actor of [w.buyer, w.main]) {
      const view = await loadCaseView(db, actor, w.case.caseNo, w.clock.now(), w.deps.policy)
      const json = JSON.stringify(view)
      expect(json).not.toContain('SECRET-INTERNAL-NOTE')
      expect(json).not.toContain(w.agent.userId)
      expect(json).toContain('证据不足')
    }
    const agentView = JSON.stringify(await loadCaseView(db, w.agent, w.case.caseNo, w.clock.now(), w.deps.policy))
    expect(agentView).toContain('SECRET-INTERNAL-NOTE')
  })

  it('a rejected request cannot be escalated while a newer request on the order is open', async () => {
    const w = await world()
    const first = await w.open()
    await merchantDecide(w.deps, w.main, first.id, { kind: 'REJECT', reason: 'OTHER', message: '无问题', files: [proof()] })
    await w.open()
    await expect(escalate(w.deps, w.buyer, { caseId: first.id, reason: 'OTHER', description: '' })).rejects.toMatchObject({ code: 'OPEN_REQUEST_EXISTS' })
  })

  it('a merchant gives only a merchant\'s reasons for escalating', async () => {
    const w = await world()
    await expect(escalate(w.deps, w.main, { caseId: w.case.id, reason: 'MERCHANT_REJECTED_UNFAIRLY', description: '' })).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { field: 'reason' } })
  })

  it("lists show each party its own deadline, never the other's earlier one", async () => {
    const w = await world()
    await escalate(w.deps, w.buyer, { caseId: w.case.id, reason: 'OTHER', description: '' })
    await requestEvidence(w.deps, w.agent, { caseId: w.case.id, party: 'MERCHANT', instructions: 'x', checklist: [] })
    w.clock.advance(5 * HOUR)
    await requestEvidence(w.deps, w.agent, { caseId: w.case.id, party: 'BUYER', instructions: 'y', checklist: [] })
    const row = await db.afterSalesCase.findUniqueOrThrow({ where: { id: w.case.id }, select: { id: true, state: true, nextDeadlineAt: true } })
    const start = new TestClock().now().getTime()
    expect(row.nextDeadlineAt).toEqual(new Date(start + 24 * HOUR))
    const [merchantRow] = await withRowExtras(db, 'MERCHANT', [row])
    const [buyerRow] = await withRowExtras(db, 'BUYER', [row])
    expect(merchantRow!.deadline).toEqual(new Date(start + 24 * HOUR))
    expect(buyerRow!.deadline).toEqual(new Date(start + 29 * HOUR))
  })

  it("a buyer's reminder says what a buyer's timeout does (back to the agent), in minutes under an hour", async () => {
    const w = await world()
    await escalate(w.deps, w.buyer, { caseId: w.case.id, reason: 'OTHER', description: '' })
    const deps = { ...w.deps, policy: { ...w.deps.policy, dispute: { ...w.deps.policy.dispute, buyerEvidenceMs: 45 * 60_000 } } }
    await requestEvidence(deps, w.agent, { caseId: w.case.id, party: 'BUYER', instructions: '请上传照片', checklist: [] })
    const [email] = await db.emailOutbox.findMany({ where: { dedupeKey: { startsWith: `evidenceReminderBuyer:${w.case.id}:` } } })
    expect(email!.recipients).toEqual([(await db.user.findUniqueOrThrow({ where: { id: w.userIds.buyer } })).email])
    expect(email!.subject).toContain('45 分钟')
    expect(email!.subject).toContain('45 min')
    expect(email!.textBody).toContain('平台客服将依据现有材料判定')
    expect(email!.textBody).not.toContain('默认支持买家')
  })

  it('escalation emails go to each party alone', async () => {
    const w = await world()
    await escalate(w.deps, w.buyer, { caseId: w.case.id, reason: 'OTHER', description: '' })
    const emails = await db.emailOutbox.findMany({ where: { dedupeKey: { startsWith: `disputeOpened:${w.case.id}:` } } })
    expect(emails.length).toBe(4) // the buyer and three shop members allowed to refund
    for (const email of emails) expect(email.recipients).toHaveLength(1)
  })
})

