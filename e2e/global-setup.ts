// Starts what the e2e tests run against: a real PostgreSQL, S3 server and SMTP receiver on free
// ports, migrations and demo data, and the production build served by the real server process.
// As in vitest's setup, TEST_DATABASE_ADMIN_URL, TEST_S3_* and TEST_SMTP_URL point it at external
// services instead (no e2e spec reads received mail); what it created there is dropped at the end.
import { spawn, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { freePort, startPostgres, startSmtpReceiver } from '../scripts/embedded-services'
import { startSandboxGateway } from '../scripts/sandbox-gateway'
import { createTestDatabase, dropDatabasesWithPrefix, dropStaleTestDatabases, newRunPrefix } from '../tests/setup/databases'
import { startTestS3, sweepStaleTestBuckets } from '../tests/setup/s3'
import { E2E_METRICS_TOKEN } from './helpers'
import { serverLogProblems } from './server-log'

const root = path.resolve(import.meta.dirname, '..')

async function waitForHealthy(url: string, timeoutMs: number) {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`the portal at ${url} did not become healthy in ${timeoutMs} ms`)
}

export default async function globalSetup() {
  if (!existsSync(path.join(root, 'build/index.js'))) throw new Error('Run `npm run build` before the e2e tests')
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portal-e2e-'))
  chmodSync(dir, 0o755)
  let adminUrl = process.env.TEST_DATABASE_ADMIN_URL
  let stopPostgres = async () => {}
  if (adminUrl) {
    await dropStaleTestDatabases(adminUrl)
  } else {
    const postgres = await startPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort(), fast: true })
    adminUrl = postgres.url('postgres')
    stopPostgres = () => postgres.stop()
  }
  const prefix = newRunPrefix()
  const databaseUrl = await createTestDatabase(adminUrl, `${prefix}e2e`)
  await sweepStaleTestBuckets()
  const s3 = await startTestS3({ buckets: ['evidence'] })
  const smtp = await startSmtpReceiver()
  const gatewaySecret = 'e2e-gateway-secret-0123456789abcdef012345'
  const gateway = await startSandboxGateway({ port: 0, secret: gatewaySecret, notifyDelayMs: 20 })
  const port = await freePort()
  const env = {
    ...process.env,
    NODE_ENV: 'test' as const,
    HOST: '127.0.0.1',
    PORT: String(port),
    APP_URL: `http://localhost:${port}`,
    DATABASE_URL: databaseUrl,
    ...s3.env(s3.bucket('evidence')),
    S3_CREATE_BUCKET: 'false', // the setup made the bucket; the server's start check must find it
    SMTP_URL: process.env.TEST_SMTP_URL || smtp.url,
    MAIL_FROM: 'Portal E2E <e2e@portal.localhost>',
    SESSION_SECRET: 'e2e-session-secret-0123456789abcdef0123456789',
    API_SECRET_ROOT: 'e2e-api-secret-root-0123456789abcdef012345',
    PAYMENT_GATEWAY_URL: gateway.url,
    PAYMENT_GATEWAY_SECRET: gatewaySecret,
    LOG_LEVEL: 'info',
    METRICS_TOKEN: E2E_METRICS_TOKEN,
    TEST_HOOKS_ENABLED: 'true', // the clock hook the specs in e2e/clock/ move time with
  }
  for (const [args, what] of [
    [['node_modules/prisma/build/index.js', 'migrate', 'deploy'], 'migrate deploy'],
    [['--import', 'tsx', 'prisma/seed.ts'], 'seed'],
  ] as const) {
    const result = spawnSync(process.execPath, args, { cwd: root, env, encoding: 'utf8' })
    if (result.status !== 0) throw new Error(`${what} failed:\n${result.stdout}\n${result.stderr}`)
  }
  // The server's JSON log goes to test-results/e2e-server.log, for reading after a failure.
  mkdirSync(path.join(root, 'test-results'), { recursive: true })
  const logPath = path.join(root, 'test-results/e2e-server.log')
  const log = openSync(logPath, 'w')
  const server = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], { cwd: root, env, stdio: ['ignore', log, log] })
  // A server that dies during the run fails it, with how it ended.
  let serverEnd: string | undefined
  const serverExited = new Promise<void>((resolve) => {
    server.once('exit', (code, signal) => {
      serverEnd = `code ${code}, signal ${signal}`
      resolve()
    })
  })
  const baseUrl = `http://localhost:${port}`
  await waitForHealthy(baseUrl, 30_000)
  process.env.E2E_BASE_URL = baseUrl

  return async () => {
    const diedEarly = serverEnd
    // Wait only for a server still running: one that already died fires no second `exit`.
    if (!diedEarly) {
      server.kill('SIGTERM')
      await serverExited
    }
    await Promise.all([s3.stop(), smtp.stop(), gateway.stop()])
    await dropDatabasesWithPrefix(adminUrl, prefix)
    await stopPostgres()
    rmSync(dir, { recursive: true, force: true })
    const problems = serverLogProblems(readFileSync(logPath, 'utf8'))
    if (diedEarly) problems.unshift(`the e2e server died during the run (${diedEarly})`)
    if (problems.length) {
      throw new Error(`the e2e server's log (${path.relative(root, logPath)}) holds ${problems.length} problem(s):\n${problems.slice(0, 20).join('\n')}`)
    }
  }
}
