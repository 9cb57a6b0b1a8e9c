// The operators' Prometheus endpoint: off without a token, closed without the right one, and
// figures that are the database's own (lane queues, refunds by state) and the requests' routes.
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { metrics, scrape } from '~/infra/metrics.server'
import { readQueues, registerQueueGauges } from '~/services/metrics-gauges.server'
import { routeLabeller } from '../server/route-label'
import { TestClock, makeBuyer, makeOrderAndCase, makeShop, serviceDeps, testDb } from './support'

const db = testDb()
const TOKEN = 'metrics-token-for-the-tests-0123456789'
afterAll(() => db.$disconnect())

describe('the scrape endpoint', () => {
  it('is absent while no token is configured, and refuses a missing or wrong token', async () => {
    expect((await scrape(`Bearer ${TOKEN}`, undefined)).status).toBe(404)
    expect((await scrape(null, TOKEN)).status).toBe(401)
    expect((await scrape(`Bearer ${TOKEN}x`, TOKEN)).status).toBe(401)
    expect((await scrape(TOKEN, TOKEN)).status).toBe(401) // the scheme is part of it
    const ok = await scrape(`Bearer ${TOKEN}`, TOKEN)
    expect(ok.status).toBe(200)
    expect(ok.contentType).toMatch(/^text\/plain/)
    expect(ok.body).toContain('portal_deadline_lateness_seconds')
  })

  it('queries the database only for an authorized scrape', async () => {
    let reads = 0
    await scrape(null, TOKEN, () => reads++)
    await scrape(`Bearer wrong`, TOKEN, () => reads++)
    expect(reads).toBe(0)
    await scrape(`Bearer ${TOKEN}`, TOKEN, () => reads++)
    expect(reads).toBe(1)
  })
})

describe('lane queues and refunds, read from the database', () => {
  const clock = new TestClock(new Date('2026-12-01T08:00:00Z'))
  beforeEach(async () => {
    await db.emailOutbox.deleteMany()
  })

  it('counts what waits, what is due and how long the oldest due row has waited', async () => {
    const now = clock.now()
    const at = (ms: number) => new Date(now.getTime() + ms)
    await db.emailOutbox.createMany({
      data: [
        { dedupeKey: 'due-old', recipients: ['a@x.test'], subject: 's', textBody: 't', nextAttemptAt: at(-90_000), createdAt: at(-90_000) },
        { dedupeKey: 'due-new', recipients: ['a@x.test'], subject: 's', textBody: 't', nextAttemptAt: at(-1_000), createdAt: at(-1_000) },
        { dedupeKey: 'later', recipients: ['a@x.test'], subject: 's', textBody: 't', nextAttemptAt: at(60_000), createdAt: now },
        { dedupeKey: 'sent', recipients: ['a@x.test'], subject: 's', textBody: 't', nextAttemptAt: at(-5_000), createdAt: now, status: 'SENT' },
        { dedupeKey: 'failed', recipients: ['a@x.test'], subject: 's', textBody: 't', nextAttemptAt: at(-5_000), createdAt: now, status: 'FAILED' },
      ],
    })
    const shop = await makeShop(db)
    const buyer = await makeBuyer(db)
    const overdue = await makeOrderAndCase(db, shop.id, buyer.buyer.id)
    await db.afterSalesCase.update({ where: { id: overdue.case.id }, data: { nextDeadlineAt: at(-30_000) } })
    const notYet = await makeOrderAndCase(db, shop.id, buyer.buyer.id)
    await db.afterSalesCase.update({ where: { id: notYet.case.id }, data: { nextDeadlineAt: at(30_000) } })

    const snapshot = await readQueues(serviceDeps(db, clock), now)
    const email = snapshot.lanes.find((l) => l.lane === 'email')!
    expect([Number(email.queued), Number(email.due), Number(email.gave_up)]).toEqual([3, 2, 1])
    expect(new Date(email.oldest_due!).getTime()).toBe(at(-90_000).getTime())
    const deadline = snapshot.lanes.find((l) => l.lane === 'deadline')!
    expect(Number(deadline.due)).toBe(1)
    expect(new Date(deadline.oldest_due!).getTime()).toBe(at(-30_000).getTime())

    registerQueueGauges(() => readQueues(serviceDeps(db, clock), now))
    const text = await metrics().registry.metrics()
    expect(text).toMatch(/^portal_lane_due\{lane="email"\} 2$/m)
    expect(text).toMatch(/^portal_lane_queued\{lane="email"\} 3$/m)
    expect(text).toMatch(/^portal_lane_oldest_due_age_seconds\{lane="email"\} 90$/m)
    expect(text).toMatch(/^portal_lane_gave_up\{lane="email"\} 1$/m)
    expect(text).toMatch(/^portal_lane_oldest_due_age_seconds\{lane="deadline"\} 30$/m)
    expect(text).toMatch(/^portal_refunds\{state="FAILED"\} 0$/m)
  })
})

describe('request latency is labelled by route, not by path', () => {
  // The shape of a Remix build's route manifest (root, an index, pages with params, a resource route).
  const manifest = {
    root: { id: 'root', path: '' },
    'routes/_index': { id: 'routes/_index', parentId: 'root', index: true },
    'routes/cases.$caseNo': { id: 'routes/cases.$caseNo', parentId: 'root', path: 'cases/:caseNo' },
    'routes/evidence.$itemId': { id: 'routes/evidence.$itemId', parentId: 'root', path: 'evidence/:itemId' },
    'routes/messages.unread': { id: 'routes/messages.unread', parentId: 'root', path: 'messages/unread' },
  } as unknown as Parameters<typeof routeLabeller>[0]
  const routeOf = routeLabeller(manifest)

  it('names the route that answers a page, its single-fetch data, and a resource route', () => {
    expect(routeOf('/cases/AS2611220005')).toBe('routes/cases.$caseNo')
    expect(routeOf('/cases/AS2611220006.data')).toBe('routes/cases.$caseNo')
    expect(routeOf('/')).toBe('routes/_index')
    expect(routeOf('/_root.data')).toBe('routes/_index')
    expect(routeOf('/messages/unread')).toBe('routes/messages.unread')
    expect(routeOf('/healthz')).toBe('health') // answered by Express before Remix
    expect(routeOf('/healthz/dependencies')).toBe('health')
    expect(routeOf('/build/entry.client-ABC.js')).toBe('static')
    expect(routeOf('/favicon.svg')).toBe('static')
    expect(routeOf('/__manifest')).toBe('remix-manifest')
    expect(routeOf('/no/such/page')).toBe('unmatched')
  })
})
