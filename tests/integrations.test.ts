import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultPolicy, withOverrides } from '~/domain/policy'
import { requireIntegration } from '~/infra/api-route.server'
import { deriveSecret, sign } from '~/infra/signing.server'
import { createIntegration, recordLogisticsEvent, recordShipment, upsertOrder } from '~/services/integration-api.server'
import { merchantDecide, openRequest, submitReturnShipment } from './commands'
import { startTestGateway } from './gateway'
import { deliverDueWebhooks, WEBHOOK_HEADERS } from '~/services/webhooks.server'
import { serviceDeps, disputeWorld, TestClock, testDb } from './support'

const db = testDb()
afterAll(() => db.$disconnect())

let seq = 0
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++seq}`

async function integration(kind: 'ORDER_SYSTEM' | 'CARRIER' = 'ORDER_SYSTEM') {
  return createIntegration(db, { name: 'ERP', kind, now: new Date(), keyId: unique('key') })
}

/** A signed request, as an integration would send it. */
function signed(path: string, creds: { keyId: string; secret: string }, body: unknown, options: { timestamp?: number; signature?: string } = {}) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body)
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000)
  return new Request(`http://portal.test/api/v1/${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Api-Key': creds.keyId, 'X-Timestamp': String(timestamp), 'X-Signature': options.signature ?? sign(creds.secret, timestamp, raw) },
    body: raw,
  })
}

async function call(request: Request, command: Parameters<typeof requireIntegration>[1]) {
  const response = await requireIntegration(request, command)
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

async function orderPayload() {
  const clock = new TestClock()
  const world = await disputeWorld(db, clock)
  const orderNo = unique('API').replace(/[^0-9A-Za-z-]/g, '')
  return {
    world,
    orderNo,
    body: (eventId: string, patch: Record<string, unknown> = {}) => ({
      eventId,
      order: {
        orderNo,
        shopId: world.shop.id,
        buyerId: world.buyer.buyerId,
        itemTitle: '龙井',
        paidAmountFen: 120_00,
        paidAt: '2026-11-20T10:00:00+08:00',
        customerName: '王',
        customerPhone: '13800000000',
        ...patch,
      },
    }),
  }
}

describe('order and logistics API', () => {
  it('upserts an order once per event id, whatever the number of repeats', async () => {
    const creds = await integration()
    const { orderNo, body } = await orderPayload()
    const first = await call(signed('orders', creds, body('evt-1')), upsertOrder)
    expect(first).toMatchObject({ status: 200, body: { ok: true, duplicate: false, created: true } })
    const repeats = await Promise.all([1, 2, 3].map(() => call(signed('orders', creds, body('evt-1')), upsertOrder)))
    expect(repeats.map((r) => r.body.duplicate)).toEqual([true, true, true])
    const update = await call(signed('orders', creds, body('evt-2', { itemTitle: '龙井 250g' })), upsertOrder)
    expect(update.body).toMatchObject({ duplicate: false, created: false })
    expect(await db.order.findUniqueOrThrow({ where: { orderNo } })).toMatchObject({ itemTitle: '龙井 250g', paidAmountFen: 120_00 })
  })

  it('refuses an event id reused for a different body', async () => {
    const creds = await integration()
    const { body } = await orderPayload()
    await call(signed('orders', creds, body('evt-x')), upsertOrder)
    const reused = await call(signed('orders', creds, body('evt-x', { itemTitle: 'other' })), upsertOrder)
    expect(reused).toMatchObject({ status: 409, body: { error: 'EVENT_ID_REUSED' } })
  })

  it.each([
    ['a wrong signature', { signature: 'ab'.repeat(32) }, 'SIGNATURE_INVALID'],
    ['a timestamp ten minutes old', { timestamp: Math.floor(Date.now() / 1000) - 600 }, 'TIMESTAMP_OUT_OF_WINDOW'],
  ])('answers 401 to %s and records nothing', async (_name, options, code) => {
    const creds = await integration()
    const { orderNo, body } = await orderPayload()
    const answer = await call(signed('orders', creds, body('evt-1'), options), upsertOrder)
    expect(answer).toMatchObject({ status: 401, body: { ok: false, error: code } })
    expect(await db.order.count({ where: { orderNo } })).toBe(0)
  })

  it('answers 401 to a revoked key and to a key signing with another key\'s secret', async () => {
    const a = await integration()
    const b = await integration()
    const { body } = await orderPayload()
    expect((await call(signed('orders', { keyId: a.keyId, secret: b.secret }, body('e')), upsertOrder)).status).toBe(401)
    await db.apiIntegration.update({ where: { keyId: a.keyId }, data: { revokedAt: new Date() } })
    expect((await call(signed('orders', a, body('e')), upsertOrder)).body).toMatchObject({ error: 'SIGNATURE_INVALID' })
  })

  it.each([
    ['not JSON', '{"eventId": ', 'INVALID_JSON', 'The body is not valid JSON.'],
    ['a negative amount', 'amount', 'INVALID_PAYLOAD', /^order\.paidAmountFen: /],
    ['an unknown field', 'extra', 'INVALID_PAYLOAD', /^order: Unrecognized key/],
  ])('answers 400 with the exact problem to %s', async (_name, variant, code, message) => {
    const creds = await integration()
    const { body } = await orderPayload()
    const payload =
      variant === 'amount' ? body('e', { paidAmountFen: -1 }) : variant === 'extra' ? body('e', { colour: 'red' }) : (variant as string)
    const answer = await call(signed('orders', creds, payload), upsertOrder)
    expect(answer.status).toBe(400)
    expect(answer.body.error).toBe(code)
    expect(answer.body.message).toMatch(message)
  })

  it('a carrier cannot upsert orders', async () => {
    const carrier = await integration('CARRIER')
    const { body } = await orderPayload()
    expect((await call(signed('orders', carrier, body('e')), upsertOrder)).status).toBe(403)
  })

  it('a shipment marks the order shipped; a "signed for" scan on a return parcel reaches its case', async () => {
    const erp = await integration()
    const carrier = await integration('CARRIER')
    const { world, orderNo, body } = await orderPayload()
    await call(signed('orders', erp, body('o1')), upsertOrder)
    const shipment = { eventId: 's1', orderNo, courier: 'SF', trackingNo: 'SF0001112223', shippedAt: '2026-11-21T09:00:00+08:00' }
    expect((await call(signed('shipments', erp, shipment), recordShipment)).status).toBe(200)
    expect(await db.order.findUniqueOrThrow({ where: { orderNo } })).toMatchObject({ shippedAt: new Date('2026-11-21T01:00:00Z'), shipTrackingNo: 'SF0001112223' })

    const deps = serviceDeps(db, new TestClock())
    const created = await openRequest(deps, world.buyer, { orderNo, type: 'RETURN_AND_REFUND', reason: 'DAMAGED', description: '', amountFen: null, files: [] })
    const address = await db.shopAddress.create({ data: { shopId: world.shop.id, label: 'W', contactName: 'Z', phone: '1', address: 'Hangzhou', createdAt: new Date() } })
    await merchantDecide(deps, world.main, created.id, { kind: 'APPROVE', addressId: address.id })
    await submitReturnShipment(deps, world.buyer, created.id, { courier: 'YTO', trackingNo: 'YT5550001112' })
    const scan = { eventId: 'c1', trackingNo: 'YT5550001112', kind: 'SIGNED', at: '2026-11-23T10:00:00+08:00' }
    const answer = await call(signed('logistics-events', carrier, scan), recordLogisticsEvent)
    expect(answer.body).toMatchObject({ ok: true, returnsSigned: 1 })
    expect((await call(signed('logistics-events', carrier, scan), recordLogisticsEvent)).body).toMatchObject({ duplicate: true })
    expect(await db.logisticsEvent.count({ where: { trackingNo: 'YT5550001112' } })).toBe(1)
    expect((await db.afterSalesCase.findUniqueOrThrow({ where: { id: created.id } })).parcelSignedAt).toEqual(new Date('2026-11-23T02:00:00Z'))
  })
})

describe('outbound webhooks', () => {
  type Received = { id: string; event: string; timestamp: string; signature: string; body: string }
  const received: Received[] = []
  let failNext = 0
  let server: http.Server
  let url = ''
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        received.push({
          id: String(req.headers[WEBHOOK_HEADERS.id.toLowerCase()]),
          event: String(req.headers[WEBHOOK_HEADERS.event.toLowerCase()]),
          timestamp: String(req.headers[WEBHOOK_HEADERS.timestamp.toLowerCase()]),
          signature: String(req.headers[WEBHOOK_HEADERS.signature.toLowerCase()]),
          body: Buffer.concat(chunks).toString(),
        })
        res.statusCode = failNext-- > 0 ? 500 : 204
        res.end()
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))
  // The receiver is on loopback: these tests run as an operator with EGRESS_ALLOW_PRIVATE=true would.
  const loopback = { allowPrivate: true, batchSize: 100 }

  it('signs each event, retries after the receiver fails with the same delivery id, and never delivers twice', async () => {
    const clock = new TestClock(new Date())
    const deps = serviceDeps(db, clock)
    const world = await disputeWorld(db, clock)
    const subscription = await db.webhookSubscription.create({ data: { shopId: world.shop.id, url, events: ['refund.approved', 'refund.issued', 'case.state_changed'], createdAt: clock.now() } })
    const order = await db.order.create({
      data: { orderNo: unique('WH'), shopId: world.shop.id, buyerId: world.buyer.buyerId, itemTitle: 'Tea', paidAmountFen: 50_00, paidAt: clock.now(), customerName: 'C', customerPhone: '13800000000', shippedAt: clock.now() },
    })
    const created = await openRequest(deps, world.buyer, { orderNo: order.orderNo, type: 'REFUND_ONLY', reason: 'OTHER', description: '', amountFen: null, files: [] })
    await merchantDecide(deps, world.main, created.id, { kind: 'APPROVE' })
    const gateway = await startTestGateway(deps)
    try {
      await gateway.run()
      await gateway.settled((await db.refund.findFirstOrThrow({ where: { caseId: created.id } })).id)
    } finally {
      await gateway.stop()
    }
    const queued = await db.webhookDelivery.findMany({ where: { subscriptionId: subscription.id }, orderBy: { createdAt: 'asc' } })
    // opened, refunded (two state changes), refund approved, refund issued
    expect(queued.map((d) => d.eventType).sort()).toEqual(['case.state_changed', 'case.state_changed', 'refund.approved', 'refund.issued'])

    received.length = 0
    failNext = 1
    const mine = () => received.filter((r) => queued.some((q) => q.id === r.id))
    const first = await deliverDueWebhooks(db, () => clock.now(), defaultPolicy, loopback)
    expect(first.failed).toBeGreaterThanOrEqual(1)
    const failedId = mine()[0]!.id
    // Nothing is retried before its backoff; after it, the failed one goes again with the same id.
    await deliverDueWebhooks(db, () => clock.now(), defaultPolicy, loopback)
    expect(mine().filter((r) => r.id === failedId)).toHaveLength(1)
    clock.advance(defaultPolicy.integrations.webhookFirstRetryMs)
    await deliverDueWebhooks(db, () => clock.now(), defaultPolicy, loopback)
    expect(mine().filter((r) => r.id === failedId)).toHaveLength(2)
    clock.advance(defaultPolicy.integrations.webhookMaxRetryMs)
    await deliverDueWebhooks(db, () => clock.now(), defaultPolicy, loopback)

    const after = await db.webhookDelivery.findMany({ where: { subscriptionId: subscription.id } })
    expect(after.every((d) => d.status === 'DELIVERED')).toBe(true)
    expect(after.find((d) => d.id === failedId)).toMatchObject({ attempts: 2, lastStatusCode: 204 })
    // Each delivery id arrived once, except the one that failed (twice, same id).
    const counts = new Map<string, number>()
    for (const r of mine()) counts.set(r.id, (counts.get(r.id) ?? 0) + 1)
    expect([...counts.values()].sort()).toEqual([1, 1, 1, 2])
    // The receiver can verify every request with the subscription's secret.
    for (const r of mine()) {
      expect(r.signature).toBe(sign(deriveSecret('webhook', subscription.id), Number(r.timestamp), r.body))
      expect(JSON.parse(r.body)).toMatchObject({ type: r.event, shopId: world.shop.id })
    }
    const refunded = mine().find((r) => r.event === 'refund.issued')!
    expect(JSON.parse(refunded.body)).toMatchObject({ data: { orderNo: order.orderNo, amountFen: 50_00 } })
  })

  it('gives up after the last attempt and tells the members who manage settings, once', async () => {
    const clock = new TestClock(new Date())
    const deps = serviceDeps(db, clock)
    const world = await disputeWorld(db, clock)
    const policy = withOverrides({ integrations: { webhookMaxAttempts: 2 } })
    const subscription = await db.webhookSubscription.create({ data: { shopId: world.shop.id, url, events: ['case.state_changed'], createdAt: clock.now() } })
    const order = await db.order.create({
      data: { orderNo: unique('WG'), shopId: world.shop.id, buyerId: world.buyer.buyerId, itemTitle: 'Tea', paidAmountFen: 50_00, paidAt: clock.now(), customerName: 'C', customerPhone: '13800000000', shippedAt: clock.now() },
    })
    await openRequest(deps, world.buyer, { orderNo: order.orderNo, type: 'REFUND_ONLY', reason: 'OTHER', description: '', amountFen: null, files: [] })
    const shopUsers = Object.values(world.userIds)
    const notices = () => db.notification.findMany({ where: { messageKey: 'notice.webhookGaveUp', userId: { in: shopUsers } } })
    failNext = 100
    await deliverDueWebhooks(db, () => clock.now(), policy, loopback) // attempt 1 fails: retried later
    expect(await notices()).toHaveLength(0)
    clock.advance(policy.integrations.webhookMaxRetryMs)
    await deliverDueWebhooks(db, () => clock.now(), policy, loopback) // attempt 2 fails: given up
    const delivery = await db.webhookDelivery.findFirstOrThrow({ where: { subscriptionId: subscription.id } })
    expect(delivery).toMatchObject({ status: 'FAILED', attempts: 2, lastStatusCode: 500, lastError: 'HTTP_STATUS' })
    // Of main, customer-service admin and two custom sub-accounts, only the main account manages settings.
    const told = await notices()
    expect(told.map((n) => n.userId)).toEqual([world.userIds.main])
    expect(told[0]).toMatchObject({ category: 'SYSTEM', caseId: null, params: { event: 'case.state_changed', attempts: 2, error: 'HTTP 500' } })
    clock.advance(policy.integrations.webhookMaxRetryMs)
    await deliverDueWebhooks(db, () => clock.now(), policy, loopback) // nothing left to try
    expect(await notices()).toHaveLength(1)
    failNext = 0
  })

  it('two workers racing deliver each event once', async () => {
    const clock = new TestClock(new Date())
    const deps = serviceDeps(db, clock)
    const world = await disputeWorld(db, clock)
    const subscription = await db.webhookSubscription.create({ data: { shopId: world.shop.id, url, events: ['case.state_changed'], createdAt: clock.now() } })
    const order = await db.order.create({
      data: { orderNo: unique('WR'), shopId: world.shop.id, buyerId: world.buyer.buyerId, itemTitle: 'Tea', paidAmountFen: 50_00, paidAt: clock.now(), customerName: 'C', customerPhone: '13800000000', shippedAt: clock.now() },
    })
    await openRequest(deps, world.buyer, { orderNo: order.orderNo, type: 'REFUND_ONLY', reason: 'OTHER', description: '', amountFen: null, files: [] })
    received.length = 0
    failNext = 0
    await Promise.all([deliverDueWebhooks(db, () => clock.now(), defaultPolicy, loopback), deliverDueWebhooks(db, () => clock.now(), defaultPolicy, loopback)])
    const ids = (await db.webhookDelivery.findMany({ where: { subscriptionId: subscription.id } })).map((d) => d.id)
    expect(received.filter((r) => ids.includes(r.id))).toHaveLength(ids.length)
  })
})
