// npm run bench:list — the merchant workbench at 1,000,000 cases (prisma/bulk-data.ts, 1,000 shops,
// the largest ~43,000 cases). Each list and search query runs through the app's own loader code
// (listWorkbench, workbenchCounts) and as the same query in raw SQL on a bare node-postgres client
// (the raw limit), interleaved run by run so both see the same machine, p50/p95 in one run; then
// the real server answers concurrent users (autocannon on loopback). The agent queue and the
// dashboard are timed for information. The summary line prints the worst p95 ratio app/raw and the
// worst p95 in ms; then one line per goal (ratio ≤ 2, p95 ≤ 50 ms, no failed HTTP answer), exit 1
// when one is missed. The HTTP figures count successful (2xx) answers only.
// BENCH_DATABASE_URL reuses a database that already holds the bulk data (seeding takes ~4 minutes).
import autocannon from 'autocannon'
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import type { AgentActor, MerchantActor } from '~/domain/actor'
import { defaultPolicy } from '~/domain/policy'
import { createDb } from '~/infra/db.server'
import { agentSla, listAgentQueue } from '~/models/agent-queue.server'
import { loadDashboard } from '~/models/dashboard.server'
import { encodeCursor, PAGE_SIZE } from '~/models/pagination'
import { byDeadline, listWorkbench, workbenchCounts, type WorkbenchQuery } from '~/models/workbench.server'
import { BULK_NOW, BULK_PASSWORD, bulkAgentEmail, bulkShopEmail, seedBulkData } from '../prisma/bulk-data'
import { createDatabase, freePort, startPostgres } from '../scripts/embedded-services'
import { percentile, successfulLoad, type Goal } from './goals'
import { httpRequest, logIn, migrateDeploy, root, runBench, startPortal } from './harness'

const CASES = Number(process.env.BENCH_CASES ?? 1_000_000)
const RUNS = Number(process.env.BENCH_RUNS ?? 200)
const WARMUP = 30
const DEEP_PAGE = 50

type Timing = { p50: number; p95: number }
const timingOf = (times: number[]): Timing => ({ p50: percentile(times, 50, 'the timings'), p95: percentile(times, 95, 'the timings') })

async function timeOne(run: () => Promise<unknown>) {
  const started = performance.now()
  await run()
  return performance.now() - started
}

async function timed(run: () => Promise<unknown>, runs = RUNS): Promise<Timing> {
  for (let i = 0; i < 3; i++) await run() // warm caches and plans
  const times: number[] = []
  for (let i = 0; i < runs; i++) times.push(await timeOne(run))
  return timingOf(times)
}

/** The app and the raw query take turns (which goes first alternates), so noise falls on both. */
async function timedPair(app: () => Promise<unknown>, raw: () => Promise<unknown>): Promise<{ app: Timing; raw: Timing }> {
  // Steady state: the JIT has compiled both paths and the pages are cached before anything counts.
  for (let i = 0; i < WARMUP; i++) {
    await app()
    await raw()
  }
  const appTimes: number[] = []
  const rawTimes: number[] = []
  for (let i = 0; i < RUNS; i++) {
    if (i % 2 === 0) {
      appTimes.push(await timeOne(app))
      rawTimes.push(await timeOne(raw))
    } else {
      rawTimes.push(await timeOne(raw))
      appTimes.push(await timeOne(app))
    }
  }
  return { app: timingOf(appTimes), raw: timingOf(rawTimes) }
}

/** The raw-SQL limit: the same rows, written by hand, through the same driver. */
function rawSql(shopId: string, q: WorkbenchQuery, cursor: { at: string; id: string } | null): { sql: string; params: unknown[] } {
  const params: unknown[] = [shopId]
  const p = (value: unknown) => {
    params.push(value)
    return `$${params.length}`
  }
  const where = [`c."shopId" = $1::uuid`]
  const tabs: Record<WorkbenchQuery['tab'], string> = {
    unshippedRefundPending: `c.state = 'PENDING_MERCHANT' AND NOT c."orderShipped"`,
    shippedRefundOnlyPending: `c.state = 'PENDING_MERCHANT' AND c.type = 'REFUND_ONLY' AND c."orderShipped"`,
    returnPending: `c.state = 'PENDING_MERCHANT' AND c.type = 'RETURN_AND_REFUND' AND c."orderShipped"`,
    awaitingReceipt: `c.state IN ('AWAITING_RETURN', 'AWAITING_RECEIPT')`,
    awaitingEvidence: `c.state = 'IN_DISPUTE' AND EXISTS (SELECT 1 FROM "EvidenceRequest" r WHERE r."caseId" = c.id AND r.status = 'OPEN' AND r.party = 'MERCHANT')`,
    all: 'TRUE',
    closed: `c.state IN ('REFUNDED', 'CLOSED')`,
  }
  where.push(tabs[q.tab])
  if (q.orderNo) where.push(`c."orderNo" = ${p(q.orderNo)}`)
  if (q.customerName) where.push(`c."customerName" = ${p(q.customerName)}`)
  if (q.phone) where.push(`c."customerPhone" = ${p(q.phone)}`)
  if (q.from) where.push(`c."createdAt" >= ${p(new Date(`${q.from}T00:00:00+08:00`))}`)
  if (q.to) where.push(`c."createdAt" < ${p(new Date(Date.parse(`${q.to}T00:00:00+08:00`) + 86_400_000))}`)
  if (q.express) where.push(`c."expressRefund"`)
  if (q.flag) where.push(`c."flagColor" = ${p(q.flag)}::"FlagColor"`)
  if (q.insured) where.push(`c."returnShippingInsurance"`)
  const deadline = byDeadline(q.tab)
  const key = deadline ? `c."nextDeadlineAt"` : `c."createdAt"`
  if (deadline) where.push(`${key} IS NOT NULL`)
  if (cursor) where.push(`(${key}, c.id) ${deadline ? '>' : '<'} (${p(new Date(cursor.at))}, ${p(cursor.id)}::uuid)`)
  const order = deadline ? `${key} ASC, c.id ASC` : `${key} DESC, c.id DESC`
  return {
    sql: `SELECT c.id, c."caseNo", c."orderNo", c.type, c.state, c."requestedAmountFen", c."customerName", c."customerPhone", c."nextDeadlineAt",
            c."createdAt", c."flagColor", c."expressRefund", c."returnShippingInsurance"
          FROM "AfterSalesCase" c WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${PAGE_SIZE + 1}`,
    params,
  }
}

async function main(): Promise<Goal[]> {
  if (!existsSync(path.join(root, 'build/index.js'))) throw new Error('run `npm run build` first')
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portal-bench-list-'))
  chmodSync(dir, 0o755)
  const stops: (() => Promise<void>)[] = []
  try {
    let url = process.env.BENCH_DATABASE_URL
    if (!url) {
      const postgres = await startPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort(), fast: true })
      stops.push(() => postgres.stop())
      await createDatabase(postgres, 'bench')
      url = postgres.url('bench')
    }
    migrateDeploy(url)
    const db = createDb(url, 4)
    process.stdout.write(`seeding ${CASES} cases…\n`)
    const seedStarted = performance.now()
    const seeded = await seedBulkData(db, { cases: CASES, log: (line) => process.stdout.write(`  ${line}\n`) })
    process.stdout.write(seeded.seeded ? `seeded in ${((performance.now() - seedStarted) / 1000).toFixed(0)} s\n` : 'bulk data already there\n')
    const cases = await db.afterSalesCase.count()
    // The raw limit: a bare node-postgres client, no ORM in between.
    const raw = new pg.Client({ connectionString: url })
    await raw.connect()
    stops.push(() => raw.end())

    const member = await db.shopMember.findFirstOrThrow({ where: { user: { email: bulkShopEmail(1) } }, select: { id: true, shopId: true, userId: true } })
    const shopCases = await db.afterSalesCase.count({ where: { shopId: member.shopId } })
    const merchant: MerchantActor = { kind: 'MERCHANT', userId: member.userId, displayName: 'bench', shopId: member.shopId, memberId: member.id, role: 'MAIN', grantedPermissions: [] }
    const sample = await db.afterSalesCase.findFirstOrThrow({ where: { shopId: member.shopId, state: 'PENDING_MERCHANT' }, select: { orderNo: true, customerPhone: true, customerName: true } })
    process.stdout.write(`largest shop: ${shopCases} cases\n`)

    const queries: [string, WorkbenchQuery][] = [
      ['all', { tab: 'all' }],
      ['unshipped refund pending', { tab: 'unshippedRefundPending' }],
      ['shipped refund-only pending', { tab: 'shippedRefundOnlyPending' }],
      ['return pending', { tab: 'returnPending' }],
      ['awaiting receipt', { tab: 'awaitingReceipt' }],
      ['awaiting evidence', { tab: 'awaitingEvidence' }],
      ['closed', { tab: 'closed' }],
      ['search order number', { tab: 'all', orderNo: sample.orderNo }],
      ['search phone', { tab: 'all', phone: sample.customerPhone }],
      ['search name', { tab: 'all', customerName: sample.customerName }],
      ['request dates (7 days)', { tab: 'all', from: '2026-10-01', to: '2026-10-07' }],
      ['express refund', { tab: 'all', express: true }],
      ['flag red', { tab: 'all', flag: 'RED' }],
      ['pending + insured', { tab: 'unshippedRefundPending', insured: true }],
    ]
    const results: { name: string; app: Timing; raw: Timing }[] = []
    const report = (name: string, timing: { app: Timing; raw: Timing }, rows: number) => {
      results.push({ name, ...timing })
      const { app, raw: r } = timing
      process.stdout.write(
        `${name.padEnd(40)} app p50 ${app.p50.toFixed(2)} p95 ${app.p95.toFixed(2)} ms | raw p50 ${r.p50.toFixed(2)} p95 ${r.p95.toFixed(2)} ms | ratio ${(app.p95 / r.p95).toFixed(2)} (${rows} rows)\n`,
      )
    }
    for (const [name, query] of queries) {
      for (const deep of [false, true]) {
        let cursor: { at: string; id: string } | null = null
        if (deep) {
          // The cursor a user reaches after paging DEEP_PAGE times.
          const { sql, params } = rawSql(member.shopId, query, null)
          const offsetSql = sql.replace(`LIMIT ${PAGE_SIZE + 1}`, `OFFSET ${DEEP_PAGE * PAGE_SIZE - 1} LIMIT 1`)
          const [row] = await db.$queryRawUnsafe<{ id: string; createdAt: Date; nextDeadlineAt: Date | null }[]>(offsetSql, ...params)
          if (!row) continue // fewer than DEEP_PAGE pages
          cursor = { at: (byDeadline(query.tab) ? row.nextDeadlineAt! : row.createdAt).toISOString(), id: row.id }
        }
        const after = cursor ? encodeCursor(cursor) : null
        const rawQuery = rawSql(member.shopId, query, cursor)
        const appIds = (await listWorkbench(db, merchant, { ...query, after })).items.map((r) => r.id)
        const rawIds = (await raw.query<{ id: string }>(rawQuery.sql, rawQuery.params)).rows.slice(0, PAGE_SIZE).map((r) => r.id)
        if (appIds.join() !== rawIds.join()) throw new Error(`${name}: the app and raw SQL returned different rows`)
        const timing = await timedPair(
          () => listWorkbench(db, merchant, { ...query, after }),
          () => raw.query(rawQuery.sql, rawQuery.params),
        )
        const label = `${name}${deep ? ` (page ${DEEP_PAGE + 1})` : ''}`
        report(label, timing, appIds.length)
      }
    }
    const countsSql = `SELECT g.state, g.type, g."orderShipped", g.n,
        CASE WHEN g.state = 'IN_DISPUTE' THEN (
          SELECT count(*)::int FROM "AfterSalesCase" c
          WHERE c."shopId" = g."shopId" AND c.state = 'IN_DISPUTE' AND c.type = g.type AND c."orderShipped" = g."orderShipped"
            AND EXISTS (SELECT 1 FROM "EvidenceRequest" r WHERE r."caseId" = c.id AND r.status = 'OPEN' AND r.party = 'MERCHANT'))
        ELSE 0 END AS "awaitingEvidence"
      FROM "ShopCaseCount" g WHERE g."shopId" = $1::uuid AND g.n <> 0`
    const counts = await workbenchCounts(db, merchant)
    const rawTotal = (await raw.query<{ n: number }>(countsSql, [member.shopId])).rows.reduce((a, r) => a + r.n, 0)
    if (counts.all !== rawTotal || counts.all !== shopCases) throw new Error(`tab counts: app ${counts.all}, raw ${rawTotal}, shop ${shopCases}`)
    report('tab counts (all seven)', await timedPair(() => workbenchCounts(db, merchant), () => raw.query(countsSql, [member.shopId])), 7)

    // For information: the agent console and the dashboard on the same data.
    const agentUser = await db.user.findFirstOrThrow({ where: { email: bulkAgentEmail(1) }, select: { id: true } })
    const agent: AgentActor = { kind: 'AGENT', userId: agentUser.id, displayName: 'bench' }
    const now = BULK_NOW
    const info: [string, () => Promise<unknown>][] = [
      ['agent queue, all, nearest breach', () => listAgentQueue(db, defaultPolicy, agent, { scope: 'all', stage: 'any', sort: 'breach' })],
      ['agent queue, unassigned, nearest breach', () => listAgentQueue(db, defaultPolicy, agent, { scope: 'unassigned', stage: 'any', sort: 'breach' })],
      ['agent queue, mine, oldest', () => listAgentQueue(db, defaultPolicy, agent, { scope: 'mine', stage: 'any', sort: 'age' })],
      ['agent service counters', () => agentSla(db, defaultPolicy, agent, now)],
      ['dashboard, 30 days', () => loadDashboard(db, now, 30)],
    ]
    for (const [name, run] of info) {
      const t = await timed(run, 30)
      process.stdout.write(`${name.padEnd(40)} app p50 ${t.p50.toFixed(2)} p95 ${t.p95.toFixed(2)} ms (information)\n`)
    }
    await db.$disconnect()

    // Concurrent users through the real server.
    const portal = await startPortal({ databaseUrl: url, s3Directory: path.join(dir, 's3') })
    stops.push(() => portal.stop())
    const base = portal.base
    const { cookie } = await logIn(base, bulkShopEmail(1), BULK_PASSWORD)
    const page = await httpRequest(`${base}/merchant/workbench.data`, { headers: { Cookie: cookie } })
    if (page.status !== 200) throw new Error(`workbench answered ${page.status}`)
    const cannon = successfulLoad(
      await autocannon({
        url: `${base}/merchant/workbench.data?tab=unshippedRefundPending`,
        connections: 10,
        duration: 10,
        headers: { Cookie: cookie },
        excludeErrorStats: true, // latencies of 2xx answers only
      }),
      'HTTP workbench loader',
    )
    const http975 = cannon.p975
    process.stdout.write(`HTTP workbench loader, 10 users: ${cannon.perSecond.toFixed(0)} req/s, p50 ${cannon.p50} ms, p97.5 ${http975} ms, failed ${cannon.failed}\n`)

    const worst = results.reduce((a, b) => (b.app.p95 / b.raw.p95 > a.app.p95 / a.raw.p95 ? b : a))
    const slowest = Math.max(...results.map((r) => r.app.p95))
    const ratio = worst.app.p95 / worst.raw.p95
    process.stdout.write(
      `bench:list ${cases} cases, largest shop ${shopCases}: worst p95 ratio app/raw ${ratio.toFixed(2)} (${worst.name}; goal <= 2); worst p95 ${slowest.toFixed(1)} ms (goal <= 50 ms); HTTP p97.5 ${http975} ms under 10 users\n`,
    )
    return [
      { name: `worst p95 ratio app/raw (${worst.name})`, value: ratio, atMost: 2 },
      { name: 'worst app p95', value: slowest, atMost: 50, unit: ' ms' },
      { name: 'failed HTTP answers under 10 users', value: cannon.failed, atMost: 0 },
    ]
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {}) // last started, first stopped
    rmSync(dir, { recursive: true, force: true })
  }
}

runBench(main)
