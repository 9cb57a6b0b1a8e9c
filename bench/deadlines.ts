// npm run bench:deadlines — how late deadlines fire (fired at − due at), in two cases.
//
// open:    100,000 open cases whose 48-hour deadlines fall over one day. The deadline lane's cycle
//          is replayed over BENCH_WINDOW_MS of that day on a clock that runs with real time while
//          the lane works (queries and transactions: all real) and jumps while it sleeps, each
//          sleep by the lane's own rule (deadlineSleepMs: until just after the next due moment,
//          capped). One look at a time, its fires waited for: the real lane also overlaps fires
//          with its next look, so this is an upper bound. A day's window takes minutes.
// backlog: the real worker lanes (startLanes, as worker/index.ts runs them: deadlines on their own
//          pool, LISTEN for wake-ups) in real time for BENCH_BACKLOG_MS, with 10,000 emails queued
//          behind a real SMTP server (smtp-server) that takes 500 ms per message, a payment gateway
//          that refuses every connection (a failing refund lane), the open cases of the first case
//          still there, and BENCH_BACKLOG_DEADLINES more coming due during the window. Deadlines
//          due in the lanes' first BENCH_BACKLOG_WARMUP_MS (new connections, each query's first
//          run) are reported apart.
//
// Prints each case's p50/p95/max, the machine's load, the time of one sweep with nothing due
// against the raw SQL of the same due queries, the p95 lateness of both cases in ms, then one line
// per goal: p95 <= 250 ms in each case, and every backlog deadline that fell due fired. Exits 1
// when a goal is missed, and with no figure at all when nothing fired (a dead lane is not 0 ms).
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { SMTPServer } from 'smtp-server'
import { defaultPolicy } from '~/domain/policy'
import { OffsetClock, type Clock } from '~/infra/clock.server'
import { createDb, type Db } from '~/infra/db.server'
import { createTransport } from '~/infra/mailer.server'
import { httpPaymentGateway } from '~/infra/payment-gateway.server'
import { DEADLINE_KINDS, nextDeadlineDueAt, sweepDeadlines } from '~/services/deadlines.server'
import { deadlineSleepMs, laneDefaults, startLanes } from '~/services/jobs.server'
import { createDatabase, freePort, startPostgres } from '../scripts/embedded-services'
import { percentile, summarize, type Goal } from './goals'
import { migrateDeploy, root, runBench } from './harness'

process.env.LOG_LEVEL ??= 'error' // the failing refund lane would log every call
const CASES = Number(process.env.BENCH_CASES ?? 100_000)
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 2 * 3600_000)
const BACKLOG_EMAILS = Number(process.env.BENCH_BACKLOG_EMAILS ?? 10_000)
const BACKLOG_MS = Number(process.env.BENCH_BACKLOG_MS ?? 120_000)
const BACKLOG_DEADLINES = Number(process.env.BENCH_BACKLOG_DEADLINES ?? 600)
const SMTP_DELAY_MS = Number(process.env.BENCH_SMTP_DELAY_MS ?? 500)
/** The lanes' first seconds (new connections, first queries of each shape): fired, reported apart. */
const WARMUP_MS = Number(process.env.BENCH_BACKLOG_WARMUP_MS ?? 10_000)
const DEADLINE_CONCURRENCY = Number(process.env.BENCH_DEADLINE_CONCURRENCY ?? laneDefaults.concurrency.deadlines)
const DAY_MS = 24 * 3600_000
const LATENESS_GOAL_MS = 250
const LIMITS = { maxSleepMs: laneDefaults.maxSleepMs, stuckRetryMs: laneDefaults.stuckRetryMs }

/** Real time while the lane works; a sleep moves it forward at once. */
class JumpingClock implements Clock {
  private offset: number
  constructor(at: number) {
    this.offset = at - Date.now()
  }
  now() {
    return new Date(Date.now() + this.offset)
  }
  advance(ms: number) {
    this.offset += ms
  }
}

const load = () => `load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} cores`

/** Open refund-only cases with their merchant deadline at `dueSql` (an SQL expression, evaluated per order row `o`). */
async function insertCases(db: Db, prefix: string, count: number, dueSql: string, paidAt: number, shopId: string, buyerId: string) {
  const respondMs = defaultPolicy.refundOnly.merchantRespondMs
  await db.$executeRawUnsafe(`
    INSERT INTO "Order" (id, "orderNo", "shopId", "buyerId", "itemTitle", "paidAmountFen", "paidAt", "shippedAt", "customerName", "customerPhone")
    SELECT gen_random_uuid(), '${prefix}' || lpad(i::text, 10, '0'), '${shopId}', '${buyerId}', 'Item', 100 + (i % 50000), to_timestamp(${paidAt / 1000}), to_timestamp(${paidAt / 1000}) + interval '1 day', 'C', '13800000000'
    FROM generate_series(1, ${count}) AS i`)
  await db.$executeRawUnsafe(`
    INSERT INTO "AfterSalesCase" (id, "caseNo", "orderId", "shopId", "buyerId", type, state, reason, "requestedAmountFen", "orderNo", "customerName", "customerPhone", "merchantRespondBy", "nextDeadlineAt", "createdAt", "updatedAt")
    SELECT gen_random_uuid(), 'AS' || o."orderNo", o.id, o."shopId", o."buyerId", 'REFUND_ONLY', 'PENDING_MERCHANT', 'OTHER', o."paidAmountFen", o."orderNo", 'C', '13800000000', d.due, d.due, d.due - interval '${respondMs / 1000} seconds', now()
    FROM "Order" o
    CROSS JOIN LATERAL (SELECT ${dueSql} AS due) d
    WHERE o."orderNo" LIKE '${prefix}%'`)
}

/** An SMTP server that takes `delayMs` to accept each message. */
async function startSlowSmtp(delayMs: number) {
  let accepted = 0
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      stream.resume()
      stream.on('end', () =>
        setTimeout(() => {
          accepted++
          callback()
        }, delayMs),
      )
    },
  })
  const port = await freePort()
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return { url: `smtp://127.0.0.1:${port}?tls=off`, accepted: () => accepted, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

async function main(): Promise<Goal[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portal-bench-deadlines-'))
  chmodSync(dir, 0o755) // PostgreSQL runs as its own OS user when we are root
  const postgres = await startPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort(), fast: true })
  try {
    await createDatabase(postgres, 'bench')
    const url = postgres.url('bench')
    migrateDeploy(url)
    const db = createDb(url, 10)
    process.stdout.write(`machine: ${load()}\n`)

    // T0: the day starts. Each case was opened 48 h before its deadline, spread over the day.
    const t0 = Date.parse('2026-11-22T00:00:00Z')
    process.stdout.write(`seeding ${CASES} open cases…\n`)
    const seedStarted = performance.now()
    await db.$executeRawUnsafe(`
      WITH u AS (INSERT INTO "User" (id, email, "passwordHash", "displayName", kind) VALUES
        (gen_random_uuid(), 'buyer@bench', 'x', 'Buyer', 'BUYER'), (gen_random_uuid(), 'main@bench', 'x', 'Main', 'MERCHANT') RETURNING id, kind),
      s AS (INSERT INTO "Shop" (id, name) VALUES (gen_random_uuid(), 'Bench shop') RETURNING id),
      m AS (INSERT INTO "ShopMember" (id, "shopId", "userId", role, permissions) SELECT gen_random_uuid(), s.id, u.id, 'MAIN', '{}' FROM s, u WHERE u.kind = 'MERCHANT'),
      b AS (INSERT INTO "Buyer" (id, "userId", nickname) SELECT gen_random_uuid(), u.id, 'b' FROM u WHERE u.kind = 'BUYER' RETURNING id)
      SELECT 1`)
    const [ids] = await db.$queryRawUnsafe<{ shopId: string; buyerId: string }[]>(`SELECT (SELECT id FROM "Shop" LIMIT 1) AS "shopId", (SELECT id FROM "Buyer" LIMIT 1) AS "buyerId"`)
    const { shopId, buyerId } = ids!
    // Deadlines at a random moment of the day (fixed seed: the same spread every run).
    await db.$executeRawUnsafe(`SELECT setseed(0.42)`)
    await insertCases(db, 'BN', CASES, `to_timestamp(${t0 / 1000}) + random() * interval '${DAY_MS / 1000} seconds' + (o.id IS NULL)::int * interval '0'`, t0 - 3 * DAY_MS, shopId, buyerId)
    await db.$executeRawUnsafe(`ANALYZE`)
    process.stdout.write(`seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s\n`)

    const clock = new JumpingClock(t0 - 60_000)
    const deps = { db, clock, policy: defaultPolicy, appUrl: 'http://bench' }

    // One sweep with nothing due, through the app's code and as raw SQL of the same due queries.
    const sweepTimes: number[] = []
    const rawTimes: number[] = []
    for (let i = 0; i < 50; i++) {
      let started = performance.now()
      await sweepDeadlines(deps)
      sweepTimes.push(performance.now() - started)
      started = performance.now()
      const now = clock.now()
      const remindBefore = new Date(now.getTime() + defaultPolicy.dispute.reminderBeforeDueMs)
      for (const query of RAW_DUE_QUERIES) await db.$queryRawUnsafe(query.sql, ...query.params(now, remindBefore))
      rawTimes.push(performance.now() - started)
    }
    const idleSweep = percentile(sweepTimes, 50, 'idle sweep times')
    const idleRaw = percentile(rawTimes, 50, 'raw due-query times')

    // ── open: the deadline lane's loop over the window, sleeping by its own rule ──
    clock.advance(t0 - clock.now().getTime()) // to T0
    const end = t0 + WINDOW_MS
    const openLateness: number[] = []
    let passes = 0
    let firedTotal = 0
    let sweptAt = clock.now()
    while (clock.now().getTime() < end) {
      sweptAt = clock.now()
      const fired = await sweepDeadlines(deps, { onFired: (_kind, dueAt, firedAt) => openLateness.push(firedAt.getTime() - dueAt.getTime()) })
      passes++
      const firedCount = Object.values(fired).reduce((sum, n) => sum + n, 0)
      firedTotal += firedCount
      clock.advance(deadlineSleepMs(await nextDeadlineDueAt(deps), clock.now(), sweptAt, firedCount > 0, LIMITS))
    }
    // Everything due by the last pass was fired, each once.
    const missed = await db.afterSalesCase.count({ where: { state: 'PENDING_MERCHANT', nextDeadlineAt: { lte: sweptAt } } })
    if (missed > 0 || firedTotal !== openLateness.length) throw new Error(`${missed} due cases not fired; ${firedTotal} fired, ${openLateness.length} timed`)
    const open = summarize(openLateness, 'open: the lateness of fired deadlines')
    const stillOpen = await db.afterSalesCase.count({ where: { state: 'PENDING_MERCHANT' } })
    process.stdout.write(`open: ${(WINDOW_MS / 3600_000).toFixed(1)} h of the day, ${passes} passes, ${open.n} deadlines fired, ${stillOpen} cases still open\n`)
    process.stdout.write(`open: lateness p50 ${open.p50.toFixed(0)} ms, p95 ${open.p95.toFixed(0)} ms, max ${open.max.toFixed(0)} ms; ${load()}\n`)

    // ── backlog: the real lanes, in real time ──
    // What the open case queued is settled (its emails and refunds are not this case's backlog).
    await db.$executeRawUnsafe(`DELETE FROM "EmailOutbox"`)
    await db.$executeRawUnsafe(`UPDATE "Refund" SET status = 'SUCCEEDED', "completedAt" = now()`)
    const realClock = new OffsetClock()
    realClock.set(new Date(end))
    const backlogStart = realClock.now()
    await db.$executeRawUnsafe(`
      INSERT INTO "EmailOutbox" (id, "dedupeKey", recipients, subject, "textBody", "nextAttemptAt", "createdAt")
      SELECT gen_random_uuid(), 'bench-backlog:' || i, ARRAY['merchant' || (i % 100) || '@bench.test'], 'Backlog ' || i, 'Body ' || i, to_timestamp(${backlogStart.getTime() / 1000}), to_timestamp(${backlogStart.getTime() / 1000})
      FROM generate_series(1, ${BACKLOG_EMAILS}) AS i`)
    // More deadlines than the day's spread brings (~1.2 a second): BACKLOG_DEADLINES over the window, from 5 s in.
    await db.$executeRawUnsafe(`SELECT setseed(0.17)`)
    const firstDue = backlogStart.getTime() + 5_000
    await insertCases(db, 'BK', BACKLOG_DEADLINES, `to_timestamp(${firstDue / 1000}) + random() * interval '${(BACKLOG_MS - 10_000) / 1000} seconds' + (o.id IS NULL)::int * interval '0'`, backlogStart.getTime() - 3 * DAY_MS, shopId, buyerId)
    // Vacuumed now, so autovacuum does not start on these inserts during the measurement.
    await db.$executeRawUnsafe(`VACUUM ANALYZE`)

    const smtp = await startSlowSmtp(SMTP_DELAY_MS)
    const deadlineDb = createDb(url, DEADLINE_CONCURRENCY + 2) // as worker/index.ts
    const backlogLateness: number[] = []
    const warmupLateness: number[] = []
    const startedAt = realClock.now() // deadlines due before the lanes ran are catch-up, not lateness
    const lanes = startLanes({
      deps: { ...deps, clock: realClock },
      deadlineDeps: { ...deps, db: deadlineDb, clock: realClock },
      transport: createTransport(smtp.url),
      mailFrom: 'Bench <bench@portal.localhost>',
      gateway: httpPaymentGateway({ baseUrl: 'http://127.0.0.1:9', secret: 'bench-gateway-secret-0123456789abcdef', timeoutMs: 2_000 }),
      notifyUrl: 'http://127.0.0.1:9/notify',
      egress: { allowPrivate: true },
      listenUrl: url,
      concurrency: { deadlines: DEADLINE_CONCURRENCY },
      onFired: (_kind, dueAt, firedAt) => {
        if (dueAt < startedAt) return // catch-up of what fell due before the lanes ran, not lateness
        ;(dueAt.getTime() < startedAt.getTime() + WARMUP_MS ? warmupLateness : backlogLateness).push(firedAt.getTime() - dueAt.getTime())
      },
    })
    await lanes.listening()
    // How long this process's own event loop kept a ready callback waiting (all four lanes share it).
    const loopDelay = monitorEventLoopDelay({ resolution: 10 })
    loopDelay.enable()
    process.stdout.write(`backlog: ${BACKLOG_EMAILS} emails queued behind an SMTP server taking ${SMTP_DELAY_MS} ms a message, ${BACKLOG_DEADLINES} deadlines coming due over ${(BACKLOG_MS / 1000).toFixed(0)} s; running the lanes…\n`)
    const cpuBefore = process.cpuUsage()
    await new Promise((r) => setTimeout(r, BACKLOG_MS))
    const cpu = process.cpuUsage(cpuBefore)
    const cpuShare = ((cpu.user + cpu.system) / 1000 / BACKLOG_MS) * 100
    const loadDuring = load()
    loopDelay.disable()
    const loopMs = (q: number) => (loopDelay.percentile(q) / 1e6).toFixed(0)
    const pendingEmails = await db.emailOutbox.count({ where: { status: 'PENDING' } })
    const stoppedAt = realClock.now()
    await lanes.stop()
    // What fell due in the window and is still open: a lane that fired nothing leaves all of them.
    const unfired = await db.afterSalesCase.count({ where: { orderNo: { startsWith: 'BK' }, state: 'PENDING_MERCHANT', merchantRespondBy: { lte: stoppedAt } } })
    await deadlineDb.$disconnect()
    await smtp.stop()
    process.stdout.write(
      `backlog: ${backlogLateness.length + warmupLateness.length} deadlines fired on time's arrival, ${unfired} due and not fired, ${smtp.accepted()} emails accepted meanwhile, ${pendingEmails} still queued at the end; refunds failing at the gateway throughout\n`,
    )
    const backlog = summarize(backlogLateness, 'backlog: the lateness of deadlines fired after the first seconds')
    // The first seconds may hold no deadline at all (they begin 5 s in): reported when there are some.
    const warmup = warmupLateness.length ? `p95 ${percentile(warmupLateness, 95).toFixed(0)} ms, max ${Math.max(...warmupLateness).toFixed(0)} ms` : 'none due'
    process.stdout.write(`backlog: the lanes' first ${(WARMUP_MS / 1000).toFixed(0)} s (cold connections and queries), not counted below: ${warmupLateness.length} fired, ${warmup}\n`)
    process.stdout.write(`backlog: lateness p50 ${backlog.p50.toFixed(0)} ms, p95 ${backlog.p95.toFixed(0)} ms, max ${backlog.max.toFixed(0)} ms; ${loadDuring}; this process: ${cpuShare.toFixed(0)}% of a core, event-loop delay p50 ${loopMs(50)} ms, p99 ${loopMs(99)} ms\n`)
    await db.$disconnect()
    process.stdout.write(`idle sweep p50 ${idleSweep.toFixed(2)} ms (p95 ${percentile(sweepTimes, 95).toFixed(2)}); raw SQL of the same due queries p50 ${idleRaw.toFixed(2)} ms (ratio ${(idleSweep / idleRaw).toFixed(2)})\n`)
    process.stdout.write(`bench:deadlines ${CASES} open cases: p95 lateness: open=${open.p95.toFixed(0)}ms backlog=${backlog.p95.toFixed(0)}ms (goal <= 250 each)\n`)
    return [
      { name: 'open: p95 lateness', value: open.p95, atMost: LATENESS_GOAL_MS, unit: ' ms' },
      { name: 'backlog: p95 lateness', value: backlog.p95, atMost: LATENESS_GOAL_MS, unit: ' ms' },
      { name: 'backlog: deadlines due and not fired', value: unfired, atMost: 0 },
    ]
  } finally {
    await postgres.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** What each deadline kind asks the database when it looks for due work, as raw SQL. */
const RAW_DUE_QUERIES: { sql: string; params: (now: Date, remindBefore: Date) => Date[] }[] = [
  ...['PENDING_MERCHANT', 'AWAITING_RETURN', 'AWAITING_RECEIPT'].map((state) => ({
    sql: `SELECT id FROM "AfterSalesCase" WHERE state = '${state}' AND "nextDeadlineAt" <= $1 ORDER BY "nextDeadlineAt" LIMIT 200`,
    params: (now: Date) => [now],
  })),
  { sql: `SELECT id FROM "EvidenceRequest" WHERE status = 'OPEN' AND "dueAt" <= $1 ORDER BY "dueAt" LIMIT 200`, params: (now) => [now] },
  {
    sql: `SELECT id FROM "EvidenceRequest" WHERE status = 'OPEN' AND "reminderSentAt" IS NULL AND "dueAt" > $1 AND "dueAt" < $2 ORDER BY "dueAt" LIMIT 200`,
    params: (now, remindBefore) => [now, remindBefore],
  },
]
if (RAW_DUE_QUERIES.length !== DEADLINE_KINDS.length) throw new Error('bench: one raw query per deadline kind')

runBench(main)
