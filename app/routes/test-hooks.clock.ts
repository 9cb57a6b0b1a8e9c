// e2e only: moves the server's clock and drains every worker lane once in this process, so deadline
// paths are tested without sleeping; lanes running in this process are woken too (their sleep was
// reckoned on the old clock). It exists only where the test suite set TEST_HOOKS_ENABLED=true (which
// production refuses at start): anywhere else, a missing NODE_ENV included, every request gets 404.
import type { ActionFunctionArgs } from '@remix-run/node'
import { clock, OffsetClock, useClock } from '~/infra/clock.server'
import { env } from '~/infra/env.server'
import { notFound } from '~/infra/session.server'
import { runJobsOnce, wakeLanes } from '~/services/jobs.server'

const globalStore = globalThis as unknown as { __testClock?: OffsetClock }

export async function action({ request }: ActionFunctionArgs) {
  if (!env().TEST_HOOKS_ENABLED || env().NODE_ENV === 'production') throw notFound()
  const { advanceMs } = ((await request.json().catch(() => null)) ?? {}) as { advanceMs?: number }
  if (!globalStore.__testClock) {
    globalStore.__testClock = new OffsetClock()
    useClock(globalStore.__testClock)
  }
  if (typeof advanceMs === 'number' && advanceMs > 0) {
    globalStore.__testClock.advance(advanceMs)
    wakeLanes()
  }
  const { fired, refunds, emails, webhooks } = await runJobsOnce()
  return Response.json({ now: clock().now().toISOString(), fired, refunds, emails, webhooks })
}

export const loader = () => {
  throw notFound()
}
