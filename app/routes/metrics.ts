import type { LoaderFunctionArgs } from '@remix-run/node'
import { clock } from '~/infra/clock.server'
import { db } from '~/infra/db.server'
import { env } from '~/infra/env.server'
import { scrape } from '~/infra/metrics.server'
import { policy } from '~/infra/policy.server'
import { readQueues, registerQueueGauges } from '~/services/metrics-gauges.server'

// Prometheus scrape target for operators (bearer METRICS_TOKEN); no page of the portal links it.
export async function loader({ request }: LoaderFunctionArgs) {
  const answer = await scrape(request.headers.get('authorization'), env().METRICS_TOKEN, () =>
    registerQueueGauges(() => readQueues(db(), clock().now(), policy())),
  )
  return new Response(answer.body, { status: answer.status, headers: { 'Content-Type': answer.contentType, 'Cache-Control': 'no-store' } })
}
