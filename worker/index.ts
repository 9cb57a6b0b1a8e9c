// The worker process: fires deadlines, issues refunds, delivers the email outbox and webhooks, each
// in its own lane (app/services/jobs.server.ts, ADR 0011). Several workers may run against one
// database; conditional updates and SKIP LOCKED claims make that safe. With WORKER_METRICS_PORT
// set it serves GET /metrics on 127.0.0.1 behind METRICS_TOKEN.
import http from 'node:http'
import { createDb, disconnectDb } from '~/infra/db.server'
import { serviceDeps } from '~/infra/deps.server'
import { env } from '~/infra/env.server'
import { exitUnlessReadyToStart } from '~/infra/startup.server'
import { logger } from '~/infra/logger.server'
import { mailer } from '~/infra/mailer.server'
import { scrape } from '~/infra/metrics.server'
import { paymentGateway, paymentNotifyUrl } from '~/infra/payments.server'
import { laneDefaults, startLanes } from '~/services/jobs.server'

export type WorkerLoop = { stop(): Promise<void> }

/** The deadline lane's own pool: a connection per fire in flight and two for its looks, so deliveries never keep it waiting for one. */
const DEADLINE_POOL_SIZE = laneDefaults.concurrency.deadlines + 2

export function startWorker(): WorkerLoop {
  const deps = serviceDeps()
  // The deadline lane gets its own pool: a burst of settling deliveries never queues its queries.
  const deadlineDb = createDb(env().DATABASE_URL, DEADLINE_POOL_SIZE)
  const lanes = startLanes({
    deps,
    deadlineDeps: { ...deps, db: deadlineDb },
    transport: mailer(),
    mailFrom: env().MAIL_FROM,
    gateway: paymentGateway(),
    notifyUrl: paymentNotifyUrl(),
    egress: { allowPrivate: env().EGRESS_ALLOW_PRIVATE },
    listenUrl: env().DATABASE_URL,
  })
  const metricsServer = serveMetrics()
  return {
    async stop() {
      await lanes.stop() // finishes the attempts in hand, claims nothing new, gives back unstarted rows
      await new Promise<void>((resolve) => (metricsServer ? metricsServer.close(() => resolve()) : resolve()))
      await deadlineDb.$disconnect()
    },
  }
}

/** GET /metrics on 127.0.0.1:WORKER_METRICS_PORT (404 without METRICS_TOKEN, 401 without the bearer token). */
function serveMetrics(): http.Server | undefined {
  const port = env().WORKER_METRICS_PORT
  if (!port) return undefined
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://worker').pathname
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found')
      return
    }
    scrape(req.headers.authorization, env().METRICS_TOKEN).then(
      (answer) => res.writeHead(answer.status, { 'Content-Type': answer.contentType }).end(answer.body),
      (error: unknown) => {
        logger.error('metrics scrape failed', { error })
        res.writeHead(500, { 'Content-Type': 'text/plain' }).end('Error')
      },
    )
  })
  server.on('error', (error) => logger.error('worker metrics server failed', { error, port }))
  server.listen(port, '127.0.0.1', () => logger.info('worker metrics listening', { url: `http://127.0.0.1:${port}/metrics` }))
  return server
}

async function main() {
  await exitUnlessReadyToStart('worker') // a valid environment and a writable bucket, or one message and exit 1
  logger.info('worker started')
  const worker = startWorker()
  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info('worker stopping', { signal })
    await worker.stop()
    await disconnectDb()
    logger.info('worker stopped')
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
}

void main()
