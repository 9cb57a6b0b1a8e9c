// npm run bench:deadlines — 100,000 open cases whose 48-hour deadlines fall over one day. The
// worker's loop is replayed on a virtual clock: each sweep runs for real (its time is measured and
// moves the clock), and an idle wait moves the clock by the worker's poll interval without
// sleeping. So the lateness of each fired deadline is what the real worker would show, and a day's
// window takes minutes. Prints p95 and max lateness (goal ≤ 5 s) and the time of one sweep with
// nothing due, against the raw SQL of the same due queries, on its last line.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { defaultPolicy } from '~/domain/policy'
import type { Clock } from '~/infra/clock.server'
import { createDb } from '~/infra/db.server'
import { DEADLINE_KINDS, sweepDeadlines } from '~/services/deadlines.server'
import { createDatabase, freePort, startPostgres } from '../scripts/embedded-services'

const CASES = Number(process.env.BENCH_CASES ?? 100_000)
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 2 * 3600_000)
const IDLE_POLL_MS = 1_000 // as worker/index.ts
const DAY_MS = 24 * 3600_000
const root = path.resolve(import.meta.dirname, '..')

class VirtualClock implements Clock {
  constructor(private at: number) {}
  now() {
    return new Date(this.at)
  }
  advance(ms: number) {
    this.at += ms
  }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portal-bench-deadlines-'))
  chmodSync(dir, 0o755) // PostgreSQL runs as its own OS user when we are root
  const postgres = await startPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort(), fast: true })
  try {
    await createDatabase(postgres, 'bench')
    const url = postgres.url('bench')
    const migrate = spawnSync(process.execPath, ['node_modules/prisma/build/index.js', 'migrate', 'deploy'], { cwd: root, env: { ...process.env, DATABASE_URL: url }, encoding: 'utf8' })
    if (migrate.status !== 0) throw new Error(migrate.stderr)
    const db = createDb(url, 5)

    // T0: the day starts. Each case was opened 48 h before its deadline, spread over the day.
    const t0 = Date.parse('2026-11-22T00:00:00Z')
    const respondMs = defaultPolicy.refundOnly.merchantRespondMs
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
    await db.$executeRawUnsafe(`
      INSERT INTO "Order" (id, "orderNo", "shopId", "buyerId", "itemTitle", "paidAmountFen", "paidAt", "shippedAt", "customerName", "customerPhone")
      SELECT gen_random_uuid(), 'BN' || lpad(i::text, 10, '0'), '${shopId}', '${buyerId}', 'Item', 100 + (i % 50000), to_timestamp(${t0 / 1000}) - interval '3 days', to_timestamp(${t0 / 1000}) - interval '2 days', 'C', '13800000000'
      FROM generate_series(1, ${CASES}) AS i`)
    // Deadlines at a random moment of the day (fixed seed: the same spread every run).
    await db.$executeRawUnsafe(`SELECT setseed(0.42)`)
    await db.$executeRawUnsafe(`
      INSERT INTO "AfterSalesCase" (id, "caseNo", "orderId", "shopId", "buyerId", type, state, reason, "requestedAmountFen", "orderNo", "customerName", "customerPhone", "merchantRespondBy", "nextDeadlineAt", "createdAt", "updatedAt")
      SELECT gen_random_uuid(), 'AS' || o."orderNo", o.id, o."shopId", o."buyerId", 'REFUND_ONLY', 'PENDING_MERCHANT', 'OTHER', o."paidAmountFen", o."orderNo", 'C', '13800000000', d.due, d.due, d.due - interval '${respondMs / 1000} seconds', now()
      FROM "Order" o CROSS JOIN LATERAL (SELECT to_timestamp(${t0 / 1000}) + random() * interval '${DAY_MS / 1000} seconds' + (o.id IS NULL)::int * interval '0' AS due) d`)
    await db.$executeRawUnsafe(`ANALYZE`)
    process.stdout.write(`seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s\n`)

    const clock = new VirtualClock(t0 - 60_000)
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
    sweepTimes.sort((a, b) => a - b)
    rawTimes.sort((a, b) => a - b)
    const idleSweep = percentile(sweepTimes, 50)
    const idleRaw = percentile(rawTimes, 50)

    // The worker's loop over the window, on the virtual clock.
    clock.advance(60_000) // to T0
    const end = t0 + WINDOW_MS
    const lateness: number[] = []
    let sweeps = 0
    while (clock.now().getTime() < end) {
      const sweepStart = clock.now().getTime()
      const startedReal = performance.now()
      const due = await db.afterSalesCase.findMany({
        where: { state: 'PENDING_MERCHANT', nextDeadlineAt: { lte: clock.now() } },
        orderBy: { nextDeadlineAt: 'asc' },
        take: 200, // the sweep's batch per kind
        select: { id: true, merchantRespondBy: true },
      })
      const fired = await sweepDeadlines(deps)
      const elapsed = performance.now() - startedReal
      sweeps++
      const firedAt = sweepStart + elapsed
      for (const c of due) lateness.push(firedAt - c.merchantRespondBy!.getTime())
      const firedCount = Object.values(fired).reduce((sum, n) => sum + n, 0)
      if (firedCount !== due.length) throw new Error(`expected ${due.length} fired, got ${firedCount}`)
      clock.advance(elapsed + (firedCount > 0 ? 0 : IDLE_POLL_MS))
    }
    lateness.sort((a, b) => a - b)
    const open = await db.afterSalesCase.count({ where: { state: 'PENDING_MERCHANT' } })
    await db.$disconnect()
    const p95 = percentile(lateness, 95)
    const max = lateness.at(-1) ?? 0
    process.stdout.write(`window: ${(WINDOW_MS / 3600_000).toFixed(1)} h of the day, ${sweeps} sweeps, ${lateness.length} deadlines fired, ${open} cases still open\n`)
    process.stdout.write(`lateness p50 ${percentile(lateness, 50).toFixed(0)} ms, p95 ${p95.toFixed(0)} ms, max ${max.toFixed(0)} ms\n`)
    process.stdout.write(`idle sweep p50 ${idleSweep.toFixed(2)} ms (p95 ${percentile(sweepTimes, 95).toFixed(2)}); raw SQL of the same due queries p50 ${idleRaw.toFixed(2)} ms\n`)
    process.stdout.write(
      `bench:deadlines ${CASES} open cases: lateness p95 ${(p95 / 1000).toFixed(2)} s, max ${(max / 1000).toFixed(2)} s (goal <= 5 s); one sweep with nothing due ${idleSweep.toFixed(2)} ms (raw SQL ${idleRaw.toFixed(2)} ms, ratio ${(idleSweep / idleRaw).toFixed(2)})\n`,
    )
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

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
