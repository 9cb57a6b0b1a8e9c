// Reachability of the three things the portal cannot work without.
import { createS3Client, checkStorage, storageConfigFromEnv } from '~/infra/storage.server'
import { checkMail, createTransport } from '~/infra/mailer.server'
import { db } from '~/infra/db.server'
import { env } from '~/infra/env.server'

export type HealthReport = { ok: boolean; checks: Record<'database' | 's3' | 'smtp', { ok: boolean; ms: number; error?: string }> }

const TIMEOUT_MS = 2_000

async function timed(run: () => Promise<unknown>) {
  const started = performance.now()
  try {
    await Promise.race([
      run(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${TIMEOUT_MS} ms`)), TIMEOUT_MS).unref()),
    ])
    return { ok: true, ms: Math.round(performance.now() - started) }
  } catch (error) {
    return { ok: false, ms: Math.round(performance.now() - started), error: (error as Error).message || String(error) }
  }
}

export async function checkHealth(): Promise<HealthReport> {
  const storage = storageConfigFromEnv()
  const [database, s3, smtp] = await Promise.all([
    timed(() => db().$queryRaw`SELECT 1`),
    timed(() => checkStorage(createS3Client(storage), storage.bucket, TIMEOUT_MS)),
    timed(async () => {
      const transport = createTransport(env().SMTP_URL, { connectionMs: TIMEOUT_MS, greetingMs: TIMEOUT_MS, socketMs: TIMEOUT_MS })
      try {
        await checkMail(transport)
      } finally {
        transport.close()
      }
    }),
  ])
  return { ok: database.ok && s3.ok && smtp.ok, checks: { database, s3, smtp } }
}
