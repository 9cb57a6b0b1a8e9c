import type { LoaderFunctionArgs } from '@remix-run/node'
import { serviceDeps } from '~/infra/deps.server'
import { env } from '~/infra/env.server'
import { scrape } from '~/infra/metrics.server'
import { readQueues, registerQueueGauges } from '~/services/metrics-gauges.server'

// Prometheus scrape target for operators (bearer METRICS_TOKEN); no page of the portal links it.
export async function loader({ request }: LoaderFunctionArgs) {
  const answer = await scrape(request.headers.get('authorization'), env().METRICS_TOKEN, () =>
    registerQueueGauges(() => {
      const deps = serviceDeps()
      return readQueues(deps, deps.clock.now())
    }),
  )
  return new Response(answer.body, { status: answer.status, headers: { 'Content-Type': answer.contentType, 'Cache-Control': 'no-store' } })
}
