// Prometheus metrics (prom-client), for operators only. One registry per process: the app serves
// it at /metrics, the worker on its own port; both behind METRICS_TOKEN. Metrics that describe the
// database (queue depths, refund states) are read at scrape time, so every process reports the same.
import { timingSafeEqual } from 'node:crypto'
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

const globalStore = globalThis as unknown as { __metrics?: ReturnType<typeof createMetrics> }

function createMetrics() {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  return {
    registry,
    /** Every HTTP request the app answered, by Remix route id (not path: case numbers would explode it). */
    httpRequestDuration: new Histogram({
      name: 'portal_http_request_duration_seconds',
      help: 'HTTP request latency by route, method and status class',
      labelNames: ['route', 'method', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
      registers: [registry],
    }),
    /** How late a deadline fired: fired at − due at, per deadline kind. */
    deadlineLateness: new Histogram({
      name: 'portal_deadline_lateness_seconds',
      help: 'Time from a deadline being due to its event being fired',
      labelNames: ['kind'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300],
      registers: [registry],
    }),
    /** Every real delivery attempt of a lane (email, webhook, refund), by outcome. */
    deliveryAttempts: new Counter({
      name: 'portal_delivery_attempts_total',
      help: 'Delivery attempts by lane and outcome (ok, failed, gave_up)',
      labelNames: ['lane', 'outcome'] as const,
      registers: [registry],
    }),
    /** How long one pass of a lane took. */
    lanePassDuration: new Histogram({
      name: 'portal_lane_pass_seconds',
      help: 'Duration of one pass of a worker lane',
      labelNames: ['lane'] as const,
      buckets: [0.005, 0.025, 0.1, 0.5, 1, 5, 15, 60],
      registers: [registry],
    }),
  }
}

export function metrics() {
  globalStore.__metrics ??= createMetrics()
  return globalStore.__metrics
}

/**
 * The answer to a scrape: 404 while metrics are off (no token configured, so nothing hints that
 * the endpoint exists), 401 without the right bearer token, else the registry's text.
 */
export async function scrape(authorization: string | null | undefined, token: string | undefined, beforeCollect?: () => void) {
  if (!token) return { status: 404, contentType: 'text/plain', body: 'Not found' }
  if (!bearerMatches(authorization, token)) return { status: 401, contentType: 'text/plain', body: 'Unauthorized' }
  beforeCollect?.() // only an authorized scrape may cost a database query
  const { registry } = metrics()
  return { status: 200, contentType: registry.contentType, body: await registry.metrics() }
}

function bearerMatches(authorization: string | null | undefined, token: string): boolean {
  const given = Buffer.from(authorization?.startsWith('Bearer ') ? authorization.slice(7) : '')
  const expected = Buffer.from(token)
  return given.length === expected.length && timingSafeEqual(given, expected)
}
