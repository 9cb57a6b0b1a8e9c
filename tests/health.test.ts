// /healthz's checks against real services: PostgreSQL (the run's, embedded or
// TEST_DATABASE_ADMIN_URL), S3 (s3rver or TEST_S3_ENDPOINT), SMTP (an smtp-server receiver, or
// TEST_SMTP_URL for the healthy case). Each failure is named: unreachable, timeout, auth_failed,
// access_denied, bucket_missing, database_missing.
import { randomBytes } from 'node:crypto'
import http from 'node:http'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb } from '~/infra/db.server'
import { createS3Client } from '~/infra/storage.server'
import { checkDependencies } from '~/services/health.server'
import { freePort, startSmtpReceiver, type SmtpReceiver } from '../scripts/embedded-services'
import { startTestS3, type TestS3 } from './setup/s3'
import { testDb } from './support'

const db = testDb()
let s3: TestS3
let smtp: SmtpReceiver
let smtpUrl: string

beforeAll(async () => {
  s3 = await startTestS3({ buckets: ['evidence'] })
  smtp = await startSmtpReceiver()
  smtpUrl = process.env.TEST_SMTP_URL || smtp.url
})
afterAll(async () => {
  await Promise.all([s3.stop(), smtp.stop(), db.$disconnect()])
})

const bucket = () => s3.bucket('evidence')
const healthy = () => ({ db, s3: s3.client(bucket()), bucket: bucket(), smtpUrl })
const listen = async (server: net.Server) => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}
const close = (server: net.Server) => new Promise((resolve) => server.close(resolve))

/** This file's database URL with one part changed. */
function databaseUrlWith(change: (url: URL) => void): string {
  const url = new URL(process.env.DATABASE_URL!)
  change(url)
  return url.toString()
}

describe('health check', () => {
  it('is ok when the database, S3 and SMTP answer', async () => {
    const report = await checkDependencies(healthy())
    expect(report).toMatchObject({ status: 'ok', checks: { database: { status: 'ok' }, s3: { status: 'ok' }, smtp: { status: 'ok' } } })
  })

  it('names the dead dependency without revealing its address', async () => {
    const deadPort = await freePort()
    const report = await checkDependencies({ ...healthy(), smtpUrl: `smtp://127.0.0.1:${deadPort}?tls=off`, timeoutMs: 1000 })
    expect(report.status).toBe('degraded')
    expect(report.checks.smtp).toMatchObject({ status: 'degraded', error: 'unreachable' })
    expect(report.checks.database.status).toBe('ok')
    expect(JSON.stringify(report)).not.toContain(String(deadPort))
  })
})

describe('health check: S3', () => {
  it('a dead S3 server is unreachable', async () => {
    const client = createS3Client({ ...s3.config(bucket()), endpoint: `http://127.0.0.1:${await freePort()}` })
    const report = await checkDependencies({ ...healthy(), s3: client, timeoutMs: 1000 })
    expect(report.status).toBe('degraded')
    expect(report.checks.s3).toMatchObject({ status: 'degraded', error: 'unreachable' })
  })

  it('a missing bucket is bucket_missing, not unreachable', async () => {
    const missing = s3.unusedBucket('nosuch')
    const report = await checkDependencies({ ...healthy(), s3: s3.client(missing), bucket: missing })
    expect(report.checks.s3).toMatchObject({ status: 'degraded', error: 'bucket_missing' })
  })

  it('an access key the server does not know is auth_failed', async () => {
    const client = createS3Client({ ...s3.config(bucket()), accessKeyId: `NOSUCHKEY${randomBytes(4).toString('hex').toUpperCase()}` })
    const report = await checkDependencies({ ...healthy(), s3: client })
    expect(report.checks.s3).toMatchObject({ status: 'degraded', error: 'auth_failed' })
  })

  // s3rver checks the access key id but not the signature: with the right key and a wrong secret it
  // answers as if all were well. Only a real S3 (TEST_S3_ENDPOINT) can show SignatureDoesNotMatch;
  // on s3rver this test pins that limitation, so that we notice if it ever starts checking.
  it('a wrong secret is auth_failed on a real S3 (s3rver does not check signatures)', async () => {
    const client = createS3Client({ ...s3.config(bucket()), secretAccessKey: `wrong-${randomBytes(8).toString('hex')}` })
    const report = await checkDependencies({ ...healthy(), s3: client })
    if (s3.external) expect(report.checks.s3).toMatchObject({ status: 'degraded', error: 'auth_failed' })
    else expect(report.checks.s3).toMatchObject({ status: 'ok' })
  })

  // s3rver has no bucket policies, so it never answers AccessDenied. This endpoint answers every
  // request the way S3 does when a policy denies it (403, and for requests with a body the
  // documented XML error), so the real SDK parses a real answer; the mapping of what s3rver cannot
  // say is tested here and nowhere else.
  it.each([
    ['AccessDenied', 'Access Denied', 'access_denied'],
    ['SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.', 'auth_failed'],
  ])('an S3 that answers 403 %s is %s', async (code, message, expected) => {
    const server = http.createServer((req, res) => {
      res.writeHead(403, { 'Content-Type': 'application/xml', 'x-amz-request-id': 'test' })
      res.end(req.method === 'HEAD' ? undefined : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`)
    })
    const port = await listen(server)
    try {
      const client = createS3Client({ ...s3.config(bucket()), endpoint: `http://127.0.0.1:${port}` })
      const report = await checkDependencies({ ...healthy(), s3: client })
      expect(report.checks.s3).toMatchObject({ status: 'degraded', error: expected })
    } finally {
      await close(server)
    }
  })
})

describe('health check: PostgreSQL', () => {
  it.each([
    ['a wrong password', (url: URL) => void (url.password = `wrong-${randomBytes(6).toString('hex')}`), 'auth_failed'],
    ['a role that does not exist', (url: URL) => void (url.username = `nobody_${randomBytes(4).toString('hex')}`), 'auth_failed'],
    ['a database that does not exist', (url: URL) => void (url.pathname = `/ptest_missing_${randomBytes(4).toString('hex')}`), 'database_missing'],
  ])('%s is %s', async (_what, change, expected) => {
    const wrong = createDb(databaseUrlWith(change), 1)
    try {
      const report = await checkDependencies({ ...healthy(), db: wrong })
      expect(report.checks.database).toMatchObject({ status: 'down', error: expected })
      expect([report.status, report.checks.s3.status, report.checks.smtp.status]).toEqual(['down', 'ok', 'ok'])
    } finally {
      await wrong.$disconnect()
    }
  })

  it('a server where nothing listens is unreachable', async () => {
    const deadPort = await freePort()
    const dead = createDb(databaseUrlWith((url) => void ((url.hostname = '127.0.0.1'), (url.port = String(deadPort)))), 1)
    try {
      const report = await checkDependencies({ ...healthy(), db: dead, timeoutMs: 1000 })
      expect(report.checks.database).toMatchObject({ status: 'down', error: 'unreachable' })
    } finally {
      await dead.$disconnect()
    }
  })
})

describe('health check: SMTP', () => {
  it('a login the server refuses is auth_failed', async () => {
    const server = new SMTPServer({
      logger: false,
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      onAuth: (_auth, _session, callback) => callback(new Error('Invalid username or password')),
    })
    const port = await listen(server.server)
    try {
      const report = await checkDependencies({ ...healthy(), smtpUrl: `smtp://portal:wrong@127.0.0.1:${port}?tls=off` })
      expect(report.checks.smtp).toMatchObject({ status: 'degraded', error: 'auth_failed' })
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })

  it('a server that accepts the connection but never greets is a timeout', async () => {
    const sockets = new Set<net.Socket>()
    const server = net.createServer((socket) => sockets.add(socket))
    const port = await listen(server)
    try {
      const report = await checkDependencies({ ...healthy(), smtpUrl: `smtp://127.0.0.1:${port}?tls=off`, timeoutMs: 500 })
      expect(report.checks.smtp).toMatchObject({ status: 'degraded', error: 'timeout' })
    } finally {
      for (const socket of sockets) socket.destroy()
      await close(server)
    }
  })
})
