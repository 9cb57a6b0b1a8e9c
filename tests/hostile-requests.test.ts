// Issue 16's fuzz: every route that takes input (an action, query parameters or path parameters),
// found from app/routes, gets a table of hostile requests — bodies that are not forms, NUL bytes,
// oversized fields, broken multipart, impossible cursors and dates — as anonymous, buyer, merchant
// and agent, over real HTTP. No answer may be a 5xx (or never come), and nothing may be stored:
// the rows of every table a request could write, and the objects in the evidence bucket.
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '~/domain/actor'
import { CASE_INTENTS } from '~/domain/case-commands'
import { useClock } from '~/infra/clock.server'
import { disconnectDb } from '~/infra/db.server'
import { escalate, requestEvidence } from './commands'
import { routeFiles } from './fixtures/app-build'
import { csrfPair, send, servePortal, sessionCookie } from './portal-http'
import { startTestS3, type TestS3 } from './setup/s3'
import { disputeWorld, makeOrderAndCase, serviceDeps, TestClock, testDb } from './support'

const db = testDb()
const clock = new TestClock(new Date())
let s3: TestS3
let bucket: S3Client
let bucketName: string
let portal: Awaited<ReturnType<typeof servePortal>>
let world: Awaited<ReturnType<typeof disputeWorld>>
let evidenceRequestId: string
/** An order of the buyer's with no request yet: a form that got through would open one. */
let freshOrderNo: string
let csrf: Awaited<ReturnType<typeof csrfPair>>

type Target = {
  /** The route's address with real ids; `hostile` replaces one path parameter. */
  path: (hostile?: string) => string
  /** Query parameters the loader reads. */
  query?: string[]
  /** Intents the action tells apart ('' when it has one form). */
  intents?: string[]
  /** Why the fuzz leaves the route out. */
  skip?: string
}

const uuid = () => world.case.id
// Every route that takes input. A route added with an action, a query or a path parameter fails
// the first test until it has a row here.
const TARGETS: Record<string, Target> = {
  'agent.dashboard.tsx': { path: () => '/agent/dashboard', query: ['days'] },
  'agent.queue.tsx': { path: () => '/agent/queue', query: ['scope', 'stage', 'sort', 'q', 'after'], intents: ['claim', 'assign'] },
  'api.v1.logistics-events.ts': { path: () => '/api/v1/logistics-events', intents: [''] },
  'api.v1.orders.ts': { path: () => '/api/v1/orders', intents: [''] },
  'api.v1.shipments.ts': { path: () => '/api/v1/shipments', intents: [''] },
  'buyer.cases._index.tsx': { path: () => '/buyer/cases', query: ['after'] },
  'buyer.disputes.tsx': { path: () => '/buyer/disputes', query: ['after'] },
  'buyer.orders.$orderNo.request.tsx': { path: (bad) => `/buyer/orders/${bad ?? freshOrderNo}/request`, intents: [''] },
  'buyer.orders._index.tsx': { path: () => '/buyer/orders', query: ['after'] },
  'cases.$caseNo.evidence.$requestId.files.ts': { path: (bad) => `/cases/${world.case.caseNo}/evidence/${bad ?? evidenceRequestId}/files`, intents: [''] },
  'cases.$caseNo/route.tsx': {
    path: (bad) => `/cases/${bad ?? world.case.caseNo}`,
    query: ['uploadError'],
    intents: [...CASE_INTENTS, 'remove-file', 'retry-refund', 'flag', 'order-note', 'case-note'],
  },
  'evidence.$itemId.ts': { path: (bad) => `/evidence/${bad ?? uuid()}`, query: ['download'] },
  'i18n.$file.ts': { path: (bad) => `/i18n/${bad ?? 'en.0.js'}` },
  'locale.tsx': { path: () => '/locale', intents: [''] },
  'login.tsx': { path: () => '/login', query: ['redirectTo'], intents: [''] },
  'logout.tsx': { path: () => '/logout', intents: [''] },
  'merchant.settings.tsx': {
    path: () => '/merchant/settings',
    intents: ['add-address', 'default-address', 'archive-address', 'strategy', 'add-webhook', 'disable-webhook', 'express-refund'],
  },
  'merchant.workbench.tsx': { path: () => '/merchant/workbench', query: ['tab', 'orderNo', 'customerName', 'phone', 'from', 'to', 'flag', 'express', 'insured', 'after'], intents: [''] },
  'messages.tsx': { path: () => '/messages', query: ['category', 'after'], intents: [''] },
  'payments.notify.ts': { path: () => '/payments/notify', intents: [''] },
  'test-hooks.clock.ts': { path: () => '/test-hooks/clock', skip: 'e2e-only hook that moves the clock and runs every worker lane; it does not exist in production' },
}
// Logging out revokes the session the later rows sign in with: it goes last.
const targets = () => Object.entries(TARGETS).sort(([a], [b]) => Number(a === 'logout.tsx') - Number(b === 'logout.tsx'))

/** Every field name a form of the portal sends, each one hostile at once. */
const FIELDS = [
  'email', 'password', 'redirectTo', 'lang', 'id', 'scope', 'category', 'caseId', 'itemId', 'refundId', 'disputeId', 'agentId', 'requestId',
  'addressId', 'subscriptionId', 'url', 'events', 'enabled', 'perOrderMax', 'dailyCap', 'isDefault', 'insuranceWarningAccepted', 'reason',
  'description', 'message', 'note', 'color', 'type', 'amount', 'refundAmount', 'resolution', 'courier', 'trackingNo', 'party', 'instructions',
  'checklist', 'outcome', 'liableParty', 'rationale', 'reliedEvidenceIds', 'internalNote', 'explanation', 'smsNotice', 'name', 'phone', 'province',
  'city', 'district', 'detail',
]
const cursor = (at: string) => Buffer.from(JSON.stringify([at, '0195f3a2-1111-7222-8333-444455556666'])).toString('base64url')
/** Query values, already encoded: NUL and other controls, oversized, broken escapes, impossible numbers, dates and cursors. */
const HOSTILE_QUERY = ['%00', 'a%00b', '%1F%7F', 'x'.repeat(6000), '%E0%A4%A', '-1', '1e308', 'NaN', '275760-09-13', '-000001-01-01', cursor('-000001-01-01T00:00:00.000Z'), cursor('0001-01-01T00:00:00.000Z'), cursor('+275760-09-13T00:00:00.000Z')]
const HOSTILE_SEGMENT = ['%00', 'AS%00', 'x'.repeat(3000), '%E0%A4%A', '..%2F..%2Fetc', '0195f3a2-1111-7222-8333-44445555666%00', '-1']

type Body = { name: string; perIntent: boolean; init: (intent: string) => RequestInit }
const BOUNDARY = 'fuzzboundary'
const part = (name: string, value: string) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`
const multipart = (fields: [string, string][], tail: string) => ({
  headers: { 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` },
  body: fields.map(([name, value]) => part(name, value)).join('') + tail,
})
const filePart = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n`
const every = (value: string): [string, string][] => FIELDS.map((name) => [name, value])
const BODIES: Body[] = [
  { name: 'JSON', perIntent: false, init: (intent) => ({ headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ csrf: csrf.token, intent, email: 'a@b.c' }) }) },
  { name: 'no body', perIntent: false, init: () => ({}) },
  { name: 'text/plain', perIntent: false, init: (intent) => ({ headers: { 'Content-Type': 'text/plain' }, body: `csrf=${csrf.token}&intent=${intent}` }) },
  { name: 'form, NUL in every field', perIntent: true, init: (intent) => ({ body: new URLSearchParams([['csrf', csrf.token], ['intent', intent], ...every('a\u0000b')]) }) },
  { name: 'form, NUL in the intent', perIntent: false, init: (intent) => ({ body: new URLSearchParams([['csrf', csrf.token], ['intent', `${intent}\u0000`]]) }) },
  { name: 'form, oversized fields', perIntent: true, init: (intent) => ({ body: new URLSearchParams([['csrf', csrf.token], ['intent', intent], ...every('长'.repeat(3000))]) }) },
  { name: 'multipart, NUL in every field', perIntent: true, init: (intent) => multipart([['csrf', csrf.token], ['intent', intent], ...every('a\u0000b')], `--${BOUNDARY}--\r\n`) },
  // Choices a form offers valid (but the flag colour), so the free text is what reaches the service.
  {
    name: 'multipart, NUL in the text only',
    perIntent: true,
    init: (intent) => multipart([['csrf', csrf.token], ['intent', intent], ['type', 'REFUND_ONLY'], ['reason', 'OTHER'], ['amount', ''], ['color', 'a\u0000b'], ['description', 'a\u0000b'], ['message', 'a\u0000b'], ['note', 'a\u0000b']], `--${BOUNDARY}--\r\n`),
  },
  { name: 'multipart, oversized fields', perIntent: true, init: (intent) => multipart([['csrf', csrf.token], ['intent', intent], ...every('x'.repeat(9000))], `--${BOUNDARY}--\r\n`) },
  { name: 'multipart, cut off in a file', perIntent: false, init: (intent) => multipart([['csrf', csrf.token], ['intent', intent]], `${filePart}${'\0'.repeat(5000)}`) },
  { name: 'multipart, no closing boundary', perIntent: false, init: (intent) => multipart([['csrf', csrf.token], ['intent', intent]], '') },
  { name: 'multipart, no boundary', perIntent: false, init: () => ({ headers: { 'Content-Type': 'multipart/form-data' }, body: 'a=b' }) },
]

const actors = (): [string, Actor | null][] => [
  ['anonymous', null],
  ['buyer', world.buyer],
  ['merchant', world.main],
  ['agent', world.agent],
]
const sessionCookies = new Map<string, string>()
async function cookieOf(actor: Actor | null) {
  if (!actor) return csrf.cookie
  if (!sessionCookies.has(actor.userId)) sessionCookies.set(actor.userId, await sessionCookie(db, actor))
  return `${sessionCookies.get(actor.userId)}; ${csrf.cookie}`
}

/** Rows of every table a request could write, and the bucket's objects. */
async function stored() {
  const objects = await bucket.send(new ListObjectsV2Command({ Bucket: bucketName }))
  return {
    cases: await db.afterSalesCase.count(),
    caseLog: await db.caseLog.count(),
    disputes: await db.dispute.count(),
    evidenceRequests: await db.evidenceRequest.count(),
    evidenceItems: await db.evidenceItem.count(),
    evidenceAccess: await db.evidenceAccess.count(),
    negotiation: await db.negotiationEntry.count(),
    rulings: await db.ruling.count(),
    refunds: await db.refund.count(),
    notifications: await db.notification.count(),
    outbox: await db.emailOutbox.count(),
    webhookSubscriptions: await db.webhookSubscription.count(),
    webhookDeliveries: await db.webhookDelivery.count(),
    addresses: await db.shopAddress.count(),
    apiEvents: await db.apiEvent.count(),
    sessions: await db.session.count(),
    loginThrottle: await db.loginThrottle.count(),
    s3Objects: objects.KeyCount ?? 0,
  }
}

beforeAll(async () => {
  s3 = await startTestS3({ buckets: ['evidence'] })
  bucketName = s3.bucket('evidence')
  Object.assign(process.env, s3.env(bucketName)) // before the first env(): the routes' S3 client reads it
  bucket = s3.client(bucketName)
  useClock(clock)
  portal = await servePortal()
  csrf = await csrfPair()
  world = await disputeWorld(db, clock)
  const deps = serviceDeps(db, clock)
  await escalate(deps, world.buyer, { caseId: world.case.id, reason: 'OTHER', description: '' })
  const fresh = await makeOrderAndCase(db, world.shop.id, world.buyer.buyerId)
  await db.afterSalesCase.delete({ where: { id: fresh.case.id } })
  freshOrderNo = fresh.order.orderNo
  evidenceRequestId = (await requestEvidence(deps, world.agent, { caseId: world.case.id, party: 'MERCHANT', instructions: 'x', checklist: [] })).id
})

afterAll(async () => {
  await portal?.close()
  await s3?.stop()
  await db.$disconnect()
  await disconnectDb()
})

describe('hostile requests', () => {
  it('the table covers every route that takes input', () => {
    const routesDir = path.resolve(import.meta.dirname, '../app/routes')
    const takesInput = routeFiles.filter(({ file, module }) => 'action' in module || /searchParams|params\.\w+/.test(readFileSync(path.join(routesDir, file), 'utf8')))
    expect(takesInput.map(({ file }) => file).filter((file) => !(file in TARGETS))).toEqual([])
    expect(Object.keys(TARGETS).filter((file) => !routeFiles.some((route) => route.file === file))).toEqual([])
  })

  it('no answer is a 5xx or missing, and nothing is stored', { timeout: 900_000 }, async () => {
    for (const [, actor] of actors()) await cookieOf(actor) // the test's own sessions, before counting
    const before = await stored()
    const failures: string[] = []
    const check = async (who: string, actor: Actor | null, method: string, target: string, what: string, init: RequestInit = {}) => {
      const answer = await send(portal.base, target, { method, ...init, cookie: await cookieOf(actor) })
      if (typeof answer.status !== 'number' || answer.status >= 500) failures.push(`${who} ${method} ${target.slice(0, 80)} [${what}]: ${answer.status} ${answer.statusText}`)
    }
    for (const [file, target] of targets()) {
      if (target.skip) continue
      const module = routeFiles.find((route) => route.file === file)!.module
      for (const [who, actor] of actors()) {
        if ('loader' in module) {
          for (const name of target.query ?? []) {
            for (const value of HOSTILE_QUERY) await check(who, actor, 'GET', `${target.path()}?${name}=${value}`, `${name}`)
          }
          if (target.path('X') !== target.path()) {
            for (const segment of HOSTILE_SEGMENT) await check(who, actor, 'GET', target.path(segment), 'path')
          }
        }
        if ('action' in module) {
          for (const body of BODIES) {
            for (const intent of body.perIntent ? (target.intents ?? ['']) : [target.intents?.[0] ?? '']) {
              await check(who, actor, 'POST', target.path(), `${body.name}${intent ? ` ${intent}` : ''}`, body.init(intent))
            }
          }
          if (target.path('X') !== target.path()) await check(who, actor, 'POST', target.path('%00'), 'NUL in the path', BODIES[3]!.init(target.intents?.[0] ?? ''))
        }
      }
    }
    expect({ failures, stored: await stored() }).toEqual({ failures: [], stored: before })
  })
})
