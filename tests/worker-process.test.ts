// The worker as a process (`npm run worker`): it fires a deadline that passed while it was down,
// serves its metrics on 127.0.0.1 behind the token, and stops cleanly on SIGTERM.
import { spawn } from 'node:child_process'
import path from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { freePort } from '../scripts/embedded-services'
import { openRequest } from './commands'
import { startTestS3 } from './setup/s3'
import { disputeWorld, serviceDeps, TestClock, testDb } from './support'

const db = testDb()
afterAll(() => db.$disconnect())
const root = path.resolve(import.meta.dirname, '..')
const TOKEN = 'worker-metrics-token-0123456789abcdef'

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

it('fires an overdue deadline on start, serves /metrics behind its token, and exits 0 on SIGTERM', async () => {
  // A refund-only request opened 49 hours ago: its 48-hour deadline passed while no worker ran.
  const clock = new TestClock(new Date(Date.now() - 49 * 3600_000))
  const world = await disputeWorld(db, clock)
  const order = await db.order.create({
    data: { orderNo: `WP${Date.now()}`, shopId: world.shop.id, buyerId: world.buyer.buyerId, itemTitle: 'Tea', paidAmountFen: 100_00, paidAt: clock.now(), shippedAt: clock.now(), customerName: 'C', customerPhone: '13800000000' },
  })
  const created = await openRequest(serviceDeps(db, clock), world.buyer, { orderNo: order.orderNo, type: 'REFUND_ONLY', reason: 'OTHER', description: '', amountFen: null, files: [] })

  // The worker checks its bucket at start.
  const s3 = await startTestS3({ buckets: ['evidence'] })
  const port = await freePort()
  let output = ''
  const worker = spawn(process.execPath, ['--import', 'tsx', 'worker/index.ts'], {
    cwd: root,
    env: { ...process.env, ...s3.env(s3.bucket('evidence')), WORKER_METRICS_PORT: String(port), METRICS_TOKEN: TOKEN, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  worker.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  worker.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)))
  try {
    await until(async () => (await db.afterSalesCase.findUniqueOrThrow({ where: { id: created.id } })).state === 'REFUNDED', 'the overdue deadline to fire')
    const url = `http://127.0.0.1:${port}/metrics`
    await until(async () => (await fetch(url).catch(() => null)) !== null, 'the metrics server')
    expect((await fetch(url)).status).toBe(401)
    expect((await fetch(url, { headers: { Authorization: 'Bearer wrong-token-wrong-token-wrong!!' } })).status).toBe(401)
    expect((await fetch(`http://127.0.0.1:${port}/other`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(404)
    const scraped = await fetch(url, { headers: { Authorization: `Bearer ${TOKEN}` } })
    expect(scraped.status).toBe(200)
    const text = await scraped.text()
    expect(text).toMatch(/portal_deadline_lateness_seconds_count\{kind="case.merchant-timeout"\} 1/)
    expect(text).toContain('portal_lane_pass_seconds')
  } finally {
    worker.kill('SIGTERM')
    await exited
    await s3.stop()
  }
  expect(await exited, output).toBe(0)
  expect(output).toContain('"msg":"worker stopped"')
})
