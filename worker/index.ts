// The worker process: fires deadlines, issues refunds, delivers the email outbox and webhooks. Several
// workers may run against one database; conditional updates and SKIP LOCKED claims make that safe.
import { disconnectDb } from '~/infra/db.server'
import { env, EnvError } from '~/infra/env.server'
import { exitUnlessStorageReady } from '~/infra/storage.server'
import { logger } from '~/infra/logger.server'
import { runJobsOnce } from '~/services/jobs.server'

const IDLE_POLL_MS = 1_000

export type WorkerLoop = { stop(): Promise<void> }

/** Runs one pass of every job; returns whether anything was done (to poll again at once). */
export async function runOnce(): Promise<boolean> {
  const pass = await runJobsOnce()
  if (pass.firedCount) logger.info('deadlines fired', pass.fired)
  return pass.busy
}

export function startWorker(): WorkerLoop {
  let stopping = false
  let wake: (() => void) | undefined
  const loop = (async () => {
    while (!stopping) {
      let busy = false
      try {
        busy = await runOnce()
      } catch (error) {
        logger.error('worker pass failed', { error })
      }
      if (!busy && !stopping) {
        await new Promise<void>((resolve) => {
          wake = resolve
          setTimeout(resolve, IDLE_POLL_MS)
        })
      }
    }
  })()
  return {
    async stop() {
      stopping = true
      wake?.()
      await loop
    },
  }
}

async function main() {
  try {
    env()
  } catch (error) {
    if (error instanceof EnvError) {
      process.stderr.write(`${error.message}\n`)
      process.exit(1)
    }
    throw error
  }
  await exitUnlessStorageReady('worker') // the bucket exists and is writable, or one line and exit 1
  logger.info('worker started')
  const worker = startWorker()
  const shutdown = async (signal: string) => {
    logger.info('worker stopping', { signal })
    await worker.stop() // finishes the job in hand, claims nothing new
    await disconnectDb()
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
}

void main()
