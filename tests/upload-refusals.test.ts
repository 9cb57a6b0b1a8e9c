// Every refusal of every upload route answers, over real HTTP: the real server (createApp) with the
// upload routes, a real s3rver and PostgreSQL, and a client that gives up after a few seconds, so a
// hang fails the test instead of stalling the suite. Each refusal answers with the code the UI
// translates, after the server has read the rest of the body (no reset), and leaves nothing in S3
// or the database. A command the actor may not issue is refused before a byte goes to S3.
import { ListObjectsV2Command } from '@aws-sdk/client-s3'
import { createHash, randomBytes } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Actor } from '~/domain/actor'
import { OffsetClock, useClock } from '~/infra/clock.server'
import { cookies } from '~/infra/cookies.server'
import { disconnectDb } from '~/infra/db.server'
import { s3 as appS3 } from '~/infra/storage.server'
import { hashToken } from '~/models/actor.server'
import { createApp } from '../server/index'
import { escalate, requestEvidence } from './commands'
import { HTML_PAGE, makeLargePng, makePng } from './fixtures/files'
import { startTestS3, type TestS3 } from './setup/s3'
import { disputeWorld, makeMember, makeOrderAndCase, serviceDeps, TestClock, testDb } from './support'

const db = testDb()
const MB = 1024 * 1024
/** Longer than any upload here takes on loopback; a server that never answers fails the test. */
const ANSWER_TIMEOUT_MS = 15_000
const clock = new OffsetClock()
const CSRF = randomBytes(32).toString('base64url')
let s3: TestS3
let bucket: string
let server: http.Server
let base = ''
let csrfCookie = ''
let world: Awaited<ReturnType<typeof disputeWorld>>
/** A shop member with 同意退款 only: may neither answer evidence requests nor reject. */
let refundOnly: Actor
let openRequestId = ''
let closedRequest: { id: string; caseNo: string; member: Actor }
let pendingCase: { id: string; caseNo: string }
let refundedCase: { id: string; caseNo: string }
let rejectedCase: { id: string; caseNo: string }
let orderNo = ''
/** Every object write the app's S3 client makes (PutObject, multipart parts, copies). */
const s3Writes: string[] = []
const WRITE_COMMANDS = new Set(['PutObjectCommand', 'CreateMultipartUploadCommand', 'UploadPartCommand', 'CopyObjectCommand'])

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

async function cookieFor(actor: Actor): Promise<string> {
  const token = randomBytes(32).toString('base64url')
  await db.session.create({ data: { tokenHash: hashToken(token), userId: actor.userId, createdAt: clock.now(), expiresAt: new Date(clock.now().getTime() + 3600_000) } })
  return `${(await cookies().session.serialize(token)).split(';')[0]}; ${csrfCookie}`
}

type Part = { name: string; value: string } | { name: string; fileName: string; bytes: Buffer }
type Answer = { status: number; headers: http.IncomingHttpHeaders; text: string; sentWholeBody: boolean }

/**
 * A multipart POST as a browser sends it: the CSRF field first, the body written as fast as the
 * server reads it. Rejects when no answer comes in time or the connection is reset; tells whether
 * the whole body had been sent when the answer came.
 */
async function post(pathname: string, actor: Actor, parts: Part[], accept = 'text/html', contentType?: string): Promise<Answer> {
  const boundary = `----upload-test-${randomBytes(6).toString('hex')}`
  const body = Buffer.concat([
    ...[{ name: 'csrf', value: CSRF }, ...parts].map((part) =>
      'bytes' in part
        ? Buffer.concat([
            Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
            part.bytes,
            Buffer.from('\r\n'),
          ])
        : Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`),
    ),
    Buffer.from(`--${boundary}--\r\n`),
  ])
  const cookie = await cookieFor(actor)
  return new Promise<Answer>((resolve, reject) => {
    let sent = false
    const request = http.request(`${base}${pathname}`, {
      method: 'POST',
      headers: { Cookie: cookie, Accept: accept, 'Content-Type': contentType ?? `multipart/form-data; boundary=${boundary}`, 'Content-Length': body.length },
      signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
    })
    request.on('response', (res) => {
      const sentWholeBody = sent
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString(), sentWholeBody }))
      res.on('error', reject)
    })
    request.on('error', (error) => reject(error.name === 'AbortError' ? new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms: the server hung`) : error))
    request.end(body, () => (sent = true))
  })
}

async function objectKeys(): Promise<string[]> {
  const listed = await s3.client(bucket).send(new ListObjectsV2Command({ Bucket: bucket }))
  return (listed.Contents ?? []).map((object) => object.Key!).sort()
}

/** Nothing of the refused upload stays: no object (an aborted PUT is deleted again after 2 s on s3rver), no row. */
async function expectNothingStored(keysBefore: string[], itemsBefore: number) {
  await expect.poll(objectKeys, { timeout: 5_000, interval: 250 }).toEqual(keysBefore)
  expect(await db.evidenceItem.count()).toBe(itemsBefore)
}

const png = makePng()
const oversizePng = makeLargePng(21 * MB)
const file = (bytes: Buffer, fileName = 'photo.png'): Part => ({ name: 'files', fileName, bytes })
/** The portal's uploader declares size and SHA-256 before the file. */
const declared = (bytes: Buffer, hash = sha(bytes)): Part[] => [
  { name: 'size', value: String(bytes.length) },
  { name: 'sha256', value: hash },
]

/** The refusals every upload route must answer, with the parts of the body after the command's own fields. */
const FILE_REFUSALS: Array<{ what: string; files: () => Part[]; status: number; code: string }> = [
  { what: 'a 21 MB PNG (limit 20 MB), refused as its bytes arrive', files: () => [file(oversizePng)], status: 413, code: 'FILE_TOO_LARGE' },
  {
    what: 'a 21 MB PNG declared as such, refused before the client has sent it',
    files: () => [...declared(oversizePng), file(oversizePng)],
    status: 413,
    code: 'FILE_TOO_LARGE',
  },
  {
    what: 'a file whose SHA-256 does not match the declared one, known only after the body ended',
    files: () => [...declared(png, sha(Buffer.from('another file'))), file(png)],
    status: 422,
    code: 'FILE_CHANGED_IN_TRANSIT',
  },
  { what: '21 files (limit 20)', files: () => Array.from({ length: 21 }, (_, i) => file(png, `photo-${i}.png`)), status: 413, code: 'TOO_MANY_FILES' },
  { what: 'an HTML page named .png', files: () => [file(HTML_PAGE, 'page.png')], status: 415, code: 'UNSUPPORTED_TYPE' },
]

let keysBefore: string[] = []
let itemsBefore = 0
beforeEach(async () => {
  keysBefore = await objectKeys()
  itemsBefore = await db.evidenceItem.count()
  s3Writes.length = 0
})

beforeAll(async () => {
  s3 = await startTestS3({ buckets: ['evidence'] })
  bucket = s3.bucket('evidence')
  Object.assign(process.env, s3.env(bucket)) // before the first env(): the routes' S3 client reads it
  appS3().middlewareStack.add(
    (next, context) => (args) => {
      if (WRITE_COMMANDS.has(context.commandName ?? '')) s3Writes.push(context.commandName!)
      return next(args)
    },
    { step: 'initialize', name: 'countObjectWrites' },
  )
  useClock(clock)
  csrfCookie = (await cookies().csrf.serialize(CSRF)).split(';')[0]!
  const app = await createApp(path.resolve(import.meta.dirname, 'fixtures/upload-build.ts'))
  server = http.createServer({ highWaterMark: MB }, app)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const worldClock = new TestClock(clock.now())
  const deps = serviceDeps(db, worldClock)
  world = await disputeWorld(db, worldClock)
  const member = await makeMember(db, world.shop.id, 'CUSTOM', ['AGREE_REFUND'])
  refundOnly = { kind: 'MERCHANT', userId: member.user.id, displayName: 'm', shopId: world.shop.id, memberId: member.member.id, role: 'CUSTOM', grantedPermissions: ['AGREE_REFUND'] }
  // The dispute case: an open request to the merchant, and a second one already closed.
  await escalate(deps, world.buyer, { caseId: world.case.id, reason: 'OTHER', description: '' })
  openRequestId = (await requestEvidence(deps, world.agent, { caseId: world.case.id, party: 'MERCHANT', instructions: 'Photos', checklist: [] })).id
  const other = await disputeWorld(db, worldClock)
  await escalate(deps, other.buyer, { caseId: other.case.id, reason: 'OTHER', description: '' })
  const closed = await requestEvidence(deps, other.agent, { caseId: other.case.id, party: 'MERCHANT', instructions: 'Photos', checklist: [] })
  await db.evidenceRequest.update({ where: { id: closed.id }, data: { status: 'EXPIRED' } })
  closedRequest = { id: closed.id, caseNo: other.case.caseNo, member: other.main }
  // Cases for the case page's multipart commands: one awaiting the merchant (reject), one rejected
  // (the buyer escalates), one refunded (nothing more to reject).
  const { buyerId } = world.buyer
  pendingCase = (await makeOrderAndCase(db, world.shop.id, buyerId)).case
  refundedCase = (await makeOrderAndCase(db, world.shop.id, buyerId, { state: 'REFUNDED' })).case
  rejectedCase = (await makeOrderAndCase(db, world.shop.id, buyerId)).case
  await db.afterSalesCase.update({ where: { id: rejectedCase.id }, data: { state: 'REJECTED', rejectedAt: new Date(clock.now().getTime() - 3600_000) } })
  orderNo = (await db.order.create({ data: { orderNo: `O${randomBytes(4).toString('hex')}`, shopId: world.shop.id, buyerId, itemTitle: 'Tea', paidAmountFen: 100_00, paidAt: new Date(clock.now().getTime() - 86_400_000), customerName: 'C', customerPhone: '13800000000' } })).orderNo
})

afterAll(async () => {
  server?.closeAllConnections()
  await new Promise((resolve) => server?.close(resolve))
  await s3?.stop()
  await db.$disconnect()
  await disconnectDb()
})

describe('POST /cases/:caseNo/evidence/:requestId/files', () => {
  const upload = (parts: Part[], accept: string, actor: Actor = world.main, requestId = openRequestId, caseNo = world.case.caseNo) =>
    post(`/cases/${caseNo}/evidence/${requestId}/files`, actor, parts, accept)

  describe.each([
    ['JSON (the uploader)', 'application/json'],
    ['a redirect (a plain form)', 'text/html'],
  ])('answering with %s', (_, accept) => {
    /** The answer carries the code the uploader (JSON) or the case page (?uploadError=) translates. */
    const expectRefusal = (answer: Answer, status: number, code: string, requestId = openRequestId, caseNo = world.case.caseNo) => {
      expect(answer.sentWholeBody).toBe(true) // read to its end, then answered: no reset
      if (accept === 'application/json') {
        expect({ status: answer.status, body: JSON.parse(answer.text) }).toMatchObject({ status, body: { ok: false, error: code } })
      } else {
        expect({ status: answer.status, location: answer.headers.location }).toEqual({ status: 303, location: `/cases/${caseNo}?uploadError=${code}#request-${requestId}` })
      }
    }

    it.each(FILE_REFUSALS)('refuses $what ($code) and stores nothing', async ({ files, status, code }) => {
      expectRefusal(await upload(files(), accept), status, code)
      await expectNothingStored(keysBefore, itemsBefore)
    })

    it('refuses a member without 处理售后 before reading the 21 MB body, and answers after it', async () => {
      expectRefusal(await upload([file(oversizePng)], accept, refundOnly), 403, 'FORBIDDEN')
      expect(s3Writes).toEqual([])
      await expectNothingStored(keysBefore, itemsBefore)
    })

    it('refuses a request whose window closed before reading the body, and answers after it', async () => {
      expectRefusal(await upload([file(oversizePng)], accept, closedRequest.member, closedRequest.id, closedRequest.caseNo), 409, 'EVIDENCE_WINDOW_CLOSED', closedRequest.id, closedRequest.caseNo)
      expect(s3Writes).toEqual([])
      await expectNothingStored(keysBefore, itemsBefore)
    })
  })

  it('answers a 21 MB body whose Content-Type names no boundary with a 400 after the body, storing nothing', async () => {
    const answer = await post(`/cases/${world.case.caseNo}/evidence/${openRequestId}/files`, world.main, [file(oversizePng)], 'application/json', 'multipart/form-data')
    expect({ status: answer.status, sentWholeBody: answer.sentWholeBody }).toEqual({ status: 400, sentWholeBody: true })
    expect(s3Writes).toEqual([])
    await expectNothingStored(keysBefore, itemsBefore)
  })

  it('stores a valid declared file as a draft (the refusals above are refusals of this upload)', async () => {
    const answer = await upload([...declared(png), file(png)], 'application/json')
    expect(answer.status).toBe(200)
    expect(JSON.parse(answer.text)).toMatchObject({ ok: true, items: [{ fileName: 'photo.png' }] })
    expect(await db.evidenceItem.count()).toBe(itemsBefore + 1)
  })
})

describe('multipart commands on POST /cases/:caseNo', () => {
  const COMMANDS = [
    { intent: 'reject', actor: () => world.main, target: () => pendingCase, fields: [{ name: 'reason', value: 'ITEM_AS_DESCRIBED' }, { name: 'message', value: '货物与描述一致' }] },
    { intent: 'escalate', actor: () => world.buyer, target: () => rejectedCase, fields: [{ name: 'reason', value: 'MERCHANT_REJECTED_UNFAIRLY' }, { name: 'description', value: '商家拒绝' }] },
  ]
  const command = async (intent: string, actor: Actor, caseNo: string, parts: Part[]) => {
    const answer = await post(`/cases/${caseNo}`, actor, [{ name: 'intent', value: intent }, ...parts])
    expect(answer.sentWholeBody).toBe(true) // read to its end, then answered: no reset
    return { status: answer.status, result: (JSON.parse(answer.text) as { actionData?: Record<string, unknown> }).actionData?.['routes/cases.$caseNo'] }
  }

  describe.each(COMMANDS)('$intent', ({ intent, actor, target, fields }) => {
    it.each(FILE_REFUSALS)('refuses $what ($code), and stores nothing', async ({ files, status, code }) => {
      const stateBefore = (await db.afterSalesCase.findUniqueOrThrow({ where: { id: target().id } })).state
      expect(await command(intent, actor(), target().caseNo, [...fields, ...files()])).toEqual({ status, result: { intent, ok: false, error: code } })
      await expectNothingStored(keysBefore, itemsBefore)
      expect((await db.afterSalesCase.findUniqueOrThrow({ where: { id: target().id } })).state).toBe(stateBefore)
    })
  })

  it.each([
    { who: 'a member without 处理售后 rejecting', intent: 'reject', actor: () => refundOnly, target: () => pendingCase, status: 403, code: 'FORBIDDEN' },
    { who: 'a member without 同意退款 escalating', intent: 'escalate', actor: () => world.viewer, target: () => rejectedCase, status: 403, code: 'FORBIDDEN' },
    // Not found before the command runs: a 404 page, no action result.
    { who: 'another shop rejecting', intent: 'reject', actor: () => world.outsider, target: () => pendingCase, status: 404, code: undefined },
    { who: 'the shop rejecting a refunded case', intent: 'reject', actor: () => world.main, target: () => refundedCase, status: 409, code: 'CASE_CLOSED' },
  ])('refuses $who before a file byte goes to S3 ($code)', async ({ intent, actor, target, status, code }) => {
    const fields = COMMANDS.find((c) => c.intent === intent)!.fields
    const files = [file(makeLargePng(15 * MB)), file(makeLargePng(15 * MB), 'second.png')]
    expect(await command(intent, actor(), target().caseNo, [...fields, ...files])).toEqual({ status, result: code && { intent, ok: false, error: code } })
    expect(s3Writes).toEqual([])
    await expectNothingStored(keysBefore, itemsBefore)
  })

  it('rejects with proof when everything is in order (the refusals above are refusals of this command)', async () => {
    const reject = COMMANDS[0]!
    expect(await command('reject', world.main, pendingCase.caseNo, [...reject.fields, ...declared(png), file(png)])).toEqual({ status: 200, result: { intent: 'reject', ok: true, to: 'REJECTED' } })
    expect(await db.evidenceItem.count({ where: { caseId: pendingCase.id, purpose: 'REJECTION_PROOF' } })).toBe(1)
  })
})

describe("POST /buyer/orders/:orderNo/request (a buyer's proof)", () => {
  it.each(FILE_REFUSALS)('refuses $what ($code), and opens nothing', async ({ files, status, code }) => {
    const fields: Part[] = [
      { name: 'type', value: 'REFUND_ONLY' },
      { name: 'reason', value: 'OTHER' },
    ]
    const answer = await post(`/buyer/orders/${orderNo}/request`, world.buyer, [...fields, ...files()])
    expect(answer.sentWholeBody).toBe(true)
    expect({ status: answer.status, result: JSON.parse(answer.text).actionData?.['routes/buyer.orders.$orderNo.request'] }).toEqual({ status, result: { error: code } })
    await expectNothingStored(keysBefore, itemsBefore)
    expect(await db.afterSalesCase.count({ where: { orderNo } })).toBe(0)
  })
})
