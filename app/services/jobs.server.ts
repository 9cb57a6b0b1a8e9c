// One pass of every background job, in order: deadlines (which may create refunds, emails and
// webhook events), refunds, emails, webhooks. The worker loops over it; tests and the e2e clock
// hook call it directly.
import { clock } from '~/infra/clock.server'
import { db } from '~/infra/db.server'
import { disputeDeps } from '~/infra/deps.server'
import { env } from '~/infra/env.server'
import { mailer } from '~/infra/mailer.server'
import { policy } from '~/infra/policy.server'
import { sweepDeadlines } from './deadlines.server'
import { deliverDueEmails } from './outbox.server'
import { issuePendingRefunds, simulatedGateway } from './refunds.server'
import { deliverDueWebhooks } from './webhooks.server'

export async function runJobsOnce() {
  const now = () => clock().now()
  const fired = await sweepDeadlines(disputeDeps())
  const refunds = await issuePendingRefunds(db(), simulatedGateway, now)
  const emails = await deliverDueEmails(db(), mailer(), env().MAIL_FROM, now)
  const webhooks = await deliverDueWebhooks(db(), now, policy())
  const firedCount = Object.values(fired).reduce((sum, n) => sum + n, 0)
  const busy = firedCount + refunds + emails.sent + emails.failed + webhooks.delivered + webhooks.failed > 0
  return { fired, firedCount, refunds, emails, webhooks, busy }
}
