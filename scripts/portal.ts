// `npm start`: the portal with demo data on embedded defaults. Every endpoint that is not set in
// the environment gets a local service (PostgreSQL, S3, a mail catcher with a web UI) with its data
// under .data/, so a restart keeps everything. Then: migrations, demo data once, the build, the app
// and the worker. Ctrl-C stops it all.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import {
  assertPortFree,
  createDatabase,
  S3RVER_CREDENTIALS,
  startMailCatcher,
  startPostgres,
  startS3,
} from './embedded-services'
import { DEMO_PASSWORD } from '../prisma/demo-data'
import { parseFailurePlan, startSandboxGateway } from './sandbox-gateway'

const root = path.resolve(import.meta.dirname, '..')
const dataDir = path.join(root, '.data')
const env: Record<string, string | undefined> = { ...process.env }
const stops: (() => Promise<void>)[] = []
const children: ChildProcess[] = []
const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback)

function say(line: string) {
  process.stdout.write(`[portal] ${line}\n`)
}

function newestMtime(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs)
  }
  return newest
}

function run(command: string, args: string[], what: string) {
  const result = spawnSync(command, args, { cwd: root, env: env as NodeJS.ProcessEnv, stdio: 'inherit' })
  if (result.status !== 0) throw new Error(`${what} failed (exit ${result.status})`)
}

async function startEmbedded() {
  mkdirSync(dataDir, { recursive: true })
  if (!env.DATABASE_URL) {
    const pgPort = port('EMBEDDED_PG_PORT', 54329)
    await assertPortFree(pgPort, 'embedded PostgreSQL')
    const postgres = await startPostgres({ dataDir: path.join(dataDir, 'postgres'), port: pgPort })
    stops.push(postgres.stop)
    await createDatabase(postgres, 'portal')
    env.DATABASE_URL = postgres.url('portal')
    say(`PostgreSQL   ${env.DATABASE_URL}`)
  }
  env.S3_BUCKET ??= 'evidence'
  if (!env.S3_ENDPOINT) {
    const s3Port = port('EMBEDDED_S3_PORT', 4569)
    await assertPortFree(s3Port, 'embedded S3')
    const s3 = await startS3({ directory: path.join(dataDir, 's3'), port: s3Port, buckets: [env.S3_BUCKET] })
    stops.push(s3.stop)
    env.S3_ENDPOINT = s3.endpoint
    env.S3_CREATE_BUCKET ??= 'true' // the embedded S3 is ours: the app and worker may create its bucket
    env.S3_ACCESS_KEY_ID ??= S3RVER_CREDENTIALS.accessKeyId
    env.S3_SECRET_ACCESS_KEY ??= S3RVER_CREDENTIALS.secretAccessKey
    say(`S3 (s3rver)  ${s3.endpoint}  bucket ${env.S3_BUCKET}  (loopback only: the portal streams evidence to browsers)`)
    // A presigned link to a loopback address opens only on this machine, and s3rver ignores signatures.
    if (env.EVIDENCE_DELIVERY === 'presigned') say('warning: EVIDENCE_DELIVERY=presigned with the embedded S3: browsers on other machines cannot download evidence')
  }
  if (!env.SMTP_URL) {
    const smtpPort = port('EMBEDDED_SMTP_PORT', 1025)
    const webPort = port('EMBEDDED_MAIL_UI_PORT', 1080)
    await assertPortFree(smtpPort, 'mail catcher SMTP')
    await assertPortFree(webPort, 'mail catcher web UI')
    const mail = await startMailCatcher({ smtpPort, webPort, directory: path.join(dataDir, 'mail') })
    stops.push(mail.stop)
    env.SMTP_URL = mail.smtpUrl
    say(`Mail UI      ${mail.webUrl}`)
  }
  if (!env.PAYMENT_GATEWAY_URL) {
    // The payment network is the one thing we do not run: a sandbox stands in for it, with a page
    // listing its refunds and failure injection (SANDBOX_GATEWAY_FAILURES, or from the page).
    const gatewayPort = port('EMBEDDED_GATEWAY_PORT', 4580)
    await assertPortFree(gatewayPort, 'sandbox payment gateway')
    env.PAYMENT_GATEWAY_SECRET ||= keptSecret(path.join(dataDir, 'gateway-secret'))
    const gateway = await startSandboxGateway({
      port: gatewayPort,
      secret: env.PAYMENT_GATEWAY_SECRET,
      dataFile: path.join(dataDir, 'gateway-refunds.json'),
      failures: parseFailurePlan(env.SANDBOX_GATEWAY_FAILURES),
    })
    stops.push(gateway.stop)
    env.PAYMENT_GATEWAY_URL = gateway.url
    say(`Payments     ${gateway.url}  (sandbox gateway: refunds and failure injection)`)
  }
  env.MAIL_FROM ??= '售后纠纷平台 Dispute Portal <noreply@portal.localhost>'
  // Generated once and kept, so that a restart keeps everyone logged in and every integration's
  // signing secret valid.
  env.SESSION_SECRET ||= keptSecret(path.join(dataDir, 'session-secret'))
  env.API_SECRET_ROOT ||= keptSecret(path.join(dataDir, 'api-secret-root'))
  env.NODE_ENV ??= 'production'
  env.PORT ??= '3000'
  env.HOST ??= '127.0.0.1'
  env.APP_URL ??= `http://localhost:${env.PORT}`
}

function keptSecret(file: string): string {
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 })
  return readFileSync(file, 'utf8').trim()
}

function startChild(name: string, args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: root, env: env as NodeJS.ProcessEnv, stdio: 'inherit' })
  child.on('exit', (code, signal) => {
    if (!shuttingDown) {
      say(`${name} exited (${signal ?? code}); stopping everything`)
      void shutdown(1)
    }
  })
  children.push(child)
}

let shuttingDown = false
async function shutdown(code: number) {
  if (shuttingDown) return
  shuttingDown = true
  say('stopping…')
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve()
          child.once('exit', () => resolve())
          child.kill('SIGTERM')
        }),
    ),
  )
  for (const stop of stops.reverse()) await stop().catch(() => {})
  process.exit(code)
}

async function main() {
  process.on('SIGINT', () => void shutdown(0))
  process.on('SIGTERM', () => void shutdown(0))
  await startEmbedded()
  say('applying migrations')
  run(process.execPath, ['node_modules/prisma/build/index.js', 'migrate', 'deploy'], 'prisma migrate deploy')
  run(process.execPath, ['--import', 'tsx', 'prisma/seed.ts'], 'seeding demo data')
  const buildFile = path.join(root, 'build', 'index.js')
  if (!existsSync(buildFile) || newestMtime(path.join(root, 'app')) > statSync(buildFile).mtimeMs) {
    say('building the app')
    run(process.execPath, ['node_modules/@remix-run/dev/dist/cli.js', 'build'], 'remix build')
  }
  startChild('app', ['server/index.ts'])
  startChild('worker', ['worker/index.ts'])
  say(`Portal       ${env.APP_URL}  (demo logins in README.md; password ${DEMO_PASSWORD})`)
}

main().catch(async (error) => {
  process.stderr.write(`[portal] ${(error as Error).message}\n`)
  await shutdown(1)
})
