import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTransport } from '~/infra/mailer.server'
import { deliverDueEmails, outboxPolicy, retryDelayMs } from '~/services/outbox.server'
import { startSmtpReceiver, type SmtpReceiver } from '../scripts/embedded-services'
import { TestClock, testDb } from './support'

const db = testDb()
const FROM = 'Portal <noreply@portal.test>'
const FAST = { connectionMs: 500, greetingMs: 500, socketMs: 2_000 }
let receiver: SmtpReceiver

beforeEach(async () => {
  receiver = await startSmtpReceiver()
  await db.emailOutbox.deleteMany()
})
afterEach(() => receiver.stop())
afterAll(() => db.$disconnect())

async function enqueue(clock: TestClock, key: string, recipients = ['merchant@shop.test']) {
  return db.emailOutbox.create({
    data: { dedupeKey: key, recipients, subject: `Subject ${key}`, textBody: 'Body', nextAttemptAt: clock.now(), createdAt: clock.now() },
  })
}

describe('email outbox', () => {
  it('sends a due email once and marks it sent', async () => {
    const clock = new TestClock()
    const row = await enqueue(clock, 'reminder:1')
    const transport = createTransport(receiver.url, FAST)
    expect(await deliverDueEmails(db, transport, FROM, () => clock.now())).toEqual({ sent: 1, failed: 0 })
    expect(await deliverDueEmails(db, transport, FROM, () => clock.now())).toEqual({ sent: 0, failed: 0 })
    const [mail] = await receiver.waitFor(1)
    expect(receiver.messages).toHaveLength(1)
    expect(mail!.parsed.subject).toBe('Subject reminder:1')
    expect(mail!.envelopeTo).toEqual(['merchant@shop.test'])
    expect(await db.emailOutbox.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: 'SENT', attempts: 1, leaseToken: null })
  })

  it('does not send what is not yet due', async () => {
    const clock = new TestClock()
    await db.emailOutbox.create({
      data: { dedupeKey: 'later', recipients: ['a@b.test'], subject: 's', textBody: 't', nextAttemptAt: new Date(clock.now().getTime() + 1000), createdAt: clock.now() },
    })
    expect(await deliverDueEmails(db, createTransport(receiver.url, FAST), FROM, () => clock.now())).toEqual({ sent: 0, failed: 0 })
  })

  it('sends each email exactly once when two workers race', async () => {
    const clock = new TestClock()
    for (let i = 0; i < 25; i++) await enqueue(clock, `race:${i}`)
    const workers = [createTransport(receiver.url, FAST), createTransport(receiver.url, FAST)]
    const drain = async (transport: (typeof workers)[number]) => {
      let total = 0
      for (;;) {
        const { sent, failed } = await deliverDueEmails(db, transport, FROM, () => clock.now())
        if (sent + failed === 0) return total
        total += sent
      }
    }
    const [a, b] = await Promise.all(workers.map(drain))
    expect(a! + b!).toBe(25)
    await receiver.waitFor(25)
    const subjects = receiver.messages.map((m) => m.parsed.subject)
    expect(new Set(subjects).size).toBe(25)
    expect(subjects).toHaveLength(25)
  })

  it('keeps an email while SMTP is down and sends it once when it is back', async () => {
    const clock = new TestClock()
    const row = await enqueue(clock, 'down-then-up')
    const port = receiver.port
    await receiver.stop()
    const transport = createTransport(`smtp://127.0.0.1:${port}?tls=off`, FAST)
    // an hour of failures, each retry at its backoff time
    let attempts = 0
    const anHourLater = clock.now().getTime() + 3600_000
    while (clock.now().getTime() < anHourLater) {
      const result = await deliverDueEmails(db, transport, FROM, () => clock.now())
      attempts += result.failed
      expect(result.sent).toBe(0)
      const pending = await db.emailOutbox.findUniqueOrThrow({ where: { id: row.id } })
      expect(pending.status).toBe('PENDING')
      clock.advance(pending.nextAttemptAt.getTime() - clock.now().getTime())
    }
    expect(attempts).toBeGreaterThan(3)
    receiver = await startSmtpReceiver(port)
    expect((await deliverDueEmails(db, transport, FROM, () => clock.now())).sent).toBe(1)
    clock.advance(outboxPolicy.maxRetryMs)
    expect((await deliverDueEmails(db, transport, FROM, () => clock.now())).sent).toBe(0)
    await receiver.waitFor(1)
    expect(receiver.messages).toHaveLength(1)
    expect(await db.emailOutbox.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: 'SENT', attempts: attempts + 1 })
  })

  it('does not count an email as sent when the server refuses one recipient', async () => {
    const clock = new TestClock()
    receiver.refuse.add('gone@shop.test')
    const row = await enqueue(clock, 'partial', ['ok@shop.test', 'gone@shop.test'])
    const result = await deliverDueEmails(db, createTransport(receiver.url, FAST), FROM, () => clock.now())
    expect(result).toEqual({ sent: 0, failed: 1 })
    const after = await db.emailOutbox.findUniqueOrThrow({ where: { id: row.id } })
    expect(after.status).toBe('PENDING')
    expect(after.lastError).toMatch(/gone@shop.test/)
  })

  it("takes over a crashed worker's email after its lease", async () => {
    const clock = new TestClock()
    const row = await enqueue(clock, 'crashed')
    // a worker claimed it and died: lease set, never settled
    await db.emailOutbox.update({
      where: { id: row.id },
      data: { leaseUntil: new Date(clock.now().getTime() + outboxPolicy.leaseMs), leaseToken: '00000000-0000-7000-8000-000000000000', attempts: 1 },
    })
    const transport = createTransport(receiver.url, FAST)
    expect((await deliverDueEmails(db, transport, FROM, () => clock.now())).sent).toBe(0)
    clock.advance(outboxPolicy.leaseMs + 1)
    expect((await deliverDueEmails(db, transport, FROM, () => clock.now())).sent).toBe(1)
    await receiver.waitFor(1)
  })

  it('backs off exponentially up to a cap', () => {
    expect(retryDelayMs(1)).toBe(outboxPolicy.firstRetryMs)
    expect(retryDelayMs(2)).toBe(outboxPolicy.firstRetryMs * 2)
    expect(retryDelayMs(50)).toBe(outboxPolicy.maxRetryMs)
  })
})
