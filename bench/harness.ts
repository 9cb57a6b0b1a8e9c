// What the HTTP benchmarks share: the real server (server/index.ts over the Remix build) started on
// loopback beside an S3 server and an SMTP receiver, plain HTTP requests, and a logged-in session.
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { S3RVER_CREDENTIALS, freePort, startS3, startSmtpReceiver } from '../scripts/embedded-services'
import { judge, NoSamples, type Goal } from './goals'

export const root = path.resolve(import.meta.dirname, '..')

/**
 * Runs a bench's main, which returns its goals (bench/goals.ts): one line per goal, and exit code 1
 * when any is missed; a failure (NoSamples: nothing was measured) prints what and exits 1, so a
 * broken or dead run never reads as a result.
 */
export function runBench(main: () => Promise<Goal[]>) {
  main().then(
    (goals) => {
      const verdict = judge(goals)
      for (const line of verdict.lines) process.stdout.write(`${line}\n`)
      if (!verdict.met) process.exitCode = 1
    },
    (error) => {
      process.stderr.write(`${error instanceof NoSamples ? `no figure: ${error.message}` : error instanceof Error ? error.stack : String(error)}\n`)
      process.exit(1)
    },
  )
}

/** Applies every migration to `databaseUrl` with the real `prisma migrate deploy`. */
export function migrateDeploy(databaseUrl: string) {
  const migrate = spawnSync(process.execPath, ['node_modules/prisma/build/index.js', 'migrate', 'deploy'], { cwd: root, env: { ...process.env, DATABASE_URL: databaseUrl }, encoding: 'utf8' })
  if (migrate.status !== 0) throw new Error(migrate.stderr)
}

/**
 * The last lines of a throughput bench (upload, download): the best round of each side, and its
 * goals for runBench: the ratio app/direct ≥ 0.8 and the app server's peak RSS growth ≤ 64 MB.
 */
export function reportThroughput(name: string, direct: string, sizeBytes: number, appRuns: number[], directRuns: number[], rssGrowthMb: number): Goal[] {
  const MB = 1024 * 1024
  if (!appRuns.length || !directRuns.length) throw new NoSamples(`${name}: no completed run`)
  const appSeconds = Math.min(...appRuns)
  const directSeconds = Math.min(...directRuns)
  const appRate = sizeBytes / MB / appSeconds
  const directRate = sizeBytes / MB / directSeconds
  process.stdout.write(`through the app (best): ${appSeconds.toFixed(1)} s, ${appRate.toFixed(1)} MB/s\n`)
  process.stdout.write(`${direct} (best):   ${directSeconds.toFixed(1)} s, ${directRate.toFixed(1)} MB/s\n`)
  return [
    { name: `${name} ${(sizeBytes / MB).toFixed(0)} MB: throughput ratio app/direct`, value: appRate / directRate, atLeast: 0.8 },
    { name: `${name}: server peak RSS growth`, value: rssGrowthMb, unit: ' MB', atMost: 64 },
  ]
}

/** User + system CPU seconds a process has used (clock ticks of 1/100 s): a measure the machine's other load barely moves. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

/** A process's resident memory in bytes. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024
}

export type HttpAnswer = { status: number; headers: http.IncomingHttpHeaders; text: string }

export function httpRequest(url: string, options: http.RequestOptions = {}, body?: string | NodeJS.ReadableStream): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, options, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }))
    })
    req.on('error', reject)
    if (typeof body === 'string' || body === undefined) req.end(body)
    else body.pipe(req)
  })
}

export type Portal = { base: string; pid: number; s3Endpoint: string; stop(): Promise<void> }

/**
 * Starts S3, SMTP and the portal on `databaseUrl` and waits until /healthz answers 200. `prepare`
 * runs with the portal's environment before the server starts (migrations, seeds).
 */
export async function startPortal(options: { databaseUrl: string; s3Directory: string; env?: Record<string, string>; prepare?: (env: NodeJS.ProcessEnv) => void }): Promise<Portal> {
  const s3 = await startS3({ directory: options.s3Directory, port: 0, buckets: ['evidence'] })
  const smtp = await startSmtpReceiver()
  const port = await freePort()
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: options.databaseUrl,
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: 'evidence',
    S3_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    S3_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    SMTP_URL: smtp.url,
    MAIL_FROM: 'bench <bench@portal.localhost>',
    SESSION_SECRET: randomBytes(32).toString('hex'),
    API_SECRET_ROOT: randomBytes(32).toString('hex'),
    // Required by the app; the benchmarks pay no refunds (the worker, which calls the gateway, is not started).
    PAYMENT_GATEWAY_URL: 'http://127.0.0.1:9',
    PAYMENT_GATEWAY_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
    ...options.env,
  }
  const stopServices = () => Promise.all([s3.stop(), smtp.stop()]).then(() => undefined)
  try {
    options.prepare?.(env)
  } catch (error) {
    await stopServices()
    throw error
  }
  // BENCH_SERVER_PROFILE=<dir>: the server writes a V8 CPU profile there when it stops (--cpu-prof is refused in NODE_OPTIONS).
  const profile = process.env.BENCH_SERVER_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_SERVER_PROFILE}`] : []
  const server = spawn(process.execPath, [...profile, '--import', 'tsx', 'server/index.ts'], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] })
  const portal: Portal = {
    base: `http://127.0.0.1:${port}`,
    pid: server.pid!,
    s3Endpoint: s3.endpoint,
    async stop() {
      if (server.exitCode === null) {
        server.kill('SIGTERM')
        await new Promise((r) => server.once('exit', r))
      }
      await stopServices()
    },
  }
  for (let i = 0; ; i++) {
    try {
      if ((await httpRequest(`${portal.base}/healthz`)).status === 200) return portal
    } catch {
      // not listening yet
    }
    if (i > 150) {
      await portal.stop()
      throw new Error('server did not start')
    }
    await new Promise((r) => setTimeout(r, 200))
  }
}

/** Logs in through the login form; returns the session cookie and the CSRF token forms need. */
export async function logIn(base: string, email: string, password: string): Promise<{ cookie: string; csrf: string }> {
  const loginPage = await httpRequest(`${base}/login`)
  const csrfCookie = (loginPage.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ')
  const csrf = /name="csrf" value="([^"]+)"/.exec(loginPage.text)?.[1] ?? ''
  const form = new URLSearchParams({ csrf, email, password }).toString()
  const login = await httpRequest(
    `${base}/login`,
    { method: 'POST', headers: { Cookie: csrfCookie, 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(form) } },
    form,
  )
  if (login.status !== 302 && login.status !== 303) throw new Error(`login as ${email} answered ${login.status}`)
  return { cookie: [csrfCookie, ...(login.headers['set-cookie'] ?? []).map((c) => c.split(';')[0])].join('; '), csrf }
}
