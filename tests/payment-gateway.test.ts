// The payment gateway client against the sandbox gateway, over real HTTP: idempotent refunds, injected failures,
// signed notifications (and their retries), persistence across a restart, and the sandbox's page.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  GATEWAY_HEADERS,
  GatewayRejectedError,
  GatewayUnavailableError,
  httpPaymentGateway,
  signedGatewayHeaders,
  verifyGatewayNotification,
  type GatewayRefundRequest,
} from '~/infra/payment-gateway.server'
import { parseFailurePlan, startSandboxGateway, type SandboxGateway } from '../scripts/sandbox-gateway'

const secret = 'sandbox-gateway-test-secret-0123456789'
type Received = { raw: string; timestamp: string | null; signature: string | null; key: string }

let sandbox: SandboxGateway
let receiver: http.Server
let receiverUrl = ''
let received: Received[] = []
const receiverFailures = new Map<string, number>() // per key: how many notifications the receiver answers with 500 first

/** A server on port 0 that answers with `handler`; closed after all tests. */
async function listen(handler: http.RequestListener): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}
const close = (server: http.Server) => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve())))

/** Polls until `probe` returns something truthy; fails after `timeoutMs`. */
async function waitFor<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 5_000): Promise<Exclude<T, false | 0 | '' | null | undefined>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value) return value as Exclude<T, false | 0 | '' | null | undefined>
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

let seq = 0
const uniqueKey = () => `refund-${Date.now().toString(36)}-${++seq}`
const request = (patch: Partial<GatewayRefundRequest> = {}): GatewayRefundRequest => ({
  idempotencyKey: uniqueKey(),
  orderNo: 'ORD-1001',
  paidAmountFen: 5000,
  amountFen: 1234,
  notifyUrl: `${receiverUrl}/notify`,
  ...patch,
})
const client = (baseUrl = sandbox.url, options: { secret?: string; timeoutMs?: number } = {}) =>
  httpPaymentGateway({ baseUrl, secret: options.secret ?? secret, timeoutMs: options.timeoutMs })
const recordsFor = (gateway: SandboxGateway, key: string) => gateway.refunds().filter((r) => r.idempotencyKey === key)
const notificationsFor = (key: string) => received.filter((n) => n.key === key)
const verified = (n: Received) => verifyGatewayNotification(secret, n, n.raw)

beforeAll(async () => {
  const started = await listen((req, res) => {
    let raw = ''
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')))
    req.on('end', () => {
      const header = (name: string) => (req.headers[name.toLowerCase()] as string | undefined) ?? null
      const key = (JSON.parse(raw) as { idempotencyKey: string }).idempotencyKey
      const failures = receiverFailures.get(key) ?? 0
      if (failures > 0) {
        receiverFailures.set(key, failures - 1)
        res.writeHead(500).end()
        return
      }
      received.push({ raw, timestamp: header(GATEWAY_HEADERS.timestamp), signature: header(GATEWAY_HEADERS.signature), key })
      res.writeHead(204).end()
    })
  })
  receiver = started.server
  receiverUrl = started.url
  sandbox = await startSandboxGateway({ port: 0, secret, notifyDelayMs: 10 })
})
afterAll(async () => {
  await sandbox.stop()
  await close(receiver)
})
beforeEach(() => {
  sandbox.clearFailures()
})

describe('refunds through the sandbox gateway', () => {
  it('accepts a refund, then sends a signed SUCCEEDED notification that verifies', async () => {
    const req = request()
    const refund = await client().refund(req)
    expect(refund).toMatchObject({ idempotencyKey: req.idempotencyKey, status: 'PROCESSING', amountFen: 1234 })
    expect(refund.gatewayRefundId).toMatch(/^sbx_/)

    const [notification] = await waitFor(() => notificationsFor(req.idempotencyKey).length > 0 && notificationsFor(req.idempotencyKey), 'the notification')
    const settled = { idempotencyKey: req.idempotencyKey, gatewayRefundId: refund.gatewayRefundId, status: 'SUCCEEDED', amountFen: 1234 }
    expect(verified(notification!)).toMatchObject(settled)
    expect(await client().query(req.idempotencyKey)).toEqual(settled)
    // The receiver records before it answers, so the sandbox learns of the 204 a moment later.
    await waitFor(() => recordsFor(sandbox, req.idempotencyKey)[0]?.lastNotifyStatus === 204, 'the sandbox to record the delivery')
    expect(recordsFor(sandbox, req.idempotencyKey)[0]!.notifyAttempts).toBe(1)
  })

  it('pays once for one key, even when the same request arrives several times at once', async () => {
    const req = request()
    const first = await client().refund(req)
    const repeats = await Promise.all([1, 2, 3].map(() => client().refund(req)))
    expect(repeats.map((r) => r.gatewayRefundId)).toEqual([first.gatewayRefundId, first.gatewayRefundId, first.gatewayRefundId])
    expect(recordsFor(sandbox, req.idempotencyKey)).toHaveLength(1)
    expect(recordsFor(sandbox, req.idempotencyKey)[0]!.repeats).toBe(3)

    const concurrent = request()
    const answers = await Promise.all([1, 2, 3, 4].map(() => client().refund(concurrent)))
    expect(new Set(answers.map((r) => r.gatewayRefundId)).size).toBe(1)
    expect(recordsFor(sandbox, concurrent.idempotencyKey)).toHaveLength(1)
  })

  it('rejects the same key with another amount or order, and amounts that cannot be refunded', async () => {
    const req = request()
    await client().refund(req)
    await expect(client().refund({ ...req, amountFen: 999 })).rejects.toMatchObject({ name: 'GatewayRejectedError', code: 'IDEMPOTENCY_KEY_REUSED' })
    await expect(client().refund({ ...req, orderNo: 'ORD-OTHER' })).rejects.toBeInstanceOf(GatewayRejectedError)
    expect(recordsFor(sandbox, req.idempotencyKey)).toMatchObject([{ amountFen: 1234, repeats: 0 }])

    for (const amountFen of [0, -1, 12.5, 5001]) {
      await expect(client().refund(request({ amountFen }))).rejects.toMatchObject({ code: 'INVALID_AMOUNT' })
    }
    for (const bad of [{ notifyUrl: 'file:///etc/passwd' }, { idempotencyKey: 'a/b' }, { idempotencyKey: '' }, { orderNo: '' }]) {
      await expect(client().refund(request(bad)), JSON.stringify(bad)).rejects.toMatchObject({ code: 'INVALID_REQUEST' })
    }
  })

  it('unavailable: the client gets GatewayUnavailableError, nothing is recorded, and the retry with the same key pays once', async () => {
    sandbox.inject('unavailable', 1)
    const req = request()
    await expect(client().refund(req)).rejects.toBeInstanceOf(GatewayUnavailableError)
    expect(recordsFor(sandbox, req.idempotencyKey)).toHaveLength(0)
    expect(await client().query(req.idempotencyKey)).toBeNull()

    const refund = await client().refund(req)
    expect(refund.status).toBe('PROCESSING')
    expect(recordsFor(sandbox, req.idempotencyKey)).toHaveLength(1)
  })

  it('lost response: the refund went through although the client saw a transport error; the retry returns it without paying again', async () => {
    sandbox.inject('lost-response', 1)
    const req = request()
    await expect(client().refund(req)).rejects.toBeInstanceOf(GatewayUnavailableError)
    const known = await client().query(req.idempotencyKey)
    expect(known).toMatchObject({ idempotencyKey: req.idempotencyKey, amountFen: 1234 })

    const retried = await client().refund(req)
    expect(retried.gatewayRefundId).toBe(known!.gatewayRefundId)
    expect(recordsFor(sandbox, req.idempotencyKey)).toMatchObject([{ repeats: 1 }])
  })

  it('decline: accepted as PROCESSING, then a FAILED notification; the next refund succeeds', async () => {
    sandbox.inject('decline', 1)
    const req = request()
    expect((await client().refund(req)).status).toBe('PROCESSING')
    const [notification] = await waitFor(() => notificationsFor(req.idempotencyKey).length > 0 && notificationsFor(req.idempotencyKey), 'the notification')
    expect(verified(notification!)).toMatchObject({ status: 'FAILED', failureReason: 'DECLINED_BY_SANDBOX' })
    expect(await client().query(req.idempotencyKey)).toMatchObject({ status: 'FAILED', failureReason: 'DECLINED_BY_SANDBOX' })

    const next = request()
    await client().refund(next)
    await waitFor(async () => (await client().query(next.idempotencyKey))?.status === 'SUCCEEDED', 'the next refund to succeed')
  })

  it('retries the notification until the receiver answers 2xx', async () => {
    const req = request()
    receiverFailures.set(req.idempotencyKey, 1)
    await client().refund(req)
    await waitFor(() => recordsFor(sandbox, req.idempotencyKey)[0]?.lastNotifyStatus === 204, 'the retried notification')
    expect(recordsFor(sandbox, req.idempotencyKey)[0]!.notifyAttempts).toBe(2)
    expect(notificationsFor(req.idempotencyKey)).toHaveLength(1)
    expect(verified(notificationsFor(req.idempotencyKey)[0]!)).toMatchObject({ status: 'SUCCEEDED' })
  })
})

describe('signatures', () => {
  it('verifyGatewayNotification refuses a wrong signature or secret, a stale or missing timestamp, a tampered or malformed body', async () => {
    const req = request()
    await client().refund(req)
    const genuine = await waitFor(() => notificationsFor(req.idempotencyKey)[0], 'the notification')
    expect(verified(genuine)).not.toBeNull()

    const at = new Date(Number(genuine.timestamp) * 1000)
    const flipped = genuine.signature!.replace(/^./, (c) => (c === '0' ? '1' : '0'))
    expect(verifyGatewayNotification(secret, { ...genuine, signature: flipped }, genuine.raw)).toBeNull()
    expect(verifyGatewayNotification('another-secret-that-is-long-enough-0000', genuine, genuine.raw)).toBeNull()
    expect(verifyGatewayNotification(secret, genuine, genuine.raw, new Date(at.getTime() + 6 * 60_000))).toBeNull()
    expect(verifyGatewayNotification(secret, genuine, genuine.raw, new Date(at.getTime() + 4 * 60_000))).not.toBeNull()
    expect(verifyGatewayNotification(secret, { ...genuine, timestamp: null }, genuine.raw)).toBeNull()
    expect(verifyGatewayNotification(secret, genuine, genuine.raw.replace('"amountFen":1234', '"amountFen":123400'))).toBeNull()

    // Signed correctly but not a notification.
    const body = JSON.stringify({ idempotencyKey: req.idempotencyKey, status: 'PROCESSING' })
    const headers = signedGatewayHeaders(secret, body)
    expect(verifyGatewayNotification(secret, { timestamp: headers[GATEWAY_HEADERS.timestamp]!, signature: headers[GATEWAY_HEADERS.signature]! }, body)).toBeNull()
  })

  it('the sandbox answers 401 to unsigned or wrongly signed /v1 requests and records nothing', async () => {
    const req = request()
    const unsigned = await fetch(`${sandbox.url}/v1/refunds`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(req) })
    expect(unsigned.status).toBe(401)
    expect(await unsigned.json()).toEqual({ error: 'BAD_SIGNATURE' })
    expect((await fetch(`${sandbox.url}/v1/refunds/${req.idempotencyKey}`)).status).toBe(401)
    await expect(client(sandbox.url, { secret: 'not-the-sandbox-secret-0123456789abcdef' }).refund(req)).rejects.toMatchObject({ code: 'BAD_SIGNATURE' })
    expect(recordsFor(sandbox, req.idempotencyKey)).toHaveLength(0)
  })
})

describe('client transport', () => {
  let behaviour: 'redirect' | 'hang' | 'garbled' | 'bare-404' = 'redirect'
  let misbehaving: { server: http.Server; url: string }
  beforeAll(async () => {
    misbehaving = await listen((_req, res) => {
      if (behaviour === 'redirect') res.writeHead(307, { Location: `${sandbox.url}/v1/refunds` }).end()
      else if (behaviour === 'garbled') res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"SUCCEEDED"')
      else if (behaviour === 'bare-404') res.writeHead(404).end('Not Found')
      // 'hang': never answers
    })
  })
  afterAll(() => close(misbehaving.server))

  it('treats redirects, timeouts, refused connections and garbled answers as unavailable, and only the gateway’s own 404 as unknown', async () => {
    const req = request()
    for (const mode of ['redirect', 'hang', 'garbled'] as const) {
      behaviour = mode
      await expect(client(misbehaving.url, { timeoutMs: 200 }).refund(req), mode).rejects.toBeInstanceOf(GatewayUnavailableError)
    }
    expect(recordsFor(sandbox, req.idempotencyKey)).toHaveLength(0) // the redirect was not followed to the sandbox
    await expect(client('http://127.0.0.1:9').refund(req)).rejects.toBeInstanceOf(GatewayUnavailableError)

    behaviour = 'bare-404'
    await expect(client(misbehaving.url).query(req.idempotencyKey)).rejects.toBeInstanceOf(GatewayRejectedError)
    expect(await client().query(req.idempotencyKey)).toBeNull()
  })
})

describe('sandbox persistence and controls', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sandbox-gateway-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('keeps refunds across a restart: a repeat of a key does not pay again, and a refund still processing is finished', async () => {
    const dataFile = path.join(dir, 'refunds.json')
    let first = await startSandboxGateway({ port: 0, secret, notifyDelayMs: 10, dataFile })
    const settled = request()
    const refund = await client(first.url).refund(settled)
    // Stopped once the sandbox knows the notification was delivered (before that, a restart sends it again).
    await waitFor(() => recordsFor(first, settled.idempotencyKey)[0]?.lastNotifyStatus === 204, 'the delivered notification')
    await first.stop()
    expect(notificationsFor(settled.idempotencyKey)).toHaveLength(1)

    // A slow gateway stopped before it processed the second refund.
    first = await startSandboxGateway({ port: 0, secret, notifyDelayMs: 60_000, dataFile })
    const pending = request()
    await client(first.url).refund(pending)
    await first.stop()
    expect(readdirSync(dir)).toEqual(['refunds.json']) // the temp file was renamed over it

    const restarted = await startSandboxGateway({ port: 0, secret, notifyDelayMs: 10, dataFile })
    try {
      expect(recordsFor(restarted, settled.idempotencyKey)).toMatchObject([{ gatewayRefundId: refund.gatewayRefundId, status: 'SUCCEEDED' }])
      expect((await client(restarted.url).refund(settled)).gatewayRefundId).toBe(refund.gatewayRefundId)
      expect(recordsFor(restarted, settled.idempotencyKey)).toMatchObject([{ repeats: 1 }])
      await waitFor(() => notificationsFor(pending.idempotencyKey).length === 1, 'the pending refund to be notified after the restart')
      expect(notificationsFor(settled.idempotencyKey)).toHaveLength(1) // a delivered notification is not sent again
    } finally {
      await restarted.stop()
    }
    expect(existsSync(dataFile)).toBe(true)
  })

  it('parseFailurePlan reads mode:count lists and refuses anything else', () => {
    expect(parseFailurePlan(undefined)).toEqual({})
    expect(parseFailurePlan('')).toEqual({})
    expect(parseFailurePlan('unavailable:2,decline:1')).toEqual({ unavailable: 2, decline: 1 })
    expect(parseFailurePlan(' lost-response:always , unavailable:0 ')).toEqual({ 'lost-response': Infinity, unavailable: 0 })
    for (const bad of ['unavailable', 'unavailable:', 'unavailable:-1', 'unavailable:1.5', 'timeout:1', 'decline:1:2', 'decline:sometimes']) {
      expect(() => parseFailurePlan(bad), bad).toThrow(/Bad failure plan entry/)
    }
  })

  it('the page lists refunds with every value escaped, and its forms inject and clear failures', async () => {
    const req = request({ orderNo: '<script>alert("x")</script>', amountFen: 1234 })
    await client().refund(req)
    const html = await (await fetch(`${sandbox.url}/`)).text()
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;')
    expect(html).not.toContain('<script>')
    expect(html).toContain('¥12.34')
    expect(html).toContain(req.idempotencyKey)
    const listed = (await (await fetch(`${sandbox.url}/api/refunds`)).json()) as { idempotencyKey: string }[]
    expect(listed[0]!.idempotencyKey).toBe(req.idempotencyKey) // newest first

    const post = (action: string, form: Record<string, string> = {}) =>
      fetch(`${sandbox.url}${action}`, { method: 'POST', body: new URLSearchParams(form), redirect: 'manual' })
    const injected = await post('/failures', { mode: 'unavailable', count: 'always' })
    expect([injected.status, injected.headers.get('location')]).toEqual([303, '/'])
    expect(await (await fetch(`${sandbox.url}/`)).text()).toContain('unavailable: always')
    await expect(client().refund(request())).rejects.toBeInstanceOf(GatewayUnavailableError)
    await expect(client().refund(request())).rejects.toBeInstanceOf(GatewayUnavailableError)
    expect((await post('/failures/clear')).status).toBe(303)
    expect((await client().refund(request())).status).toBe('PROCESSING')
    expect((await post('/failures', { mode: 'explode', count: '1' })).status).toBe(400)
  })
})
