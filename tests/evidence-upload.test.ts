import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultPolicy, withOverrides } from '~/domain/policy'
import { createS3Client } from '~/infra/storage.server'
import { attachDraftFile, escalate, requestEvidence } from './commands'
import { PART_SIZE, storeEvidenceStream, type Storage } from '~/services/evidence-upload.server'
import { S3RVER_CREDENTIALS, freePort, startS3 } from '../scripts/embedded-services'
import { startTestS3, type TestS3 } from './setup/s3'
import { chunked, HTML_PAGE, makeLargePng, makePdf, makePng } from './fixtures/files'
import { serviceDeps, disputeWorld, TestClock, testDb } from './support'

const db = testDb()
let s3: TestS3
let storage: Storage
/** The test S3's evidence bucket (s3rver's, or one made on TEST_S3_ENDPOINT). */
let BUCKET: string

beforeAll(async () => {
  s3 = await startTestS3({ buckets: ['evidence'] })
  BUCKET = s3.bucket('evidence')
  storage = { s3: s3.client(BUCKET), bucket: BUCKET }
})
afterAll(async () => {
  await s3.stop()
  await db.$disconnect()
})

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')
const listKeys = async (prefix: string) =>
  ((await storage.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))).Contents ?? []).map((o) => o.Key)
let n = 0
const prefix = () => `test/${Date.now().toString(36)}-${++n}`

describe('streaming evidence to S3', () => {
  it.each([
    ['a small PDF (one PUT)', makePdf(), 'record.pdf', 'application/pdf'],
    ['a 20 MB PNG (multipart)', makeLargePng(2 * PART_SIZE + 12345), 'photo.png', 'image/png'],
  ])('stores %s byte for byte, with its SHA-256 on the object', async (_name, bytes, fileName, mime) => {
    const stored = await storeEvidenceStream(storage, defaultPolicy, { keyPrefix: prefix(), fileName, body: chunked(bytes) })
    expect(stored).toMatchObject({ fileName, mime, sizeBytes: bytes.length, sha256: sha(bytes) })
    const object = await storage.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: stored.key }))
    const back = await object.Body!.transformToByteArray()
    expect(sha(back)).toBe(sha(bytes))
    const head = await storage.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: stored.key }))
    expect(head.Metadata?.sha256).toBe(sha(bytes))
    expect(head.ContentType).toBe(mime)
  })

  it('streams a file with a declared size and SHA-256 in one PUT, hash on the object', async () => {
    const bytes = makeLargePng(PART_SIZE * 2 + 7)
    const stored = await storeEvidenceStream(storage, defaultPolicy, {
      keyPrefix: prefix(),
      fileName: 'declared.png',
      body: chunked(bytes),
      declared: { sizeBytes: bytes.length, sha256: sha(bytes) },
    })
    expect(stored).toMatchObject({ sizeBytes: bytes.length, sha256: sha(bytes) })
    const head = await storage.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: stored.key }))
    expect(head.Metadata?.sha256).toBe(sha(bytes))
    const back = await (await storage.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: stored.key }))).Body!.transformToByteArray()
    expect(sha(back)).toBe(sha(bytes))
  })

  it.each([
    ['a wrong checksum', (b: Buffer) => ({ sizeBytes: b.length, sha256: sha(Buffer.from('other')) })],
    ['a declared size too small', (b: Buffer) => ({ sizeBytes: b.length - 1, sha256: sha(b) })],
    ['a declared size too large', (b: Buffer) => ({ sizeBytes: b.length + 1, sha256: sha(b) })],
  ])('refuses a file that does not match what was declared (%s) and keeps nothing', async (_name, declare) => {
    const bytes = makeLargePng(300_000)
    const keyPrefix = prefix()
    await expect(
      storeEvidenceStream(storage, defaultPolicy, { keyPrefix, fileName: 'x.png', body: chunked(bytes), declared: declare(bytes) }),
    ).rejects.toMatchObject({ code: 'FILE_CHANGED_IN_TRANSIT' })
    await expect.poll(() => listKeys(keyPrefix), { timeout: 5_000 }).toEqual([])
  })

  it.each([
    ['a PNG renamed .pdf', makePng(), 'invoice.pdf', 'NAME_CONTRADICTS_CONTENT'],
    ['an HTML file renamed .jpg', HTML_PAGE, 'photo.jpg', 'UNSUPPORTED_TYPE'],
    ['an empty file', Buffer.alloc(0), 'empty.png', 'FILE_EMPTY'],
  ])('refuses %s and keeps nothing', async (_name, bytes, fileName, code) => {
    const keyPrefix = prefix()
    await expect(storeEvidenceStream(storage, defaultPolicy, { keyPrefix, fileName, body: chunked(bytes) })).rejects.toMatchObject({ code })
    expect(await listKeys(keyPrefix)).toEqual([])
  })

  it('aborts an oversize file mid-stream and keeps nothing', async () => {
    const policy = withOverrides({ dispute: { maxImageOrPdfBytes: 3 * PART_SIZE } })
    const bytes = makeLargePng(6 * PART_SIZE)
    let sent = 0
    async function* body() {
      for await (const piece of chunked(bytes)) {
        sent += piece.byteLength
        yield piece
      }
    }
    const keyPrefix = prefix()
    await expect(storeEvidenceStream(storage, policy, { keyPrefix, fileName: 'huge.png', body: body() })).rejects.toMatchObject({ code: 'FILE_TOO_LARGE' })
    expect(sent).toBeLessThan(bytes.length) // stopped reading, not read to the end and then refused
    expect(await listKeys(keyPrefix)).toEqual([])
  })

  it('reports S3 going down during an upload clearly, and nothing is recorded', async () => {
    const port = await freePort()
    const doomedDir = mkdtempSync(path.join(os.tmpdir(), 'portal-doomed-'))
    // Always an s3rver of its own, even with TEST_S3_ENDPOINT: this one is stopped mid-upload.
    const doomed = await startS3({ directory: doomedDir, port, buckets: ['evidence'] })
    const doomedStorage = { s3: createS3Client({ endpoint: doomed.endpoint, region: 'us-east-1', bucket: 'evidence', forcePathStyle: true, ...S3RVER_CREDENTIALS }), bucket: 'evidence' }
    const bytes = makeLargePng(4 * PART_SIZE)
    async function* body() {
      let sent = 0
      for await (const piece of chunked(bytes)) {
        sent += piece.byteLength
        if (sent > PART_SIZE * 1.5 && sent - piece.byteLength <= PART_SIZE * 1.5) await doomed.stop()
        yield piece
      }
    }
    const clock = new TestClock()
    const deps = serviceDeps(db, clock)
    const world = await disputeWorld(db, clock)
    await escalate(deps, world.buyer, { caseId: world.case.id, reason: 'OTHER', description: '' })
    const request = await requestEvidence(deps, world.agent, { caseId: world.case.id, party: 'MERCHANT', instructions: 'x', checklist: [] })
    await expect(storeEvidenceStream(doomedStorage, defaultPolicy, { keyPrefix: prefix(), fileName: 'a.png', body: body() })).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' })
    expect(await db.evidenceItem.count({ where: { requestId: request.id } })).toBe(0)
    rmSync(doomedDir, { recursive: true, force: true })
  })

  it('refuses to record a file whose upload finished after the due time; the caller deletes the object', async () => {
    const clock = new TestClock()
    const deps = serviceDeps(db, clock)
    const world = await disputeWorld(db, clock)
    await escalate(deps, world.buyer, { caseId: world.case.id, reason: 'OTHER', description: '' })
    const request = await requestEvidence(deps, world.agent, { caseId: world.case.id, party: 'MERCHANT', instructions: 'x', checklist: [] })
    const stored = await storeEvidenceStream(storage, defaultPolicy, { keyPrefix: prefix(), fileName: 'late.png', body: chunked(makePng()) })
    clock.advance(defaultPolicy.dispute.merchantEvidenceMs) // the upload took until the deadline
    await expect(attachDraftFile(deps, world.main, request.id, stored)).rejects.toMatchObject({ code: 'EVIDENCE_WINDOW_CLOSED' })
    expect(await db.evidenceItem.count({ where: { requestId: request.id } })).toBe(0)
  })
})
