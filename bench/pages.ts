// npm run bench:pages — the pages people open all day against a trivial one, through the real
// server (server/index.ts over the Remix build) on `npm start`'s demo data: the anonymous login
// page, the merchant's and the agent's case page (AS2611220005: a dispute awaiting the merchant's
// evidence) and the merchant workbench, each at 20 connections, in interleaved rounds so every page
// sees the same machine. Logged-in pages carry the session cookie of a real login. Before the
// rounds it reports the JavaScript and catalog bytes (gzip) each page makes the browser load: the
// modules its HTML references (modulepreload, script src, inline module imports) and the catalog.
// Only successful (2xx) answers count as throughput and latency; failures are counted apart. The
// summary line prints the worst ratio page/login req/s, each page's req/s and p97.5, and the
// failures; then one line per goal (worst ratio >= 0.5, failures 0), exit 1 when one is missed. A
// page with no successful answer in a round stops the run: there is no figure to give.
// BENCH_SECONDS (per page per round, default 3) and BENCH_ROUNDS (default 4) size the run.
import autocannon from 'autocannon'
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { createDb } from '~/infra/db.server'
import { DEMO_LOGINS, DEMO_PASSWORD, seedDemoData } from '../prisma/demo-data'
import { createDatabase, freePort, startPostgres } from '../scripts/embedded-services'
import { successfulLoad, type Goal } from './goals'
import { httpRequest, logIn, migrateDeploy, root, runBench, startPortal } from './harness'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4)
const CONNECTIONS = 20
const CASE_NO = 'AS2611220005'

type Page = { name: string; path: string; cookie?: string; mustContain: string }
type Totals = { requests: number; seconds: number; p975: number[]; failed: number }

/** Every JavaScript module a page's HTML makes the browser load, and the catalog among them. */
export function referencedScripts(html: string): string[] {
  const urls = new Set<string>()
  for (const m of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)) urls.add(m[1]!)
  for (const m of html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)) urls.add(m[1]!)
  for (const m of html.matchAll(/<script[^>]*type="module"[^>]*>([\s\S]*?)<\/script>/g)) {
    for (const i of m[1]!.matchAll(/import\s*(?:[^'"]*?from\s*)?["']([^"']+)["']/g)) urls.add(i[1]!)
  }
  return [...urls].map((u) => u.replaceAll('&amp;', '&'))
}

const isCatalog = (url: string) => url.startsWith('/i18n/')
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`

async function bytesOf(base: string, page: Page, language: string) {
  const headers = { 'Accept-Language': language, ...(page.cookie ? { Cookie: page.cookie } : {}) }
  const answer = await httpRequest(`${base}${page.path}`, { headers })
  if (answer.status !== 200 || !answer.text.includes(page.mustContain)) throw new Error(`${page.name}: ${page.path} answered ${answer.status} without "${page.mustContain}"`)
  let js = 0
  let catalog = 0
  for (const url of referencedScripts(answer.text)) {
    const asset = await httpRequest(`${base}${url}`)
    if (asset.status !== 200) throw new Error(`${page.name}: ${url} answered ${asset.status}`)
    const size = gzipSync(asset.text).length
    if (isCatalog(url)) catalog += size
    else js += size
  }
  return { html: gzipSync(answer.text).length, js, catalog }
}

async function main(): Promise<Goal[]> {
  if (!existsSync(path.join(root, 'build/index.js'))) throw new Error('run `npm run build` first')
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portal-bench-pages-'))
  chmodSync(dir, 0o755)
  const stops: (() => Promise<void>)[] = []
  try {
    const postgres = await startPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort(), fast: true })
    stops.push(() => postgres.stop())
    await createDatabase(postgres, 'bench')
    const url = postgres.url('bench')
    migrateDeploy(url)
    const db = createDb(url, 2)
    await seedDemoData(db, new Date())
    await db.$disconnect()

    const portal = await startPortal({ databaseUrl: url, s3Directory: path.join(dir, 's3') })
    stops.push(() => portal.stop())
    const base = portal.base
    const merchant = (await logIn(base, DEMO_LOGINS.shopAMain, DEMO_PASSWORD)).cookie
    const agent = (await logIn(base, DEMO_LOGINS.agent, DEMO_PASSWORD)).cookie
    const pages: Page[] = [
      { name: 'login', path: '/login', mustContain: 'name="password"' },
      { name: 'merchant case', path: `/cases/${CASE_NO}`, cookie: merchant, mustContain: CASE_NO },
      { name: 'agent case', path: `/cases/${CASE_NO}`, cookie: agent, mustContain: CASE_NO },
      { name: 'workbench', path: '/merchant/workbench', cookie: merchant, mustContain: CASE_NO },
    ]

    process.stdout.write('bytes the browser loads (gzip):\n')
    for (const page of pages) {
      for (const language of ['zh-CN', 'en']) {
        const b = await bytesOf(base, page, language)
        process.stdout.write(`  ${page.name.padEnd(14)} ${language.padEnd(5)} HTML ${kb(b.html)}, JavaScript ${kb(b.js)}, catalog ${kb(b.catalog)}\n`)
      }
    }

    // excludeErrorStats: latencies of 2xx answers only (successfulLoad counts the rest apart).
    const run = (page: Page, duration: number) =>
      autocannon({ url: `${base}${page.path}`, connections: CONNECTIONS, duration, headers: page.cookie ? { Cookie: page.cookie } : {}, excludeErrorStats: true })
    for (const page of pages) await run(page, 1) // warm the JIT, plans and caches before anything counts

    const totals = new Map<string, Totals>(pages.map((p) => [p.name, { requests: 0, seconds: 0, p975: [], failed: 0 }]))
    for (let round = 0; round < ROUNDS; round++) {
      // Each round in another order, so no page always follows the same one.
      const order = round % 2 === 0 ? pages : [...pages].reverse()
      for (const page of order) {
        const load = successfulLoad(await run(page, SECONDS), `round ${round + 1} ${page.name}`)
        const t = totals.get(page.name)!
        t.requests += load.ok
        t.seconds += load.seconds
        t.p975.push(load.p975)
        t.failed += load.failed
        process.stdout.write(
          `round ${round + 1} ${page.name.padEnd(14)} ${load.perSecond.toFixed(0)} req/s, p50 ${load.p50} ms, p97.5 ${load.p975} ms, failed ${load.failed}\n`,
        )
      }
    }

    const rate = (name: string) => totals.get(name)!.requests / totals.get(name)!.seconds
    const login = rate('login')
    const others = pages.filter((p) => p.name !== 'login')
    const worst = others.reduce((a, b) => (rate(b.name) < rate(a.name) ? b : a))
    const failed = [...totals.values()].reduce((sum, t) => sum + t.failed, 0)
    const figures = pages.map((p) => `${p.name} ${rate(p.name).toFixed(0)} req/s p97.5 ${Math.max(...totals.get(p.name)!.p975)} ms`).join('; ')
    const ratio = rate(worst.name) / login
    process.stdout.write(
      `bench:pages ${CONNECTIONS} connections, ${ROUNDS}×${SECONDS} s per page: worst ratio page/login req/s ${ratio.toFixed(2)} (${worst.name}; goal >= 0.5); ${figures}; failed ${failed} (goal 0)\n`,
    )
    return [
      { name: `worst ratio page/login req/s (${worst.name})`, value: ratio, atLeast: 0.5 },
      { name: 'failed responses', value: failed, atMost: 0 },
    ]
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {})
    rmSync(dir, { recursive: true, force: true })
  }
}

runBench(main)
