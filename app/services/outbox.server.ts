// Delivers the email outbox. Rows are claimed with a lease (leased-queue.server.ts), so several
// workers never send the same row at once and a crashed worker's row is retried after its lease.
// A row counts as sent only when the SMTP server accepted every recipient.
import type { Transporter } from 'nodemailer'
import type { Db } from '~/infra/db.server'
import { logger } from '~/infra/logger.server'
import { backoffMs, leaseDueRows } from './leased-queue.server'

export const outboxPolicy = {
  batchSize: 10,
  leaseMs: 60_000,
  firstRetryMs: 15_000,
  maxRetryMs: 10 * 60_000,
  /** With retries capped at 10 minutes this keeps trying for more than eight hours. */
  maxAttempts: 60,
}

type ClaimedEmail = {
  id: string
  dedupeKey: string
  recipients: string[]
  subject: string
  textBody: string
  htmlBody: string | null
  attempts: number
  leaseToken: string
}

export function retryDelayMs(attempts: number, policy = outboxPolicy): number {
  return backoffMs(attempts, policy.firstRetryMs, policy.maxRetryMs)
}

async function claim(db: Db, now: Date, policy = outboxPolicy): Promise<ClaimedEmail[]> {
  const { leaseToken, rows } = await leaseDueRows<Omit<ClaimedEmail, 'leaseToken'>>(
    db,
    'EmailOutbox',
    ['id', 'dedupeKey', 'recipients', 'subject', 'textBody', 'htmlBody', 'attempts'],
    now,
    policy.leaseMs,
    policy.batchSize,
  )
  return rows.map((row) => ({ ...row, leaseToken }))
}

/** Sends what is due. Returns how many emails were accepted by the SMTP server. */
export async function deliverDueEmails(
  db: Db,
  transport: Transporter,
  from: string,
  now: () => Date,
  policy = outboxPolicy,
): Promise<{ sent: number; failed: number }> {
  const batch = await claim(db, now(), policy)
  let sent = 0
  let failed = 0
  for (const email of batch) {
    try {
      const info = await transport.sendMail({
        from,
        to: email.recipients,
        subject: email.subject,
        text: email.textBody,
        html: email.htmlBody ?? undefined,
        // Stable per reason: a receiver can drop a duplicate if a crash ever forces a resend.
        messageId: `<${email.dedupeKey.replace(/[^A-Za-z0-9._-]/g, '.')}@dispute-portal>`,
      })
      const rejected = [...(info.rejected ?? []), ...(info.rejectedErrors ?? [])]
      if (rejected.length > 0) throw new Error(`SMTP server refused recipients: ${rejected.map(String).join(', ')}`)
      // Only the holder of the lease may settle the row.
      await db.emailOutbox.updateMany({
        where: { id: email.id, leaseToken: email.leaseToken },
        data: { status: 'SENT', sentAt: now(), leaseUntil: null, leaseToken: null, lastError: null, messageId: info.messageId },
      })
      sent++
    } catch (error) {
      failed++
      const giveUp = email.attempts >= policy.maxAttempts
      await db.emailOutbox.updateMany({
        where: { id: email.id, leaseToken: email.leaseToken },
        data: {
          status: giveUp ? 'FAILED' : 'PENDING',
          leaseUntil: null,
          leaseToken: null,
          lastError: (error as Error).message.slice(0, 1000),
          nextAttemptAt: new Date(now().getTime() + retryDelayMs(email.attempts, policy)),
        },
      })
      logger.warn('email delivery failed', { emailId: email.id, attempts: email.attempts, giveUp, error: (error as Error).message })
    }
  }
  return { sent, failed }
}
