// Evidence downloads over real HTTP: the real server (createApp) with the evidence route, a real
// s3rver and PostgreSQL. Bytes stream through the portal exactly, ranges work, another party's file
// is not found, a tampered object never arrives whole and tells the agents once, every view and
// download is recorded, a slow client holds the portal back instead of filling its memory, and
// presigned redirects remain an operator setting.
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { createHash, randomBytes } from 'node:crypto'
import dc from 'node:diagnostics_channel'
import { once } from 'node:events'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest'
import type { Actor } from '~/domain/actor'
import { defaultPolicy } from '~/domain/policy'
import { OffsetClock, useClock } from '~/infra/clock.server'
import { cookies } from '~/infra/cookies.server'
import { disconnectDb } from '~/infra/db.server'
import { env } from '~/infra/env.server'
import { hashToken } from '~/models/actor.server'
import { loadCaseView } from '~/models/case-view.server'
import { parseRange, RANGE_RECORD_WINDOW_MS } from '~/services/evidence-download.server'
import { storeEvidenceStream, type Storage } from '~/services/evidence-upload.server'
import { createApp } from '../server/index'
import { startTestS3, type TestS3 } from './setup/s3'
import { escalate } from './commands'
import { chunked, makeLargePng, makePdf } from './fixtures/files'
import { disputeWorld, makeAgent, serviceDeps, TestClock, testDb } from './support'

const db = testDb()
/** The test S3's evidence bucket (s3rver's, or one made on TEST_S3_ENDPOINT). */
let BUCKET: string
const MB = 1024 * 1024
const clock = new OffsetClock()
let s3: TestS3
let storage: Storage
let server: http.Server
let base = ''
let world: Awaited<ReturnType<typeof disputeWorld>>
let secondAgent: Actor
const files: Record<'png' | 'pdf' | 'mp4' | 'buyerPng', { id: string; bytes: Buffer; key: string }> = {} as never
const sessions = new Map<string, string>()

const video = () => files.mp4.bytes
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')
/** An MP4 header (ftyp isom) and random bytes: enough for the type check and many chunks. */
const makeMp4 = (size: number) => Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom', 'ascii'), Buffer.alloc(12), randomBytes(size - 24)])

async function addFile(actor: Actor & { kind: 'BUYER' | 'MERCHANT' }, bytes: Buffer, fileName: string) {
  const stored = await storeEvidenceStream(storage, defaultPolicy, { keyPrefix: `test/${world.case.id}`, fileName, body: chunked(bytes) })
  const item = await db.evidenceItem.create({
    data: {
      caseId: world.case.id,
      uploadedById: actor.userId,
      uploadedByRole: actor.kind,
      s3Key: stored.key,
      fileName: stored.fileName,
      sizeBytes: stored.sizeBytes,
      contentType: stored.mime,
      sha256: stored.sha256,
      status: 'SUBMITTED',
      createdAt: clock.now(),
    },
  })
  return { id: item.id, bytes, key: stored.key }
}

async function cookieFor(actor: Actor): Promise<string> {
  let cookie = sessions.get(actor.userId)
  if (!cookie) {
    const token = randomBytes(32).toString('base64url')
    const expiresAt = new Date(clock.now().getTime() + 24 * 3600_000)
    await db.session.create({ data: { tokenHash: hashToken(token), userId: actor.userId, createdAt: clock.now(), expiresAt } })
    cookie = (await cookies().session.serialize(token)).split(';')[0]!
    sessions.set(actor.userId, cookie)
  }
  return cookie
}

type Answer = { status: number; headers: http.IncomingHttpHeaders; body: Buffer; complete: boolean }

/** A GET (or HEAD) as a browser sends it; `complete` is false when the transfer was cut (status 0: before any header). */
async function get(pathname: string, actor: Actor | null, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  const cookie = actor ? await cookieFor(actor) : undefined
  return new Promise((resolve, reject) => {
    const request = http.request(`${base}${pathname}`, { method, headers: { ...headers, ...(cookie ? { Cookie: cookie } : {}) } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', () => {}) // a cut transfer: reported through `complete`
      res.on('close', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), complete: res.complete }))
    })
    request.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ECONNRESET' ? resolve({ status: 0, headers: {}, body: Buffer.alloc(0), complete: false }) : reject(error),
    )
    request.end()
  })
}

const accesses = (itemId: string, userId?: string) => db.evidenceAccess.findMany({ where: { itemId, ...(userId ? { userId } : {}) }, orderBy: { at: 'asc' } })

beforeAll(async () => {
  s3 = await startTestS3({ buckets: ['evidence'] })
  BUCKET = s3.bucket('evidence')
  Object.assign(process.env, s3.env(BUCKET)) // before the first env(): the route's S3 client reads it
  storage = { s3: s3.client(BUCKET), bucket: BUCKET }
  useClock(clock)
  const app = await createApp(path.resolve(import.meta.dirname, 'fixtures/evidence-build.ts'))
  server = http.createServer({ highWaterMark: MB }, app)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  world = await disputeWorld(db, new TestClock(clock.now()))
  await escalate(serviceDeps(db, new TestClock(clock.now())), world.buyer, { caseId: world.case.id, reason: 'OTHER', description: '' })
  const agentUser = await makeAgent(db)
  secondAgent = { kind: 'AGENT', userId: agentUser.id, displayName: 'Agent 2' }
  files.png = await addFile(world.main, makeLargePng(300_000), '实拍图.png')
  files.pdf = await addFile(world.main, makePdf(), 'record.pdf')
  files.mp4 = await addFile(world.main, makeMp4(3 * MB + 123), 'unboxing.mp4')
  files.buyerPng = await addFile(world.buyer, makeLargePng(50_000), 'buyer.png')
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
  await s3.stop()
  await db.$disconnect()
  await disconnectDb()
})

describe('parseRange', () => {
  it.each([
    ['bytes=0-99', { start: 0, end: 99 }],
    ['bytes=100-', { start: 100, end: 999 }],
    ['bytes=-50', { start: 950, end: 999 }],
    ['bytes=-5000', { start: 0, end: 999 }],
    ['bytes=900-5000', { start: 900, end: 999 }],
    ['bytes=1000-', 'unsatisfiable'],
    ['bytes=-0', 'unsatisfiable'],
    ['bytes=5-1', null],
    ['bytes=0-1,5-6', null],
    ['items=0-1', null],
    ['bytes=-', null],
  ])('%s of 1000 bytes → %j', (header, expected) => {
    expect(parseRange(header, 1000)).toEqual(expected)
  })
})

describe('GET /evidence/:id streams through the portal', () => {
  it.each([
    ['png', 'image/png'],
    ['pdf', 'application/pdf'],
    ['mp4', 'video/mp4'],
  ] as const)('sends the %s byte for byte, inline, with the evidence headers', async (name, mime) => {
    const file = files[name]
    const answer = await get(`/evidence/${file.id}`, world.agent)
    expect(answer.status).toBe(200)
    expect(answer.complete).toBe(true)
    expect(sha(answer.body)).toBe(sha(file.bytes))
    expect(answer.headers).toMatchObject({
      'content-type': mime,
      'content-length': String(file.bytes.length),
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, no-store',
      'accept-ranges': 'bytes',
      'cross-origin-resource-policy': 'same-origin',
    })
    expect(answer.headers['content-disposition']).toMatch(/^inline; filename="/)
    const csp = String(answer.headers['content-security-policy'])
    expect(csp).toContain("default-src 'none'")
    expect(csp).not.toMatch(/script-src/)
    // Every preview is sandboxed, PDFs too: a viewer's bug must not run with the portal's cookies.
    expect(csp.startsWith('sandbox;')).toBe(true)
  })

  it('downloads as an opaque attachment with ?download, keeping the UTF-8 file name', async () => {
    const answer = await get(`/evidence/${files.png.id}?download`, world.agent)
    expect(answer.status).toBe(200)
    expect(sha(answer.body)).toBe(sha(files.png.bytes))
    expect(answer.headers['content-type']).toBe('application/octet-stream')
    expect(answer.headers['content-disposition']).toBe(`attachment; filename="___.png"; filename*=UTF-8''${encodeURIComponent('实拍图.png')}`)
  })

  it('lets the uploading party see its own file, and answers 404 to the other party and to another shop', async () => {
    expect((await get(`/evidence/${files.png.id}`, world.viewer)).status).toBe(200)
    expect((await get(`/evidence/${files.png.id}`, world.buyer)).status).toBe(404)
    expect((await get(`/evidence/${files.png.id}`, world.outsider)).status).toBe(404)
    expect((await get(`/evidence/${files.buyerPng.id}`, world.main)).status).toBe(404)
    expect((await get(`/evidence/${files.buyerPng.id}`, world.buyer)).status).toBe(200)
    expect((await get('/evidence/not-a-uuid', world.agent)).status).toBe(404)
    const anonymous = await get(`/evidence/${files.png.id}`, null)
    expect(anonymous.status).toBe(302)
    expect(anonymous.headers.location).toMatch(/^\/login\?redirectTo=/)
  })

  it('answers HEAD with the headers only, and records nothing', async () => {
    const before = (await accesses(files.pdf.id)).length
    const answer = await get(`/evidence/${files.pdf.id}`, world.agent, {}, 'HEAD')
    expect(answer.status).toBe(200)
    expect(answer.headers['content-length']).toBe(String(files.pdf.bytes.length))
    expect(answer.body.length).toBe(0)
    expect((await accesses(files.pdf.id)).length).toBe(before)
  })
})

describe('range requests', () => {
  it.each([
    ['bytes=0-99', 0, 99],
    ['bytes=1000-', 1000, null],
    ['bytes=-4096', -4096, null],
  ])('%s → 206 with exactly those bytes', async (range, from, to) => {
    const size = video().length
    const start = from < 0 ? size + from : from
    const end = to ?? size - 1
    const answer = await get(`/evidence/${files.mp4.id}`, world.agent, { Range: range })
    expect(answer.status).toBe(206)
    expect(answer.headers['content-range']).toBe(`bytes ${start}-${end}/${size}`)
    expect(answer.headers['content-length']).toBe(String(end - start + 1))
    expect(answer.headers['content-type']).toBe('video/mp4')
    expect(answer.body.equals(video().subarray(start, end + 1))).toBe(true)
  })

  it('answers 416 with the size for a range past the end', async () => {
    const answer = await get(`/evidence/${files.mp4.id}`, world.agent, { Range: `bytes=${video().length}-` })
    expect(answer.status).toBe(416)
    expect(answer.headers['content-range']).toBe(`bytes */${video().length}`)
    expect(answer.body.length).toBe(0)
  })

  it('sends the whole file for several ranges, and for an If-Range of another version', async () => {
    expect((await get(`/evidence/${files.mp4.id}`, world.agent, { Range: 'bytes=0-1,5-6' })).status).toBe(200)
    const stale = await get(`/evidence/${files.mp4.id}`, world.agent, { Range: 'bytes=0-1', 'If-Range': '"0000"' })
    expect(stale.status).toBe(200)
    expect(sha(stale.body)).toBe(sha(video()))
    const current = await get(`/evidence/${files.mp4.id}`, world.agent, { Range: 'bytes=0-1', 'If-Range': stale.headers.etag! })
    expect(current.status).toBe(206)
  })
})

describe('the access log', () => {
  it('records each view and download: who, which file, when, whole or range, bytes', async () => {
    const agent = secondAgent
    await get(`/evidence/${files.pdf.id}`, agent)
    await get(`/evidence/${files.pdf.id}?download`, agent)
    const rows = await accesses(files.pdf.id, agent.userId)
    expect(rows.map((r) => ({ kind: r.kind, range: r.range, bytes: Number(r.bytes), actorKind: r.actorKind, caseId: r.caseId }))).toEqual([
      { kind: 'VIEW', range: null, bytes: files.pdf.bytes.length, actorKind: 'AGENT', caseId: world.case.id },
      { kind: 'DOWNLOAD', range: null, bytes: files.pdf.bytes.length, actorKind: 'AGENT', caseId: world.case.id },
    ])
    expect(Math.abs(rows[0]!.at.getTime() - clock.now().getTime())).toBeLessThan(5_000)
  })

  it('records a video played with range requests once per viewer and minute', async () => {
    const viewer = world.cs
    for (const range of ['bytes=0-', 'bytes=65536-', 'bytes=2000000-', 'bytes=-1000']) {
      expect((await get(`/evidence/${files.mp4.id}`, viewer, { Range: range })).status).toBe(206)
    }
    let rows = await accesses(files.mp4.id, viewer.userId)
    expect(rows.map((r) => ({ kind: r.kind, range: r.range, bytes: Number(r.bytes) }))).toEqual([
      { kind: 'VIEW', range: `bytes=0-${video().length - 1}`, bytes: video().length },
    ])
    clock.advance(RANGE_RECORD_WINDOW_MS + 1)
    await get(`/evidence/${files.mp4.id}`, viewer, { Range: 'bytes=2000000-' })
    rows = await accesses(files.mp4.id, viewer.userId)
    expect(rows.map((r) => r.range)).toEqual([`bytes=0-${video().length - 1}`, `bytes=2000000-${video().length - 1}`])
  })

  it('never lets a tiny range hide a whole download from the record', async () => {
    const viewer = world.main
    await get(`/evidence/${files.mp4.id}`, viewer, { Range: 'bytes=0-0' })
    await get(`/evidence/${files.mp4.id}?download`, viewer, { Range: 'bytes=0-' })
    await get(`/evidence/${files.mp4.id}?download`, viewer, { Range: 'bytes=0-' })
    // (This viewer's short views earlier in the file fall in the same minute; the downloads count on their own.)
    const rows = await accesses(files.mp4.id, viewer.userId)
    expect(rows.filter((r) => r.kind === 'DOWNLOAD').map((r) => Number(r.bytes))).toEqual([video().length, video().length])
  })

  it('shows agents, and only agents, who opened each file on the case page', async () => {
    const view = await loadCaseView(db, world.agent, world.case.caseNo, clock.now(), defaultPolicy)
    const entries = view!.evidenceAccess!.entries
    expect(entries.length).toBeGreaterThan(0)
    expect(entries.every((e, i) => i === 0 || e.at <= entries[i - 1]!.at)).toBe(true) // newest first
    expect(entries.find((e) => e.itemId === files.pdf.id && e.kind === 'DOWNLOAD')).toMatchObject({
      item: { fileName: 'record.pdf' },
      user: { displayName: 'Agent' },
      actorKind: 'AGENT',
    })
    expect((await loadCaseView(db, world.main, world.case.caseNo, clock.now(), defaultPolicy))!.evidenceAccess).toBeNull()
    expect((await loadCaseView(db, world.buyer, world.case.caseNo, clock.now(), defaultPolicy))!.evidenceAccess).toBeNull()
  })
})

describe('a slow client', () => {
  it('holds the portal back: it reads S3 only as fast as the client takes the bytes', async () => {
    const big = await addFile(world.main, makeMp4(32 * MB), 'long.mp4')
    const serverResponses: http.ServerResponse[] = []
    const channel = dc.channel('http.server.request.start')
    const capture = (message: unknown) => serverResponses.push((message as { response: http.ServerResponse }).response)
    channel.subscribe(capture)
    try {
      const cookie = await cookieFor(world.agent)
      const request = http.get(`${base}/evidence/${big.id}`, { headers: { Cookie: cookie } })
      const [res] = (await once(request, 'response')) as [http.IncomingMessage]
      res.pause() // the browser is not reading
      await new Promise((resolve) => setTimeout(resolve, 1_500))
      const response = serverResponses.find((r) => r.req.url === `/evidence/${big.id}`)!
      // Without backpressure the portal would hold most of the 32 MB here.
      expect(response.writableLength).toBeLessThan(6 * MB)
      const hash = createHash('sha256')
      let received = 0
      res.on('data', (chunk: Buffer) => {
        hash.update(chunk)
        received += chunk.length
      })
      res.resume()
      await once(res, 'end')
      expect(received).toBe(big.bytes.length)
      expect(hash.digest('hex')).toBe(sha(big.bytes))
    } finally {
      channel.unsubscribe(capture)
    }
  })
})

describe('a tampered object', () => {
  const tamperAlerts = (itemId: string) => db.notification.findMany({ where: { dedupeKey: { startsWith: `evidence-tampered:${itemId}:` } } })

  it('is never delivered whole: the transfer is cut, and every agent is told once', async () => {
    // Over two 1 MB blocks: some bytes and the headers go out before the end (a smaller file's is cut before any).
    const file = await addFile(world.main, makeLargePng(3 * MB), 'swapped.png')
    const forged = Buffer.from(file.bytes)
    forged.fill(0x62, 100_000, 100_100) // same length, other bytes
    await storage.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: file.key, Body: forged, ContentLength: forged.length }))

    const lines: string[] = []
    const logged = vi.spyOn(process.stdout, 'write').mockImplementation((line) => lines.push(String(line)) > 0)
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        const answer = await get(`/evidence/${file.id}`, world.agent)
        expect(answer.status).toBe(200) // the headers had gone out
        expect(answer.complete).toBe(false)
        expect(answer.body.length).toBeLessThan(forged.length)
      }
    } finally {
      logged.mockRestore()
    }
    expect(lines.filter((line) => line.includes('"evidence.tampered"')).map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ level: 'error', itemId: file.id, problem: 'sha256', actualSha256: sha(forged), expectedSha256: sha(file.bytes) }),
      expect.objectContaining({ level: 'error', itemId: file.id, problem: 'sha256' }),
    ])
    // A whole-file range (a video player's first request) is checked the same way; other ranges cannot be.
    const whole = await get(`/evidence/${file.id}`, world.agent, { Range: 'bytes=0-' })
    expect([whole.status, whole.complete]).toEqual([206, false])
    const part = await get(`/evidence/${file.id}`, world.agent, { Range: 'bytes=0-99' })
    expect([part.status, part.complete, part.body.length]).toEqual([206, true, 100])
    const alerts = await tamperAlerts(file.id)
    expect(alerts.map((a) => a.userId).sort()).toEqual([world.agent.userId, secondAgent.userId].sort())
    expect(alerts.every((a) => a.category === 'SYSTEM' && a.messageKey === 'notice.evidenceTampered' && a.caseId === world.case.id)).toBe(true)
    expect(alerts[0]!.params).toEqual({ caseNo: world.case.caseNo, fileName: 'swapped.png' })
    // A party gets no such message; the access attempts are on the record.
    expect(await db.notification.count({ where: { userId: world.userIds.main, messageKey: 'notice.evidenceTampered' } })).toBe(0)
    // The two whole GETs and the whole-file range are each on the record; the short range in the same minute is not.
    expect((await accesses(file.id, world.agent.userId)).length).toBe(3)
  })

  it('that fits in one block is not sent at all', async () => {
    const file = await addFile(world.main, makeLargePng(200_000), 'small.png')
    const forged = Buffer.from(file.bytes)
    forged.fill(0x62, 150_000, 150_010)
    await storage.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: file.key, Body: forged, ContentLength: forged.length }))
    const logged = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    onTestFinished(() => logged.mockRestore())
    const answer = await get(`/evidence/${file.id}`, world.agent)
    expect([answer.status, answer.complete, answer.body.length]).toEqual([0, false, 0])
    expect((await tamperAlerts(file.id)).length).toBe(2)
  })

  it('of another length, or gone, is refused before any byte is sent', async () => {
    const logged = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    onTestFinished(() => logged.mockRestore())
    const file = await addFile(world.main, makeLargePng(100_000), 'shortened.png')
    await storage.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: file.key, Body: file.bytes.subarray(0, 90_000), ContentLength: 90_000 }))
    const answer = await get(`/evidence/${file.id}`, world.agent)
    expect(answer.status).toBe(502)
    expect(answer.headers['content-type']).toMatch(/^text\/plain/)
    expect((await tamperAlerts(file.id)).length).toBe(2)

    const gone = await addFile(world.main, makeLargePng(10_000), 'gone.png')
    await db.evidenceItem.update({ where: { id: gone.id }, data: { s3Key: `${gone.key}-missing` } })
    expect((await get(`/evidence/${gone.id}`, world.agent)).status).toBe(502)
    expect((await tamperAlerts(gone.id)).length).toBe(2)
  })
})

describe('EVIDENCE_DELIVERY=presigned', () => {
  it('still redirects to a presigned S3 URL (the old behaviour, for AWS) and records the access', async () => {
    const settings = env()
    settings.EVIDENCE_DELIVERY = 'presigned'
    try {
      const answer = await get(`/evidence/${files.png.id}?download`, world.refunder)
      expect(answer.status).toBe(302)
      expect(answer.headers['cache-control']).toBe('private, no-store')
      const location = new URL(answer.headers.location!)
      expect(location.origin).toBe(new URL(s3.endpoint).origin)
      expect(location.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/)
      expect(location.searchParams.get('response-content-disposition')).toMatch(/^attachment; /)
      const object = await fetch(location)
      expect(object.status).toBe(200)
      expect(sha(new Uint8Array(await object.arrayBuffer()))).toBe(sha(files.png.bytes))
      expect((await accesses(files.png.id, world.refunder.userId)).map((r) => ({ kind: r.kind, range: r.range, bytes: r.bytes }))).toEqual([
        { kind: 'DOWNLOAD', range: null, bytes: null },
      ])
    } finally {
      settings.EVIDENCE_DELIVERY = 'stream'
    }
  })
})
