// Reachability of the three things the portal cannot work without.
import type { S3Client } from '@aws-sdk/client-s3'
import { checkMail, createTransport } from '~/infra/mailer.server'
import { checkStorage } from '~/infra/storage.server'
import type { Db } from '~/infra/db.server'
import { logger } from '~/infra/logger.server'

type Check = { ok: boolean; ms: number; error?: string }
export type HealthReport = { ok: boolean; checks: Record<'database' | 's3' | 'smtp', Check> }
export type HealthDeps = { db: Db; s3: S3Client; bucket: string; smtpUrl: string; timeoutMs?: number }

class HealthTimeout extends Error {}

/** The report says only "timeout" or "unreachable": details (addresses) go to the log. */
async function timed(name: string, timeoutMs: number, run: () => Promise<unknown>): Promise<Check> {
  const started = performance.now()
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      run(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new HealthTimeout()), timeoutMs)
      }),
    ])
    return { ok: true, ms: Math.round(performance.now() - started) }
  } catch (error) {
    logger.warn('health check failed', { check: name, error })
    const reason = error instanceof HealthTimeout ? 'timeout' : 'unreachable'
    return { ok: false, ms: Math.round(performance.now() - started), error: reason }
  } finally {
    clearTimeout(timer)
  }
}

export async function checkHealth({ db, s3, bucket, smtpUrl, timeoutMs = 2_000 }: HealthDeps): Promise<HealthReport> {
  const [database, storage, smtp] = await Promise.all([
    timed('database', timeoutMs, () => db.$queryRaw`SELECT 1`),
    timed('s3', timeoutMs, () => checkStorage(s3, bucket, timeoutMs)),
    timed('smtp', timeoutMs, async () => {
      const transport = createTransport(smtpUrl, { connectionMs: timeoutMs, greetingMs: timeoutMs, socketMs: timeoutMs })
      try {
        await checkMail(transport)
      } finally {
        transport.close()
      }
    }),
  ])
  return { ok: database.ok && storage.ok && smtp.ok, checks: { database, s3: storage, smtp } }
}
