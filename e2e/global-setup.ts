// Starts what the e2e tests run against: a real PostgreSQL, S3 server and SMTP receiver on free
// ports, migrations and demo data, and the production build served by the real server process.
import { spawn, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {
  createDatabase,
  freePort,
  S3RVER_CREDENTIALS,
  startPostgres,
  startS3,
  startSmtpReceiver,
} from '../scripts/embedded-services'
import { startSandboxGateway } from '../scripts/sandbox-gateway'
import { E2E_METRICS_TOKEN } from './helpers'

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
  const postgres = await startPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort(), fast: true })
  await createDatabase(postgres, 'portal_e2e')
  const s3 = await startS3({ directory: path.join(dir, 's3'), port: 0, buckets: ['evidence'] })
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
    DATABASE_URL: postgres.url('portal_e2e'),
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: 'evidence',
    S3_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    S3_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    SMTP_URL: smtp.url,
    MAIL_FROM: 'Portal E2E <e2e@portal.localhost>',
    SESSION_SECRET: 'e2e-session-secret-0123456789abcdef0123456789',
    API_SECRET_ROOT: 'e2e-api-secret-root-0123456789abcdef012345',
    PAYMENT_GATEWAY_URL: gateway.url,
    PAYMENT_GATEWAY_SECRET: gatewaySecret,
    LOG_LEVEL: 'info',
    METRICS_TOKEN: E2E_METRICS_TOKEN,
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
  const log = openSync(path.join(root, 'test-results/e2e-server.log'), 'w')
  const server = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], { cwd: root, env, stdio: ['ignore', log, log] })
  const baseUrl = `http://localhost:${port}`
  await waitForHealthy(baseUrl, 30_000)
  process.env.E2E_BASE_URL = baseUrl

  return async () => {
    await new Promise<void>((resolve) => {
      server.once('exit', () => resolve())
      server.kill('SIGTERM')
    })
    await Promise.all([s3.stop(), smtp.stop(), gateway.stop()])
    await postgres.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}
