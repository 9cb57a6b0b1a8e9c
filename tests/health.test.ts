import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createS3Client } from '~/infra/storage.server'
import { checkHealth } from '~/services/health.server'
import { freePort, S3RVER_CREDENTIALS, startS3, startSmtpReceiver, type RunningS3, type SmtpReceiver } from '../scripts/embedded-services'
import { testDb } from './support'

const db = testDb()
let s3: RunningS3
let smtp: SmtpReceiver
let dir: string

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'portal-health-'))
  s3 = await startS3({ directory: dir, port: 0, buckets: ['evidence'] })
  smtp = await startSmtpReceiver()
})
afterAll(async () => {
  await Promise.all([s3.stop(), smtp.stop(), db.$disconnect()])
  rmSync(dir, { recursive: true, force: true })
})

const client = (endpoint: string) =>
  createS3Client({ endpoint, region: 'us-east-1', bucket: 'evidence', forcePathStyle: true, ...S3RVER_CREDENTIALS })

describe('health check', () => {
  it('is ok when the database, S3 and SMTP answer', async () => {
    const report = await checkHealth({ db, s3: client(s3.endpoint), bucket: 'evidence', smtpUrl: smtp.url })
    expect(report.ok).toBe(true)
    expect(report.checks.database.ok && report.checks.s3.ok && report.checks.smtp.ok).toBe(true)
  })

  it('names the dead dependency without revealing its address', async () => {
    const deadPort = await freePort()
    const report = await checkHealth({ db, s3: client(s3.endpoint), bucket: 'evidence', smtpUrl: `smtp://127.0.0.1:${deadPort}?tls=off`, timeoutMs: 1000 })
    expect(report.ok).toBe(false)
    expect(report.checks.smtp).toMatchObject({ ok: false, error: 'unreachable' })
    expect(report.checks.database.ok).toBe(true)
    expect(JSON.stringify(report)).not.toContain(String(deadPort))
  })

  it('reports a dead S3 server', async () => {
    const report = await checkHealth({ db, s3: client(`http://127.0.0.1:${await freePort()}`), bucket: 'evidence', smtpUrl: smtp.url, timeoutMs: 1000 })
    expect(report.ok).toBe(false)
    expect(report.checks.s3.ok).toBe(false)
  })
})
