// One pass of every background job, in order: deadlines (which may create refunds, emails and
// webhook events), refunds, emails, webhooks. The worker loops over it; tests and the e2e clock
// hook call it directly.
import { db } from '~/infra/db.server'
import { serviceDeps } from '~/infra/deps.server'
import { env } from '~/infra/env.server'
import { mailer } from '~/infra/mailer.server'
import { paymentGateway, paymentNotifyUrl } from '~/infra/payments.server'
import { policy } from '~/infra/policy.server'
import { clock } from '~/infra/clock.server'
import { sweepDeadlines } from './deadlines.server'
import { deliverDueEmails } from './outbox.server'
import { processDueRefunds } from './refund-ledger.server'
import { deliverDueWebhooks } from './webhooks.server'

export async function runJobsOnce() {
  const now = () => clock().now()
  const deps = serviceDeps()
  const fired = await sweepDeadlines(deps)
  const refunds = await processDueRefunds(deps, paymentGateway(), paymentNotifyUrl())
  const emails = await deliverDueEmails(db(), mailer(), env().MAIL_FROM, now)
  const webhooks = await deliverDueWebhooks(db(), now, policy(), { allowPrivate: env().EGRESS_ALLOW_PRIVATE })
  const firedCount = Object.values(fired).reduce((sum, n) => sum + n, 0)
  const refundWork = refunds.submitted + refunds.succeeded + refunds.failed + refunds.retrying
  const busy = firedCount + refundWork + emails.sent + emails.failed + webhooks.delivered + webhooks.failed > 0
  return { fired, firedCount, refunds, emails, webhooks, busy }
}
