// The production build, started the way an operator might forget to (no NODE_ENV, so the app runs
// as "development"), has no clock hook: it exists only where the test suite set
// TEST_HOOKS_ENABLED=true (global-setup.ts does, for e2e/clock/). A second server of the same
// build, on its own S3 bucket; it never needs its database to answer this.
import { expect, test } from '@playwright/test'
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { freePort } from '../scripts/embedded-services'
import { startTestS3, type TestS3 } from '../tests/setup/s3'

const root = path.resolve(import.meta.dirname, '..')
let s3: TestS3
let server: ChildProcess
let base: string

test.beforeAll(async () => {
  s3 = await startTestS3({ buckets: ['evidence'] })
  const port = await freePort()
  base = `http://127.0.0.1:${port}`
  // Nothing inherited: no NODE_ENV and no TEST_HOOKS_ENABLED, whatever this process has.
  const env = {
    PATH: process.env.PATH ?? '',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: 'postgresql://portal@127.0.0.1:9/portal',
    ...s3.env(s3.bucket('evidence')),
    SMTP_URL: 'smtp://127.0.0.1:9?tls=off',
    MAIL_FROM: 'Portal <noreply@portal.localhost>',
    SESSION_SECRET: 'hooks-session-secret-0123456789abcdef0123456789',
    API_SECRET_ROOT: 'hooks-api-secret-root-0123456789abcdef012345',
    PAYMENT_GATEWAY_URL: 'http://127.0.0.1:9',
    PAYMENT_GATEWAY_SECRET: 'hooks-gateway-secret-0123456789abcdef01234',
    LOG_LEVEL: 'info',
  }
  // (The project's ProcessEnv type declares NODE_ENV; leaving it out is the point.)
  server = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], { cwd: root, env: env as unknown as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${output}`)), 20_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('portal listening')) {
        clearTimeout(timer)
        resolve()
      }
    }
    server.stdout!.on('data', onData)
    server.stderr!.on('data', onData)
    server.once('exit', (code) => reject(new Error(`the server exited with ${code}:\n${output}`)))
  })
})

test.afterAll(async () => {
  if (server?.exitCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve))
    server.kill('SIGTERM')
    await exited
  }
  await s3?.stop()
})

test('the production build without NODE_ENV has no clock hook', async ({ request }) => {
  const moved = await request.post(`${base}/test-hooks/clock`, { data: { advanceMs: 30 * 24 * 3600_000 } })
  expect(moved.status()).toBe(404)
  expect((await request.get(`${base}/test-hooks/clock`)).status()).toBe(404)
})
