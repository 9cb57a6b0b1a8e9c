// The worker's lanes (ADR 0011) against the real database, real SMTP receivers and real HTTP
// receivers: lanes do not wait on each other, a lease covers one attempt, attempts are real ones, a
// deadline wakes its lane, ids are stable across retries, and a stop finishes what is in hand.
// "Now" is an injected clock; where a lane runs by itself the test waits for an effect (polling the
// database or a receiver, with a generous limit), never for a fixed time.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { simpleParser } from 'mailparser'
import pg from 'pg'
import { SMTPServer } from 'smtp-server'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { defaultPolicy, withOverrides, type Policy } from '~/domain/policy'
import { OffsetClock, type Clock } from '~/infra/clock.server'
import { createTransport } from '~/infra/mailer.server'
import { metrics } from '~/infra/metrics.server'
import type { PaymentGateway } from '~/infra/payment-gateway.server'
import { deadlineSleepMs, startLanes, type LanesConfig, type RunningLanes } from '~/services/jobs.server'
import { claimNextRow, startAttempt } from '~/services/leased-queue.server'
import { deliverDueEmails, deliverNextEmail, outboxMessageId, outboxPolicy } from '~/services/outbox.server'
import { deliverDueWebhooks, webhookLeaseMs } from '~/services/webhooks.server'
import { startSmtpReceiver, type SmtpReceiver } from '../scripts/embedded-services'
import { openRequest } from './commands'
import type { ServiceDeps } from '~/services/deps'
import { disputeWorld, serviceDeps, TestClock, testDb } from './support'

const db = testDb()
const FROM = 'Portal <noreply@portal.test>'
const FAST = { connectionMs: 2_000, greetingMs: 2_000, socketMs: 30_000 }
const HOUR = 3600_000
const unusedGateway: PaymentGateway = { refund: () => Promise.reject(new Error('unused')), query: () => Promise.reject(new Error('unused')) }

const running: RunningLanes[] = []
const stopLanes = () => Promise.all(running.splice(0).map((lanes) => lanes.stop()))
afterEach(stopLanes)
afterAll(() => db.$disconnect())
beforeEach(async () => {
  await db.emailOutbox.deleteMany()
  await db.webhookDelivery.deleteMany()
})

/** Polls until `check` holds (an effect of a lane running by itself), failing after `timeoutMs`. */
async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 10_000) {
  const end = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

function lanes(config: Partial<LanesConfig> & Pick<LanesConfig, 'deps'>): RunningLanes {
  const started = startLanes({
    transport: createTransport('smtp://127.0.0.1:9?tls=off', FAST),
    mailFrom: FROM,
    gateway: unusedGateway,
    notifyUrl: 'http://127.0.0.1:9/notify',
    egress: { allowPrivate: true },
    listenUrl: process.env.DATABASE_URL,
    maxSleepMs: 60_000,
    ...config,
  })
  running.push(started)
  return started
}

async function enqueueEmail(clock: Clock, key: string) {
  return db.emailOutbox.create({ data: { dedupeKey: key, recipients: ['merchant@shop.test'], subject: `Subject ${key}`, textBody: 'Body', nextAttemptAt: clock.now(), createdAt: clock.now() } })
}

/** An SMTP server that takes each message's data and then answers only when released (or at once when told to). */
async function holdingSmtp(options: { hold: boolean; delayMs?: number; failFirst?: number } = { hold: true }) {
  const held: (() => void)[] = []
  const messageIds: string[] = []
  let hold = options.hold
  let failures = options.failFirst ?? 0
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          messageIds.push(parsed.messageId ?? '')
          const answer = () => (failures-- > 0 ? callback(new Error('try again later')) : callback())
          if (hold) held.push(answer)
          else setTimeout(answer, options.delayMs ?? 0)
        },
        (error: Error) => callback(error),
      )
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.server.address() as AddressInfo).port
  return {
    url: `smtp://127.0.0.1:${port}?tls=off`,
    held,
    messageIds,
    release() {
      hold = false
      for (const answer of held.splice(0)) answer()
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** An HTTP receiver for webhooks; `respond` decides each answer (or keeps it waiting). */
async function webhookReceiver(respond: (res: http.ServerResponse) => void) {
  const received: string[] = []
  const server = http.createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      received.push(String(req.headers['x-webhook-id']))
      respond(res)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

async function queueWebhooks(clock: Clock, url: string, count: number) {
  const world = await disputeWorld(db, new TestClock(clock.now()))
  const subscription = await db.webhookSubscription.create({ data: { shopId: world.shop.id, url, events: ['case.state_changed'], createdAt: clock.now() } })
  await db.webhookDelivery.createMany({
    data: Array.from({ length: count }, (_, i) => ({
      subscriptionId: subscription.id,
      eventId: `evt-${subscription.id}-${i}`,
      eventType: 'case.state_changed',
      payload: { i },
      nextAttemptAt: new Date(clock.now().getTime() - count + i), // all due, in this order
      createdAt: clock.now(),
    })),
  })
  return db.webhookDelivery.findMany({ where: { subscriptionId: subscription.id }, orderBy: { nextAttemptAt: 'asc' } })
}

/** A buyer's refund-only request on an unshipped order: its merchant deadline is `policy.refundOnly.merchantRespondMs` away. */
async function refundOnlyCase(clock: Clock, policy: Policy = defaultPolicy) {
  const deps: ServiceDeps = { db, clock, policy, appUrl: 'http://portal.test' }
  const world = await disputeWorld(db, new TestClock(clock.now()))
  const order = await db.order.create({
    data: {
      orderNo: `WL${Date.now()}${Math.random().toString(36).slice(2, 8)}`,
      shopId: world.shop.id,
      buyerId: world.buyer.buyerId,
      itemTitle: 'Tea',
      paidAmountFen: 100_00,
      paidAt: new Date(clock.now().getTime() - 24 * HOUR),
      shippedAt: clock.now(), // no express refund
      customerName: 'C',
      customerPhone: '13800000000',
    },
  })
  const created = await openRequest(deps, world.buyer, { orderNo: order.orderNo, type: 'REFUND_ONLY', reason: 'OTHER', description: '', amountFen: null, files: [] })
  return { deps, created, state: async () => (await db.afterSalesCase.findUniqueOrThrow({ where: { id: created.id } })).state }
}

describe('lanes do not wait on each other', () => {
  it('a deadline fires while every email slot hangs on an SMTP server that never answers', async () => {
    const clock = new TestClock()
    const smtp = await holdingSmtp()
    try {
      for (let i = 0; i < 6; i++) await enqueueEmail(clock, `hang:${i}`)
      const { deps, created, state } = await refundOnlyCase(clock)
      const started = lanes({
        deps,
        lanes: ['deadlines', 'email'],
        concurrency: { email: 2 },
        transport: createTransport(smtp.url, FAST),
        outbox: { ...outboxPolicy, attemptTimeoutMs: 60_000 },
      })
      await started.listening()
      await until(() => smtp.held.length === 2, 'both email slots to hang')
      // 48 hours pass: the moved clock wakes the deadline lane, which fires at once.
      clock.advance(48 * HOUR)
      started.wake('deadlines')
      await until(async () => (await state()) === 'REFUNDED', 'the merchant timeout to fire')
      expect(smtp.held).toHaveLength(2) // still hanging, nothing else sent
      expect(await db.emailOutbox.count({ where: { status: 'SENT' } })).toBe(0)
      smtp.release()
      await until(async () => (await db.emailOutbox.count({ where: { dedupeKey: { startsWith: 'hang:' }, status: 'SENT' } })) === 6, 'the emails once the server answers')
      expect(created.state).toBe('PENDING_MERCHANT')
    } finally {
      smtp.release()
      await stopLanes()
      await smtp.stop()
    }
  })

  it('an email goes out while every webhook slot waits on a receiver that never answers', async () => {
    const clock = new TestClock()
    const waiting: http.ServerResponse[] = []
    let holding = true
    const receiver = await webhookReceiver((res) => (holding ? waiting.push(res) : res.writeHead(204).end()))
    const answerAll = () => {
      holding = false
      for (const res of waiting.splice(0)) res.writeHead(204).end()
    }
    const smtp = await startSmtpReceiver()
    try {
      await queueWebhooks(clock, receiver.url, 5)
      const started = lanes({ deps: serviceDeps(db, clock), lanes: ['email', 'webhook'], concurrency: { webhook: 2 }, transport: createTransport(smtp.url, FAST) })
      await started.listening()
      await until(() => waiting.length === 2, 'both webhook slots to wait on the receiver')
      await enqueueEmail(clock, 'while-webhooks-hang') // the insert's notification wakes the email lane
      await smtp.waitFor(1, 10_000)
      expect(waiting).toHaveLength(2) // the receiver still has not answered
      expect(receiver.received).toHaveLength(2)
    } finally {
      answerAll()
      await stopLanes()
      await receiver.stop()
      await smtp.stop()
    }
  })
})

describe('the deadline lane does not wait on its own fires', () => {
  it('a deadline falling due while an earlier fire is blocked is fired meanwhile; the blocked one follows', async () => {
    const clock = new TestClock(new Date('2026-11-27T00:00:00Z'))
    const a = await refundOnlyCase(clock)
    clock.advance(1_000)
    const b = await refundOnlyCase(clock)
    clock.advance(-1_000)
    // Another session holds A's row: A's fire waits on the lock inside its transaction.
    const holder = new pg.Client({ connectionString: process.env.DATABASE_URL })
    await holder.connect()
    try {
      await holder.query('BEGIN')
      await holder.query('SELECT 1 FROM "AfterSalesCase" WHERE "id" = $1 FOR UPDATE', [a.created.id])
      const started = lanes({ deps: a.deps, lanes: ['deadlines'] })
      await started.listening()
      clock.advance(48 * HOUR)
      started.wake('deadlines')
      // (Asked outside the holder's transaction, whose view of pg_stat_activity is a snapshot. A's
      // transaction may wait up to its 5 s limit: the rest of the test takes milliseconds.)
      const waiting = async () => (await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`)[0]!.n
      await until(async () => (await waiting()) > 0, "A's fire to wait on the lock", 4_000)
      clock.advance(1_000)
      started.wake('deadlines')
      await until(async () => (await b.state()) === 'REFUNDED', 'B to fire while A waits')
      expect(await a.state()).toBe('PENDING_MERCHANT')
      await holder.query('ROLLBACK')
      await until(async () => (await a.state()) === 'REFUNDED', 'A to fire once the lock is gone')
    } finally {
      await holder.end()
    }
  })
})

describe('a lease covers one attempt; attempts are real ones', () => {
  let smtp: SmtpReceiver
  beforeEach(async () => {
    smtp = await startSmtpReceiver()
  })
  afterEach(() => smtp.stop())

  it("a worker killed after claiming: the other rows go at once, the claimed one after its own lease, with one attempt each", async () => {
    const clock = new TestClock()
    for (let i = 0; i < 24; i++) await enqueueEmail(clock, `killed:${i}`)
    // A worker claims the most overdue row and dies before attempting it.
    const abandoned = await claimNextRow<{ id: string }>(db, 'EmailOutbox', ['id'], clock.now(), outboxPolicy.leaseMs)
    const transport = createTransport(smtp.url, FAST)
    const drain = () => deliverDueEmails(db, transport, FROM, () => clock.now(), { ...outboxPolicy, batchSize: 100 })
    expect(await drain()).toEqual({ sent: 23, failed: 0 })
    expect(await db.emailOutbox.findUniqueOrThrow({ where: { id: abandoned!.id } })).toMatchObject({ status: 'PENDING', attempts: 0 })
    clock.advance(outboxPolicy.leaseMs - 1)
    expect(await drain()).toEqual({ sent: 0, failed: 0 })
    clock.advance(2)
    expect(await drain()).toEqual({ sent: 1, failed: 0 })
    await smtp.waitFor(24)
    const rows = await db.emailOutbox.findMany()
    expect(rows.every((r) => r.status === 'SENT' && r.attempts === 1)).toBe(true)
    expect(rows.reduce((sum, r) => sum + r.attempts, 0)).toBe(smtp.messages.length) // 24 attempts for 24 deliveries
  })

  it('a worker killed during an attempt: that attempt counts (it may have reached the server); the row is retried after its lease', async () => {
    const clock = new TestClock()
    const row = await enqueueEmail(clock, 'killed-mid-attempt')
    const claimed = await claimNextRow<{ id: string }>(db, 'EmailOutbox', ['id'], clock.now(), outboxPolicy.leaseMs)
    expect(await startAttempt(db, 'EmailOutbox', claimed!.id, claimed!.leaseToken, clock.now(), outboxPolicy.leaseMs)).toBe(1)
    const transport = createTransport(smtp.url, FAST)
    expect((await deliverDueEmails(db, transport, FROM, () => clock.now())).sent).toBe(0)
    clock.advance(outboxPolicy.leaseMs + 1)
    expect((await deliverDueEmails(db, transport, FROM, () => clock.now())).sent).toBe(1)
    expect(await db.emailOutbox.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: 'SENT', attempts: 2 })
  })

  it('two workers, each delivering one at a time while every delivery takes a quarter of its lease: one delivery per attempt', async () => {
    const clock = new TestClock()
    // Each request takes a quarter of a lease on the injected clock: a lease taken for a batch
    // would run out after four deliveries and let the other worker send the rest again.
    const receiver = await webhookReceiver((res) => {
      clock.advance(webhookLeaseMs(defaultPolicy) / 4)
      res.writeHead(204).end()
    })
    try {
      const rows = await queueWebhooks(clock, receiver.url, 12)
      const ids = rows.map((r) => r.id)
      // Each worker keeps taking what is due until every row is delivered, as a polling worker would.
      const worker = async () => {
        let delivered = 0
        for (let pass = 0; pass < 500; pass++) {
          delivered += (await deliverDueWebhooks(db, () => clock.now(), defaultPolicy, { allowPrivate: true, batchSize: 100, concurrency: 1 })).delivered
          if ((await db.webhookDelivery.count({ where: { id: { in: ids }, status: 'PENDING' } })) === 0) return delivered
        }
        throw new Error('the deliveries never finished')
      }
      const [a, b] = await Promise.all([worker(), worker()])
      expect(a + b).toBe(12)
      expect(receiver.received.slice().sort()).toEqual(rows.map((r) => r.id).sort()) // each id once
      const after = await db.webhookDelivery.findMany({ where: { id: { in: rows.map((r) => r.id) } } })
      expect(after.every((d) => d.status === 'DELIVERED' && d.attempts === 1)).toBe(true)
    } finally {
      await receiver.stop()
    }
  })

  it('a slot told to stop gives back a row it claimed before attempting it', async () => {
    const clock = new TestClock()
    const row = await enqueueEmail(clock, 'given-back')
    const outcome = await deliverNextEmail({ db, transport: createTransport(smtp.url, FAST), from: FROM, now: () => clock.now(), stopping: () => true })
    expect(outcome).toBeNull()
    expect(await db.emailOutbox.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: 'PENDING', attempts: 0, leaseToken: null, leaseUntil: null })
    expect((await deliverDueEmails(db, createTransport(smtp.url, FAST), FROM, () => clock.now())).sent).toBe(1)
  })
})

describe('ids are stable across retries', () => {
  it('an email refused once is sent again with the same Message-ID, from its dedupe key', async () => {
    const clock = new TestClock()
    const smtp = await holdingSmtp({ hold: false, failFirst: 1 })
    try {
      const row = await enqueueEmail(clock, 'reminder:req-1:merchant')
      const transport = createTransport(smtp.url, FAST)
      expect(await deliverDueEmails(db, transport, FROM, () => clock.now())).toEqual({ sent: 0, failed: 1 })
      clock.advance(outboxPolicy.firstRetryMs)
      expect(await deliverDueEmails(db, transport, FROM, () => clock.now())).toEqual({ sent: 1, failed: 0 })
      expect(smtp.messageIds).toEqual([outboxMessageId(row.dedupeKey), outboxMessageId(row.dedupeKey)])
      expect(await db.emailOutbox.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: 'SENT', attempts: 2, messageId: outboxMessageId(row.dedupeKey) })
    } finally {
      await smtp.stop()
    }
  })

  it('a webhook that failed is sent again with the same X-Webhook-Id, its delivery id', async () => {
    const clock = new TestClock()
    let fail = 1
    const receiver = await webhookReceiver((res) => res.writeHead(fail-- > 0 ? 503 : 204).end())
    try {
      const [row] = await queueWebhooks(clock, receiver.url, 1)
      const deliver = () => deliverDueWebhooks(db, () => clock.now(), defaultPolicy, { allowPrivate: true })
      expect(await deliver()).toEqual({ delivered: 0, failed: 1 })
      clock.advance(defaultPolicy.integrations.webhookFirstRetryMs)
      expect(await deliver()).toEqual({ delivered: 1, failed: 0 })
      expect(receiver.received).toEqual([row!.id, row!.id])
    } finally {
      await receiver.stop()
    }
  })
})

describe('the deadline lane wakes on the next due time', () => {
  it('sleeps until just after the next due moment, within its cap; goes on at once when more fell due; waits a little on a stuck row', () => {
    const t = (ms: number) => new Date(Date.parse('2026-11-22T00:00:00Z') + ms)
    const limits = { maxSleepMs: 10_000, stuckRetryMs: 1_000 }
    expect(deadlineSleepMs(null, t(0), t(0), false, limits)).toBe(10_000)
    expect(deadlineSleepMs(t(250), t(0), t(0), false, limits)).toBe(251)
    expect(deadlineSleepMs(t(60_000), t(0), t(0), false, limits)).toBe(10_000)
    expect(deadlineSleepMs(t(-5), t(0), t(-10), false, limits)).toBe(0) // fell due while the pass ran
    expect(deadlineSleepMs(t(-20), t(0), t(-10), true, limits)).toBe(0) // a full batch: more to fire
    expect(deadlineSleepMs(t(-20), t(0), t(-10), false, limits)).toBe(1_000) // due before the pass, not fired
  })

  it('sleeps until a newly written nearer deadline (woken by its transaction), and fires when the clock gets there', async () => {
    const clock = new TestClock(new Date('2026-11-25T00:00:00Z'))
    const policy = withOverrides({ refundOnly: { merchantRespondMs: 5_000 } })
    const started = lanes({ deps: serviceDeps(db, clock, policy), lanes: ['deadlines'] })
    await started.listening()
    const { created, state } = await refundOnlyCase(clock, policy)
    const due = created.merchantRespondBy!
    expect(due.getTime() - clock.now().getTime()).toBe(5_000)
    // The insert notified the lane; it re-read the earliest deadline and sleeps until just after it.
    await until(() => started.sleepingUntil('deadlines')?.getTime() === due.getTime() + 1, 'the lane to sleep until the new deadline')
    const timedFires = async () => (await metrics().deadlineLateness.get()).values.find((v) => v.metricName?.endsWith('_count') && v.labels.kind === 'case.merchant-timeout')?.value ?? 0
    const before = await timedFires()
    clock.advance(5_000)
    started.wake('deadlines')
    await until(async () => (await state()) === 'REFUNDED', 'the deadline to fire')
    // The lateness is recorded after the fire's commit, so the state can be seen a moment before it.
    await until(async () => (await timedFires()) > before, 'the fire to be timed')
    expect(await timedFires()).toBe(before + 1)
  })

  it('with nothing due it sleeps for its cap, not a fixed poll', async () => {
    // Years before every deadline in this database: the earliest is far away, the cap wins.
    const clock = new TestClock(new Date('2020-01-01T00:00:00Z'))
    await refundOnlyCase(new TestClock(new Date('2026-11-22T00:00:00Z')))
    const started = lanes({ deps: serviceDeps(db, clock), lanes: ['deadlines'], maxSleepMs: 45_000 })
    await until(() => started.sleepingUntil('deadlines') !== null, 'the lane to sleep')
    expect(started.sleepingUntil('deadlines')!.getTime() - clock.now().getTime()).toBe(45_000)
  })

  it('on the real clock, a deadline written 300 ms ahead fires without waiting for the one-minute cap', async () => {
    const clock = new OffsetClock()
    const policy = withOverrides({ refundOnly: { merchantRespondMs: 300 } })
    const fired: { dueAt: Date; firedAt: Date }[] = []
    const started = lanes({ deps: { db, clock, policy, appUrl: 'http://portal.test' }, lanes: ['deadlines'], onFired: (_kind, dueAt, firedAt) => fired.push({ dueAt, firedAt }) })
    await started.listening()
    const { created, state } = await refundOnlyCase(clock, policy)
    await until(async () => (await state()) === 'REFUNDED', 'the deadline to fire', 20_000)
    const mine = fired.find((f) => f.dueAt.getTime() === created.merchantRespondBy!.getTime())!
    const lateness = mine.firedAt.getTime() - mine.dueAt.getTime()
    // Far inside the 60 s cap: the lane woke on the deadline itself (typically a few ms late here).
    expect(lateness).toBeGreaterThanOrEqual(0)
    expect(lateness).toBeLessThan(5_000)
  })
})

describe('stopping', () => {
  it('finishes the attempts in hand, claims nothing new and leaves no row leased', async () => {
    const clock = new TestClock()
    const smtp = await holdingSmtp({ hold: false, delayMs: 100 })
    try {
      for (let i = 0; i < 40; i++) await enqueueEmail(clock, `stop:${i}`)
      const started = lanes({ deps: serviceDeps(db, clock), lanes: ['email'], concurrency: { email: 4 }, transport: createTransport(smtp.url, FAST) })
      await until(() => smtp.messageIds.length >= 6, 'a few emails to be under way')
      await started.stop()
      const rows = await db.emailOutbox.findMany({ where: { dedupeKey: { startsWith: 'stop:' } } })
      const sent = rows.filter((r) => r.status === 'SENT')
      expect(sent.length).toBeGreaterThanOrEqual(6)
      expect(sent.length).toBeLessThan(40)
      expect(rows.every((r) => r.leaseToken === null && r.leaseUntil === null)).toBe(true)
      // Every attempt started was finished and recorded: as many attempts as messages the server took.
      expect(rows.reduce((sum, r) => sum + r.attempts, 0)).toBe(smtp.messageIds.length)
      expect(rows.filter((r) => r.status === 'PENDING').every((r) => r.attempts === 0)).toBe(true)
    } finally {
      await smtp.stop()
    }
  })
})
