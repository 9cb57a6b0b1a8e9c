// Issue 16, items 2–4, over real HTTP (the real server over the app's routes): a POST whose body is
// not a form, a NUL byte in an address or a field, and a cursor with an impossible date are the
// client's errors (4xx, or the first page for a cursor), never a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '~/domain/actor'
import { disconnectDb } from '~/infra/db.server'
import { escalate } from './commands'
import { csrfPair, send, servePortal, sessionCookie } from './portal-http'
import { disputeWorld, serviceDeps, TestClock, testDb } from './support'

const db = testDb()
let portal: Awaited<ReturnType<typeof servePortal>>
let world: Awaited<ReturnType<typeof disputeWorld>>
let csrf: Awaited<ReturnType<typeof csrfPair>>
const cookies = new Map<string, string>()

/** The actor's session cookie and the CSRF cookie, as a browser holding the page would send them. */
async function cookieOf(actor: Actor | null) {
  if (!actor) return csrf.cookie
  if (!cookies.has(actor.userId)) cookies.set(actor.userId, await sessionCookie(db, actor))
  return `${cookies.get(actor.userId)}; ${csrf.cookie}`
}

beforeAll(async () => {
  portal = await servePortal()
  csrf = await csrfPair()
  const clock = new TestClock(new Date())
  world = await disputeWorld(db, clock)
  await escalate(serviceDeps(db, clock), world.buyer, { caseId: world.case.id, reason: 'OTHER', description: '' })
})

afterAll(async () => {
  await portal.close()
  await db.$disconnect()
  await disconnectDb()
})

describe('a POST whose body is not a form (item 2)', () => {
  const routes = (): [string, Actor | null][] => [
    ['/login', null],
    ['/locale', null],
    ['/logout', world.buyer],
    ['/messages', world.buyer],
    [`/cases/${world.case.caseNo}`, world.buyer],
    ['/merchant/workbench', world.main],
    ['/merchant/settings', world.main],
    ['/agent/queue', world.agent],
  ]
  const bodies: [string, RequestInit][] = [
    ['JSON', { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ csrf: 'x', email: 'a@b.c' }) }],
    ['no body', {}],
    ['text/plain', { headers: { 'Content-Type': 'text/plain' }, body: 'csrf=x&intent=read' }],
  ]
  it.each(bodies)('is 415 on every form route, before the CSRF check: %s', async (_, init) => {
    for (const [target, actor] of routes()) {
      const answer = await send(portal.base, target, { method: 'POST', ...init, cookie: await cookieOf(actor) })
      expect({ target, status: answer.status, statusText: answer.statusText }).toEqual({ target, status: 415, statusText: 'Unsupported Media Type' })
    }
  })

  it('is 400 when a form body cannot be read', async () => {
    const broken = { 'Content-Type': 'multipart/form-data; boundary=xyz' }
    for (const [target, actor] of routes().filter(([target]) => !target.startsWith('/cases/'))) {
      const answer = await send(portal.base, target, { method: 'POST', headers: broken, body: '--xyz\r\nnot a part', cookie: await cookieOf(actor) })
      expect({ target, status: answer.status }).toEqual({ target, status: 400 })
    }
  })

  it('is 413 for a form over 2 MB, before login: a form read whole is never held larger than that', async () => {
    const body = new URLSearchParams({ csrf: csrf.token, email: 'a@b.c', password: 'x'.repeat(3 * 1024 * 1024) })
    for (const [target, actor] of [routes()[0]!, routes()[3]!]) {
      const answer = await send(portal.base, target, { method: 'POST', body, cookie: await cookieOf(actor) })
      expect({ target, status: answer.status }).toEqual({ target, status: 413 })
    }
    expect(await db.loginThrottle.count()).toBe(0)
  })

  it('shows the refusal in the viewer’s language', async () => {
    const answer = await send(portal.base, '/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}', cookie: await cookieOf(null) })
    expect(answer.body).toContain('无法处理此请求')
  })
})

describe('a NUL byte (item 3)', () => {
  it.each([
    ['/merchant/workbench?orderNo=%00', () => world.main],
    ['/merchant/workbench?customerName=a%00b', () => world.main],
    ['/merchant/workbench?phone=%00', () => world.main],
    ['/agent/queue?q=%00', () => world.agent],
    ['/cases/AS%00', () => world.buyer],
  ])('in the address is 400: %s', async (target, actor) => {
    const answer = await send(portal.base, target, { cookie: await cookieOf(actor()) })
    expect(answer.status).toBe(400)
    expect(answer.body).toMatch(/control characters/)
  })

  it('in a login email is 400, and counts as no attempt', async () => {
    const body = new URLSearchParams({ csrf: csrf.token, email: 'buyer\u0000@test.local', password: 'x' })
    const answer = await send(portal.base, '/login', { method: 'POST', body, cookie: await cookieOf(null) })
    expect(answer.status).toBe(400)
    expect(await db.loginThrottle.count()).toBe(0)
  })

  it('in any form field is 400 before the action runs', async () => {
    const body = new URLSearchParams({ csrf: csrf.token, intent: 'read-all', category: 'AFTER_SALES\u0000' })
    const answer = await send(portal.base, '/messages', { method: 'POST', body, cookie: await cookieOf(world.buyer) })
    expect(answer.status).toBe(400)
  })
})

describe('a cursor with an impossible date (item 4)', () => {
  const cursor = (at: string) => Buffer.from(JSON.stringify([at, world.case.id])).toString('base64url')
  const lists = (): [string, Actor][] => [
    ['/agent/queue?sort=breach&', world.agent],
    ['/agent/queue?sort=age&', world.agent],
    ['/messages?', world.buyer],
    ['/buyer/cases?', world.buyer],
    ['/buyer/disputes?', world.buyer],
    ['/buyer/orders?', world.buyer],
    ['/merchant/workbench?', world.main],
  ]
  // Year -1 is a 500 on every list but the workbench, year 1 on the queue by breach (its window
  // reaches back past year 1); 275760, the last day JS can hold, is refused all the same.
  const impossible = ['-000001-01-01T00:00:00.000Z', '0001-01-01T00:00:00.000Z', '+275760-09-13T00:00:00.000Z']
  it('is the first page on every list', async () => {
    const answers: string[] = []
    for (const at of impossible) {
      for (const [list, actor] of lists()) {
        const answer = await send(portal.base, `${list}after=${cursor(at)}`, { cookie: await cookieOf(actor) })
        answers.push(`${at} ${list} ${answer.status}`)
      }
    }
    expect(answers.filter((answer) => !answer.endsWith(' 200'))).toEqual([])
  })
})
