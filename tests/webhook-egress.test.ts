// Webhook receivers are merchants' choice, so they must not reach the portal's own network: refused
// at registration and again at delivery, after resolution, connecting only to the checked address.
// No traffic leaves loopback here: public addresses are only ever checked, and names are resolved
// by injected resolvers.
import http from 'node:http'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { defaultPolicy, withOverrides, type Policy } from '~/domain/policy'
import { checkEgressUrl, isPublicAddress, pinnedLookup, type ResolvedAddress, type Resolver } from '~/infra/safe-egress.server'
import { addWebhook, loadShopSettings } from '~/services/shop-settings.server'
import { deliverDueWebhooks, WEBHOOK_HEADERS } from '~/services/webhooks.server'
import { disputeWorld, TestClock, testDb } from './support'

const db = testDb()
afterAll(() => db.$disconnect())

const answers =
  (...addresses: string[]): Resolver =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }) satisfies ResolvedAddress)
const notFound: Resolver = async (hostname) => {
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' })
}
const strict = { allowPrivate: false }

// Every way an attacker wrote the portal's own network, as registered in the incident and beyond.
const PRIVATE_URLS = [
  'http://127.0.0.1:8080/x',
  'http://localhost:8080/x',
  'http://LOCALHOST./x',
  'http://app.localhost/x',
  'http://127.1/x',
  'http://2130706433/x',
  'http://0x7f.1/x',
  'http://017700000001/x',
  'http://0.0.0.0/x',
  'http://0/x',
  'http://169.254.169.254/latest/meta-data/',
  'http://10.0.0.1/x',
  'http://192.168.1.1/x',
  'http://172.16.0.1/x',
  'http://172.31.255.255/x',
  'http://100.64.0.1/x',
  'http://224.0.0.1/x',
  'http://255.255.255.255/x',
  'http://240.0.0.1/x',
  'http://192.0.0.1/x',
  'http://198.18.0.1/x',
  'http://[fd00::1]/x',
  'http://[::1]/x',
  'http://[::]/x',
  'http://[fe80::1]/x',
  'http://[ff02::1]/x',
  'http://[::ffff:127.0.0.1]/x',
  'http://[::ffff:169.254.169.254]/x',
  'http://[::ffff:7f00:1]/x',
  'http://[64:ff9b::10.0.0.1]/x',
  'http://[2002:7f00:1::1]/x',
  'http://metadata.google.internal/computeMetadata/v1/',
  'http://metadata/computeMetadata/v1/',
  'https://printer.local/x',
]

describe('checkEgressUrl', () => {
  it.each(PRIVATE_URLS)('refuses %s', async (url) => {
    // Names on the internal list are refused before DNS; the rest are literals.
    expect(await checkEgressUrl(url, { allowPrivate: false, resolve: answers('93.184.216.34') })).toEqual({ ok: false, reason: 'PRIVATE_ADDRESS' })
  })

  it('refuses metadata.google.internal whether it resolves or not', async () => {
    for (const resolve of [answers('169.254.169.254'), notFound, undefined]) {
      expect(await checkEgressUrl('http://metadata.google.internal/', { allowPrivate: false, resolve })).toMatchObject({ ok: false })
    }
  })

  it('refuses a name if any of its addresses is private, and a name that resolves to nothing', async () => {
    expect(await checkEgressUrl('https://erp.example.com/h', { ...strict, resolve: answers('93.184.216.34', '10.0.0.7') })).toEqual({ ok: false, reason: 'PRIVATE_ADDRESS' })
    expect(await checkEgressUrl('https://erp.example.com/h', { ...strict, resolve: answers('::ffff:127.0.0.1') })).toEqual({ ok: false, reason: 'PRIVATE_ADDRESS' })
    expect(await checkEgressUrl('https://erp.example.com/h', { ...strict, resolve: answers() })).toEqual({ ok: false, reason: 'UNRESOLVABLE' })
    expect(await checkEgressUrl('https://erp.example.com/h', { ...strict, resolve: notFound })).toEqual({ ok: false, reason: 'UNRESOLVABLE' })
    expect(await checkEgressUrl('https://erp.example.com/h', { ...strict, resolve: answers('not-an-ip') })).toEqual({ ok: false, reason: 'UNRESOLVABLE' })
  })

  it('accepts public addresses (checked only: nothing is sent)', async () => {
    expect(await checkEgressUrl('http://93.184.216.34/h', strict)).toMatchObject({ ok: true, host: '93.184.216.34', addresses: [{ address: '93.184.216.34', family: 4 }] })
    expect(await checkEgressUrl('https://[2606:2800:220:1:248:1893:25c8:1946]/h', strict)).toMatchObject({ ok: true, host: '2606:2800:220:1:248:1893:25c8:1946' })
    expect(await checkEgressUrl('https://erp.example.com/h', { ...strict, resolve: answers('93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946') })).toMatchObject({
      ok: true,
      host: 'erp.example.com',
    })
  })

  it('refuses what is not an http(s) URL', async () => {
    expect(await checkEgressUrl('ftp://93.184.216.34/', strict)).toEqual({ ok: false, reason: 'NOT_HTTP' })
    expect(await checkEgressUrl('file:///etc/passwd', strict)).toEqual({ ok: false, reason: 'NOT_HTTP' })
    expect(await checkEgressUrl('not a url', strict)).toEqual({ ok: false, reason: 'BAD_URL' })
    expect(await checkEgressUrl('http://user:pass@93.184.216.34/', strict)).toEqual({ ok: false, reason: 'BAD_URL' })
  })

  it('lets the operator allow private targets (development, local receivers)', async () => {
    expect(await checkEgressUrl('http://127.1:8080/x', { allowPrivate: true })).toMatchObject({ ok: true, host: '127.0.0.1' })
    expect(await checkEgressUrl('http://localhost:8080/x', { allowPrivate: true, resolve: answers('127.0.0.1') })).toMatchObject({ ok: true })
  })
})

describe('isPublicAddress', () => {
  it.each([
    ['93.184.216.34', true],
    ['8.8.8.8', true],
    ['172.32.0.1', true],
    ['100.128.0.1', true],
    ['2606:4700::1111', true],
    ['::ffff:93.184.216.34', false], // mapped into IPv6: refused outright, public or not
    ['64:ff9b::5db8:d822', true], // NAT64 of 93.184.216.34
    ['127.255.255.254', false],
    ['172.16.0.1', false],
    ['100.127.255.255', false],
    ['::ffff:10.0.0.1', false],
    ['64:ff9b::a00:1', false],
    ['fc00::1', false],
    ['fdff:ffff::1', false],
    ['febf::1', false],
    ['2001:db8::1', false],
    ['::127.0.0.1', false],
    ['not-an-ip', false],
  ])('%s → %s', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected)
  })
})

describe('pinnedLookup', () => {
  const lookup = (addresses: ResolvedAddress[], options: { all?: boolean; family?: number }, allowPrivate = false) =>
    new Promise<unknown>((resolve) =>
      pinnedLookup(addresses, { allowPrivate })('anything.example', options, (err, address, family) => resolve({ err: err?.code, address, family })),
    )

  it('answers with the checked addresses whatever name it is asked for, and never a private one unless allowed', async () => {
    const checked: ResolvedAddress[] = [
      { address: '93.184.216.34', family: 4 },
      { address: '2606:4700::1111', family: 6 },
    ]
    expect(await lookup(checked, {})).toEqual({ err: undefined, address: '93.184.216.34', family: 4 })
    expect(await lookup(checked, { family: 6 })).toEqual({ err: undefined, address: '2606:4700::1111', family: 6 })
    expect(await lookup(checked, { all: true })).toEqual({ err: undefined, address: checked, family: undefined })
    expect(await lookup([{ address: '127.0.0.1', family: 4 }], {})).toMatchObject({ err: 'ENOTFOUND' })
    expect(await lookup([{ address: '127.0.0.1', family: 4 }], {}, true)).toMatchObject({ address: '127.0.0.1' })
  })
})

describe('registration', () => {
  async function shop() {
    const clock = new TestClock()
    const world = await disputeWorld(db, clock)
    return { world, deps: { db, clock, policy: defaultPolicy } }
  }
  const events = ['refund.issued']

  it.each(PRIVATE_URLS)('refuses %s with a named error', async (url) => {
    const { world, deps } = await shop()
    // Without an egress setting a service refuses private targets too.
    await expect(addWebhook(deps, world.main, { url, events })).rejects.toMatchObject({ code: 'WEBHOOK_URL_NOT_ALLOWED' })
    await expect(addWebhook({ ...deps, egress: { allowPrivate: false, resolve: answers('93.184.216.34') } }, world.main, { url, events })).rejects.toMatchObject({
      code: 'WEBHOOK_URL_NOT_ALLOWED',
    })
    expect(await db.webhookSubscription.count({ where: { shopId: world.shop.id } })).toBe(0)
  })

  it('refuses a name that resolves to a private address; accepts a public one, and a name not (yet) in DNS', async () => {
    const { world, deps } = await shop()
    const as = (resolve: Resolver) => ({ ...deps, egress: { allowPrivate: false, resolve } })
    for (const address of ['127.0.0.1', '169.254.169.254', '10.1.2.3', 'fd00::1']) {
      await expect(addWebhook(as(answers(address)), world.main, { url: 'https://erp.example.com/h', events })).rejects.toMatchObject({ code: 'WEBHOOK_URL_NOT_ALLOWED' })
    }
    await addWebhook(as(answers('93.184.216.34')), world.main, { url: 'https://erp.example.com/h', events })
    await addWebhook(as(notFound), world.main, { url: 'https://erp.example.net/h', events })
    await addWebhook(deps, world.main, { url: 'http://93.184.216.34/h', events })
    expect((await loadShopSettings(db, world.main)).webhooks.map((w) => w.url)).toEqual(['https://erp.example.com/h', 'https://erp.example.net/h', 'http://93.184.216.34/h'])
  })

  it('accepts loopback when the operator allows private targets', async () => {
    const { world, deps } = await shop()
    await addWebhook({ ...deps, egress: { allowPrivate: true } }, world.main, { url: 'http://127.0.0.1:8080/x', events })
    expect((await loadShopSettings(db, world.main)).webhooks.map((w) => w.url)).toEqual(['http://127.0.0.1:8080/x'])
  })
})

describe('delivery', () => {
  type Received = { url: string; host: string; id: string }
  const received: Received[] = []
  let answer: (res: http.ServerResponse) => void = (res) => res.writeHead(204).end()
  let server: http.Server
  let port = 0
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume()
      req.on('end', () => {
        received.push({ url: req.url ?? '', host: req.headers.host ?? '', id: String(req.headers[WEBHOOK_HEADERS.id.toLowerCase()]) })
        answer(res)
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))
  beforeEach(() => {
    received.length = 0
    answer = (res) => res.writeHead(204).end()
  })

  /** One subscription at `url` with one due delivery, as if registered before any check existed. */
  async function queued(url: string) {
    const clock = new TestClock(new Date())
    const world = await disputeWorld(db, clock)
    const subscription = await db.webhookSubscription.create({ data: { shopId: world.shop.id, url, events: ['case.state_changed'], createdAt: clock.now() } })
    const delivery = await db.webhookDelivery.create({
      data: { subscriptionId: subscription.id, eventId: `evt-${subscription.id}`, eventType: 'case.state_changed', payload: {}, nextAttemptAt: clock.now(), createdAt: clock.now() },
    })
    const deliver = (options: Parameters<typeof deliverDueWebhooks>[3], policy: Policy = defaultPolicy) =>
      deliverDueWebhooks(db, () => clock.now(), policy, { batchSize: 100, ...options })
    const row = () => db.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } })
    const mine = () => received.filter((r) => r.id === delivery.id)
    return { world, clock, subscription, delivery, deliver, row, mine }
  }

  it('with private targets not allowed, never reaches a loopback receiver and records a short reason', async () => {
    const hook = await queued(`http://127.0.0.1:${port}/hooks`)
    await hook.deliver(strict)
    expect(hook.mine()).toEqual([])
    expect(await hook.row()).toMatchObject({ status: 'PENDING', attempts: 1, lastStatusCode: null, lastError: 'PRIVATE_ADDRESS' })
    // The settings page gets the reason code, never the stored text.
    const [shown] = (await loadShopSettings(db, hook.world.main)).webhooks
    expect(shown!.deliveries).toEqual([expect.objectContaining({ id: hook.delivery.id, failure: 'PRIVATE_ADDRESS', lastStatusCode: null })])
    expect(shown!.deliveries[0]).not.toHaveProperty('lastError')
  })

  it.each([`http://localhost:PORT/hooks`, `http://127.1:PORT/hooks`, `http://2130706433:PORT/hooks`, `http://0.0.0.0:PORT/hooks`, `http://[::ffff:127.0.0.1]:PORT/hooks`])(
    'never reaches the receiver through %s',
    async (form) => {
      const hook = await queued(form.replace('PORT', String(port)))
      await hook.deliver(strict)
      expect(hook.mine()).toEqual([])
      expect((await hook.row()).lastError).toBe('PRIVATE_ADDRESS')
    },
  )

  it('refuses at connect time a name that passed at registration and now resolves to loopback (DNS rebinding)', async () => {
    const clock = new TestClock(new Date())
    const world = await disputeWorld(db, clock)
    const url = `http://erp.rebind.test:${port}/hooks`
    const registering = { db, clock, policy: defaultPolicy, egress: { allowPrivate: false, resolve: answers('93.184.216.34') } }
    const subscription = await addWebhook(registering, world.main, { url, events: ['case.state_changed'] })
    const delivery = await db.webhookDelivery.create({
      data: { subscriptionId: subscription.id, eventId: 'rebind', eventType: 'case.state_changed', payload: {}, nextAttemptAt: clock.now(), createdAt: clock.now() },
    })
    await deliverDueWebhooks(db, () => clock.now(), defaultPolicy, { allowPrivate: false, resolve: answers('127.0.0.1'), batchSize: 100 })
    expect(received.filter((r) => r.id === delivery.id)).toEqual([])
    expect(await db.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } })).toMatchObject({ lastError: 'PRIVATE_ADDRESS', lastStatusCode: null })
  })

  it('connects to the address the check resolved, asking the resolver once, with the name in the Host header', async () => {
    const hook = await queued(`http://receiver.test:${port}/hooks?x=1`)
    let lookups = 0
    const resolve: Resolver = async () => (lookups++ === 0 ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '10.9.9.9', family: 4 }])
    await hook.deliver({ allowPrivate: true, resolve })
    // receiver.test is in no DNS: the request can only have gone where the checked answer said.
    expect(hook.mine()).toEqual([{ url: '/hooks?x=1', host: `receiver.test:${port}`, id: hook.delivery.id }])
    expect(lookups).toBe(1)
    expect(await hook.row()).toMatchObject({ status: 'DELIVERED', lastStatusCode: 204, lastError: null })
  })

  it('does not follow redirects: a 3xx is a failed attempt', async () => {
    const hook = await queued(`http://127.0.0.1:${port}/hooks`)
    answer = (res) => res.writeHead(302, { Location: `http://127.0.0.1:${port}/elsewhere` }).end()
    await hook.deliver({ allowPrivate: true })
    expect(received.map((r) => r.url)).toEqual(['/hooks'])
    expect(await hook.row()).toMatchObject({ status: 'PENDING', lastStatusCode: 302, lastError: 'REDIRECT' })
  })

  it('records short reasons for a timeout, a refused connection and an error status, never the raw error', async () => {
    const slow = await queued(`http://127.0.0.1:${port}/slow`)
    answer = () => {} // never answers
    await slow.deliver({ allowPrivate: true }, withOverrides({ integrations: { webhookTimeoutMs: 300 } }))
    expect(await slow.row()).toMatchObject({ lastStatusCode: null, lastError: 'TIMEOUT' })

    const closed = http.createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const closedPort = (closed.address() as AddressInfo).port
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const refused = await queued(`http://127.0.0.1:${closedPort}/hooks`)
    await refused.deliver({ allowPrivate: true })
    expect(await refused.row()).toMatchObject({ lastStatusCode: null, lastError: 'CONNECTION_FAILED' })

    answer = (res) => res.writeHead(500).end('stack trace of the receiver')
    const failing = await queued(`http://127.0.0.1:${port}/hooks`)
    await failing.deliver({ allowPrivate: true })
    expect(await failing.row()).toMatchObject({ lastStatusCode: 500, lastError: 'HTTP_STATUS' })
  })

  it('keeps SNI and the certificate check on the name while connecting to the checked address', async () => {
    // Records the server name each client asks for, and answers with a self-signed certificate.
    const servernames: string[] = []
    const sni = (name: string, done: (err: Error | null, ctx?: undefined) => void) => {
      servernames.push(name)
      done(null)
    }
    const tls = https.createServer({ key: TEST_KEY, cert: TEST_CERT, SNICallback: sni }, (_req, res) => res.writeHead(204).end())
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve))
    const tlsPort = (tls.address() as AddressInfo).port
    try {
      const hook = await queued(`https://receiver.test:${tlsPort}/hooks`)
      await hook.deliver({ allowPrivate: true, resolve: answers('127.0.0.1') })
      expect(servernames).toEqual(['receiver.test'])
      // A self-signed certificate is refused: the check is on.
      expect(await hook.row()).toMatchObject({ lastStatusCode: null, lastError: 'TLS_FAILED' })
    } finally {
      await new Promise<void>((resolve) => tls.close(() => resolve()))
    }
  })
})

// A self-signed certificate for receiver.test, made for this test only.
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg8BVRrnT5WrKyoO6o
LBteCWXulUxgCZUBpCl1iTPrIQGhRANCAAQQql62gcUbXicmb/P79XQv53uYCOF0
4k2slRhWBZSgUOjZFJLTQcCa/JmnCN5SwPfElRP4VmaleWtGGTnqhYPu
-----END PRIVATE KEY-----
`
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBojCCAUegAwIBAgIUEc9Az4CkdhGTE+5II+p0Sg0qe7AwCgYIKoZIzj0EAwIw
GDEWMBQGA1UEAwwNcmVjZWl2ZXIudGVzdDAgFw0yNjEyMDEyMDU3MjNaGA8yMTI2
MTEwNzIwNTcyM1owGDEWMBQGA1UEAwwNcmVjZWl2ZXIudGVzdDBZMBMGByqGSM49
AgEGCCqGSM49AwEHA0IABBCqXraBxRteJyZv8/v1dC/ne5gI4XTiTayVGFYFlKBQ
6NkUktNBwJr8macI3lLA98SVE/hWZqV5a0YZOeqFg+6jbTBrMB0GA1UdDgQWBBQx
3f+Y0+gj5hUF7joR/r41T4ZIpjAfBgNVHSMEGDAWgBQx3f+Y0+gj5hUF7joR/r41
T4ZIpjAPBgNVHRMBAf8EBTADAQH/MBgGA1UdEQQRMA+CDXJlY2VpdmVyLnRlc3Qw
CgYIKoZIzj0EAwIDSQAwRgIhAOGBhYaHzr5OKE+Vy+koohRn5xeVy+5c1jY6FJ5y
FlteAiEAv8kynKpcVYUAAEziaPW9Y2zGJv/mV/SxLN6KQ5KCgrs=
-----END CERTIFICATE-----
`
