// Two answers (ADR 0015). Readiness: can this instance serve pages, i.e. does the database answer; a
// load balancer polls it (/healthz). Dependencies: the database, S3 and SMTP each ok or not and what
// is wrong; alerting reads it (/healthz/dependencies). Without S3 uploads and downloads fail and
// without SMTP mail waits in the outbox, but pages work: that is degraded, never a reason to take
// the instance out of the load balancer.
import type { S3Client } from '@aws-sdk/client-s3'
import { checkMail, createTransport } from '~/infra/mailer.server'
import { checkBucket, StorageCheckError } from '~/infra/storage.server'
import type { Db } from '~/infra/db.server'
import { logger } from '~/infra/logger.server'

/**
 * What a failed check reports. `unreachable`: no answer at all (refused, DNS, reset); `timeout`: no
 * answer in time; `auth_failed`: the service refused the credentials (PostgreSQL password or role,
 * S3 key or signature, SMTP login); `access_denied`: the credentials are good but not allowed (S3
 * AccessDenied, PostgreSQL CONNECT privilege); `bucket_missing` / `database_missing`: the named
 * bucket or database does not exist; `error`: any other answer.
 */
export type HealthProblem = 'unreachable' | 'timeout' | 'auth_failed' | 'access_denied' | 'bucket_missing' | 'database_missing' | 'error'
/** ok; degraded: the portal serves pages without it (S3, SMTP); down: it serves nothing (the database). */
export type HealthStatus = 'ok' | 'degraded' | 'down'
type Check = { status: HealthStatus; ms: number; error?: HealthProblem }
export type Readiness = { status: 'ok' | 'down'; checks: { database: Check } }
export type DependencyReport = { status: HealthStatus; checks: Record<'database' | 's3' | 'smtp', Check> }
export type HealthDeps = { db: Db; s3: S3Client; bucket: string; smtpUrl: string; timeoutMs?: number }

class HealthTimeout extends Error {}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE'])

/** PostgreSQL SQLSTATEs (class 28: authorization; 3D000: no such database; 42501: no CONNECT privilege). */
export function databaseProblem(error: unknown): HealthProblem {
  const code = (error as { code?: string } | undefined)?.code ?? ''
  if (code === '28P01' || code === '28000') return 'auth_failed'
  if (code === '3D000') return 'database_missing'
  if (code === '42501') return 'access_denied'
  if (code === 'ETIMEDOUT') return 'timeout'
  if (NETWORK_CODES.has(code) || /Connection terminated unexpectedly/.test((error as Error)?.message ?? '')) return 'unreachable'
  return 'error'
}

/** nodemailer's error codes: EAUTH (535 and the like) is a refused login; ECONNECTION/ESOCKET/EDNS no server. */
export function mailProblem(error: unknown): HealthProblem {
  const e = (error ?? {}) as { code?: string; responseCode?: number }
  if (e.code === 'EAUTH' || e.responseCode === 535 || e.responseCode === 530) return 'auth_failed'
  if (e.code === 'ETIMEDOUT') return 'timeout'
  if (['ECONNECTION', 'ESOCKET', 'EDNS'].includes(e.code ?? '') || NETWORK_CODES.has(e.code ?? '')) return 'unreachable'
  return 'error'
}

/** The report names only the problem: details (addresses, server messages) go to the log. */
async function timed(
  name: string,
  failing: 'degraded' | 'down',
  timeoutMs: number,
  run: () => Promise<unknown>,
  classify: (error: unknown) => HealthProblem,
): Promise<Check> {
  const started = performance.now()
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      run(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new HealthTimeout()), timeoutMs)
      }),
    ])
    return { status: 'ok', ms: Math.round(performance.now() - started) }
  } catch (error) {
    const reason = error instanceof HealthTimeout ? 'timeout' : classify(error)
    logger.warn('health check failed', { check: name, reason, error })
    return { status: failing, ms: Math.round(performance.now() - started), error: reason }
  } finally {
    clearTimeout(timer)
  }
}

// The pool under Prisma, so the driver's own error (a SQLSTATE or a socket code) reaches us.
const checkDatabase = (db: Db, timeoutMs: number) => timed('database', 'down', timeoutMs, () => db.pool.query('SELECT 1'), databaseProblem)

/** Ready when the database answers: the one dependency without which no page can be served. */
export async function checkReadiness({ db, timeoutMs = 2_000 }: { db: Db; timeoutMs?: number }): Promise<Readiness> {
  const database = await checkDatabase(db, timeoutMs)
  return { status: database.status === 'ok' ? 'ok' : 'down', checks: { database } }
}

const WORST: HealthStatus[] = ['down', 'degraded', 'ok']

export async function checkDependencies({ db, s3, bucket, smtpUrl, timeoutMs = 2_000 }: HealthDeps): Promise<DependencyReport> {
  const [database, storage, smtp] = await Promise.all([
    checkDatabase(db, timeoutMs),
    timed('s3', 'degraded', timeoutMs, () => checkBucket(s3, bucket, timeoutMs), (error) => (error instanceof StorageCheckError ? error.reason : 'error')),
    timed(
      'smtp',
      'degraded',
      timeoutMs,
      async () => {
        const transport = createTransport(smtpUrl, { connectionMs: timeoutMs, greetingMs: timeoutMs, socketMs: timeoutMs })
        try {
          await checkMail(transport)
        } finally {
          transport.close()
        }
      },
      mailProblem,
    ),
  ])
  const checks = { database, s3: storage, smtp }
  const status = WORST.find((level) => Object.values(checks).some((check) => check.status === level))!
  return { status, checks }
}
