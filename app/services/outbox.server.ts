// Delivers the email outbox, one row at a time per slot of the email lane (ADR 0011). A row is
// leased only while its attempt runs (leased-queue.server.ts), so several workers never send the
// same row at once and a crashed worker's row is retried after its own lease. A row counts as sent
// only when the SMTP server accepted every recipient. The Message-ID comes from the dedupe key: a
// resend after a crash in the one unavoidable window carries the same id (at-least-once).
import type { Transporter } from 'nodemailer'
import type { Db } from '~/infra/db.server'
import { logger } from '~/infra/logger.server'
import { metrics } from '~/infra/metrics.server'
import { backoffMs, claimNextRow, drainSlots, releaseLease, startAttempt } from './leased-queue.server'

export const outboxPolicy = {
  /** Rows one drain (tests, the e2e clock hook) takes at most. */
  batchSize: 10,
  /** Emails sent at once by one worker. */
  concurrency: 4,
  /** One attempt's lease: longer than an attempt may run (attemptTimeoutMs). */
  leaseMs: 60_000,
  /** An attempt that has not finished by then counts as failed, well inside its lease. */
  attemptTimeoutMs: 40_000,
  firstRetryMs: 15_000,
  maxRetryMs: 10 * 60_000,
  /** With retries capped at 10 minutes this keeps trying for more than eight hours. */
  maxAttempts: 60,
}

export type OutboxPolicy = typeof outboxPolicy
export type DeliveryOutcome = 'ok' | 'failed' | 'gave_up'

type ClaimedEmail = {
  id: string
  dedupeKey: string
  recipients: string[]
  subject: string
  textBody: string
  htmlBody: string | null
  leaseToken: string
}

export function retryDelayMs(attempts: number, policy = outboxPolicy): number {
  return backoffMs(attempts, policy.firstRetryMs, policy.maxRetryMs)
}

/** The Message-ID of an outbox row: the same on every attempt, so a receiver can drop a duplicate. */
export function outboxMessageId(dedupeKey: string): string {
  return `<${dedupeKey.replace(/[^A-Za-z0-9._-]/g, '.')}@dispute-portal>`
}

function withinMs<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the SMTP server within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

export type EmailLane = { db: Db; transport: Transporter; from: string; now: () => Date; policy?: OutboxPolicy; stopping?: () => boolean }

/**
 * Claims one due email, attempts it and settles it. Null when nothing is due (or the lane is
 * stopping: a row claimed meanwhile is given back unattempted).
 */
export async function deliverNextEmail(lane: EmailLane): Promise<DeliveryOutcome | null> {
  const { db, transport, from, now } = lane
  const policy = lane.policy ?? outboxPolicy
  const email = await claimNextRow<Omit<ClaimedEmail, 'leaseToken'>>(db, 'EmailOutbox', ['id', 'dedupeKey', 'recipients', 'subject', 'textBody', 'htmlBody'], now(), policy.leaseMs)
  if (!email) return null
  if (lane.stopping?.()) {
    await releaseLease(db, 'EmailOutbox', email.id, email.leaseToken)
    return null
  }
  const attempts = await startAttempt(db, 'EmailOutbox', email.id, email.leaseToken, now(), policy.leaseMs)
  if (attempts === null) return null // taken over meanwhile: not ours to send
  let outcome: DeliveryOutcome
  try {
    const info = await withinMs(
      transport.sendMail({
        from,
        to: email.recipients,
        subject: email.subject,
        text: email.textBody,
        html: email.htmlBody ?? undefined,
        messageId: outboxMessageId(email.dedupeKey),
      }),
      policy.attemptTimeoutMs,
    )
    const rejected = [...(info.rejected ?? []), ...(info.rejectedErrors ?? [])]
    if (rejected.length > 0) throw new Error(`SMTP server refused recipients: ${rejected.map(String).join(', ')}`)
    // Only the holder of the lease may settle the row.
    await db.emailOutbox.updateMany({
      where: { id: email.id, leaseToken: email.leaseToken },
      data: { status: 'SENT', sentAt: now(), leaseUntil: null, leaseToken: null, lastError: null, messageId: info.messageId },
    })
    outcome = 'ok'
  } catch (error) {
    const giveUp = attempts >= policy.maxAttempts
    outcome = giveUp ? 'gave_up' : 'failed'
    await db.emailOutbox.updateMany({
      where: { id: email.id, leaseToken: email.leaseToken },
      data: {
        status: giveUp ? 'FAILED' : 'PENDING',
        leaseUntil: null,
        leaseToken: null,
        lastError: (error as Error).message.slice(0, 1000),
        nextAttemptAt: new Date(now().getTime() + retryDelayMs(attempts, policy)),
      },
    })
    logger.warn('email delivery failed', { emailId: email.id, attempts, giveUp, error: (error as Error).message })
  }
  metrics().deliveryAttempts.inc({ lane: 'email', outcome })
  return outcome
}

/** One drain of the outbox: what is due now, `concurrency` at a time, at most `batchSize` rows. */
export async function deliverDueEmails(
  db: Db,
  transport: Transporter,
  from: string,
  now: () => Date,
  policy = outboxPolicy,
): Promise<{ sent: number; failed: number }> {
  const endPass = metrics().lanePassDuration.startTimer({ lane: 'email' })
  const outcomes = await drainSlots(policy.concurrency, policy.batchSize, () => deliverNextEmail({ db, transport, from, now, policy }))
  endPass()
  const sent = outcomes.filter((o) => o === 'ok').length
  return { sent, failed: outcomes.length - sent }
}
