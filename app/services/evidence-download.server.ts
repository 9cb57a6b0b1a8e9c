// Evidence views and downloads. By default the bytes stream through the portal: S3 stays on a private
// address (the embedded one on loopback), the caller has been authorized by the route, nothing is
// buffered whole, and a file sent whole is checked against the SHA-256 recorded at upload as it
// passes (a mismatch stops the transfer and tells every agent). Each view or download is recorded.
// EVIDENCE_DELIVERY=presigned keeps the old redirect to S3 for deployments on AWS.
import { GetObjectCommand } from '@aws-sdk/client-s3'
import { createHash } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import type { Actor } from '~/domain/actor'
import type { Clock } from '~/infra/clock.server'
import type { Db } from '~/infra/db.server'
import type { Env } from '~/infra/env.server'
import { logger } from '~/infra/logger.server'
import { evidencePresentation, presignEvidence } from '~/infra/presign.server'
import type { Storage } from './evidence-upload.server'
import { allAgents } from './notify.server'

export type EvidenceFileRow = { id: string; caseId: string; s3Key: string; fileName: string; contentType: string; sizeBytes: bigint | number; sha256: string }
export type DeliveryDeps = { db: Db; clock: Clock; storage: Storage }

/** Range requests (a video seeking, a PDF viewer paging) are recorded once per file and user in this window. */
export const RANGE_RECORD_WINDOW_MS = 60_000

// No scripts, no plugins, nothing from elsewhere: an evidence file can show itself and nothing more.
const PREVIEW_CSP = "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"

export type ByteRange = { start: number; end: number }

/**
 * One `bytes=` range (RFC 9110 §14) of a file of `size` bytes, end inclusive. null: send the whole file
 * (no header, or one we may ignore: another unit, several ranges, a reversed range); 'unsatisfiable': 416.
 */
export function parseRange(header: string | null, size: number): ByteRange | 'unsatisfiable' | null {
  if (!header) return null
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!match || (match[1] === '' && match[2] === '')) return null
  const [, first = '', last = ''] = match
  if (first === '') {
    const suffix = Number(last)
    return suffix === 0 ? 'unsatisfiable' : { start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(first)
  if (last !== '' && Number(last) < start) return null
  if (start >= size) return 'unsatisfiable'
  return { start, end: last === '' ? size - 1 : Math.min(Number(last), size - 1) }
}

// ─── backpressure ─────────────────────────────────────────────────────────────
// Remix's Express adapter writes a body without waiting for 'drain' (writeReadableStreamToWritable
// ignores write()'s answer), so a slow client would make the portal read S3 ahead and hold the file
// in memory. The server hands the Node response over in the load context (server/index.ts), and the
// body reads S3 only as fast as that response drains.

// ─── integrity ────────────────────────────────────────────────────────────────

export class EvidenceIntegrityError extends Error {}

/** Once per file and agent (the dedupe keys), however often the file is fetched; the log has every time. */
export async function alertEvidenceTampered(db: Db, at: Date, item: EvidenceFileRow, details: Record<string, unknown>) {
  logger.error('evidence.tampered', { itemId: item.id, caseId: item.caseId, s3Key: item.s3Key, expectedSha256: item.sha256, ...details })
  try {
    const [agents, found] = await Promise.all([allAgents(db), db.afterSalesCase.findUnique({ where: { id: item.caseId }, select: { caseNo: true } })])
    await db.notification.createMany({
      data: agents.map((agent) => ({
        userId: agent.userId,
        category: 'SYSTEM' as const,
        messageKey: 'notice.evidenceTampered',
        params: { caseNo: found?.caseNo ?? '', fileName: item.fileName },
        caseId: item.caseId,
        dedupeKey: `evidence-tampered:${item.id}:${agent.userId}`,
        createdAt: at,
      })),
      skipDuplicates: true,
    })
  } catch (error) {
    logger.error('evidence.tampered: alerting agents failed', { itemId: item.id, error })
  }
}

/** What the body may hold ahead of the client, besides the socket's own buffer. */
const QUEUE_BYTES = 1024 * 1024
const BLOCK_BYTES = 1024 * 1024

/**
 * The S3 body as a web stream read only as fast as the client takes it: S3 is paused while the
 * queue is full or the client's socket has not drained. With `verify`, the last block is held back
 * until the whole file's SHA-256 matches: on a mismatch the client never gets a complete response
 * (the stream errors and the connection is cut), whatever the length.
 */
function evidenceBody(
  source: Readable,
  options: { response?: ServerResponse; signal: AbortSignal; verify?: { sha256: string; onMismatch: (actual: string) => Promise<void> } },
): ReadableStream<Uint8Array> {
  const hash = options.verify ? createHash('sha256') : undefined
  const response = options.response
  let held: Buffer | undefined
  // S3's 64 KB socket reads, joined into 1 MB blocks: fewer stream hops and writes to the client (~10% less CPU).
  let pending: Buffer[] = []
  let pendingBytes = 0
  const takeBlock = () => {
    const block = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes)
    pending = []
    pendingBytes = 0
    return block
  }
  let finished = false
  let waitingForDrain = false
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const finish = (then: () => void) => {
          if (finished) return
          finished = true
          options.signal.removeEventListener('abort', stop)
          then()
        }
        // A client that goes away (a video seeking cancels its request) ends the body quietly.
        const stop = () => finish(() => (source.destroy(), controller.close()))
        if (options.signal.aborted) return stop()
        options.signal.addEventListener('abort', stop, { once: true })
        const resume = () => {
          waitingForDrain = false
          if (!finished && (controller.desiredSize ?? 0) > 0) source.resume()
        }
        source.on('data', (chunk: Buffer) => {
          if (finished) return
          hash?.update(chunk)
          pending.push(chunk)
          pendingBytes += chunk.length
          if (pendingBytes < BLOCK_BYTES) return
          const next = takeBlock()
          if (!hash) controller.enqueue(next)
          else {
            if (held) controller.enqueue(held)
            held = next
          }
          if ((controller.desiredSize ?? 0) <= 0) source.pause()
          if (response?.writableNeedDrain && !waitingForDrain) {
            source.pause()
            waitingForDrain = true
            response.once('drain', resume)
          }
        })
        source.once('end', () => {
          const actual = hash?.digest('hex')
          if (options.verify && actual !== options.verify.sha256) {
            const mismatch = new EvidenceIntegrityError('evidence file does not match its recorded SHA-256')
            void options.verify.onMismatch(actual ?? '').finally(() => finish(() => controller.error(mismatch)))
            return
          }
          finish(() => {
            if (held) controller.enqueue(held)
            if (pendingBytes > 0) controller.enqueue(takeBlock())
            controller.close()
          })
        })
        source.on('error', (error) => {
          if (finished) return
          logger.warn('evidence stream from S3 failed', { error })
          finish(() => controller.error(error))
        })
      },
      pull() {
        if (!waitingForDrain && source.isPaused()) source.resume()
      },
      cancel() {
        finished = true
        source.destroy()
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: QUEUE_BYTES }),
  )
}

// ─── delivery ─────────────────────────────────────────────────────────────────

async function recordAccess(db: Db, actor: Actor, item: EvidenceFileRow, at: Date, kind: 'VIEW' | 'DOWNLOAD', range: string | null, bytes: number | null) {
  // A player's seeks are one view a minute; a response with the whole file is always recorded.
  const wholeFile = bytes !== null && bytes >= Number(item.sizeBytes)
  if (range && !wholeFile) {
    const since = new Date(at.getTime() - RANGE_RECORD_WINDOW_MS)
    const recent = await db.evidenceAccess.findFirst({ where: { itemId: item.id, userId: actor.userId, kind, at: { gt: since } }, select: { id: true } })
    if (recent) return
  }
  await db.evidenceAccess.create({
    data: { itemId: item.id, caseId: item.caseId, userId: actor.userId, actorKind: actor.kind, at, kind, range, bytes: bytes === null ? null : BigInt(bytes) },
  })
}

const plain = (status: number, text: string, headers: Record<string, string> = {}) =>
  new Response(text, {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'private, no-store', 'X-Content-Type-Options': 'nosniff', ...headers },
  })

/** S3's error name and HTTP status, as far as the SDK exposes them. */
const s3Status = (error: unknown) => (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode
const s3Name = (error: unknown) => (error as { name?: string }).name

/**
 * The response for an evidence file the route has authorized `actor` to see: streamed (200 or 206
 * with the evidence headers), or a presigned redirect. `download` forces an attachment.
 */
export async function deliverEvidence(
  deps: DeliveryDeps,
  actor: Actor,
  item: EvidenceFileRow,
  request: Request,
  options: { delivery: Env['EVIDENCE_DELIVERY']; download: boolean; nodeResponse?: ServerResponse },
): Promise<Response> {
  const { inline, contentType, disposition } = evidencePresentation(item, options.download)
  const kind = inline ? 'VIEW' : 'DOWNLOAD'
  const head = request.method === 'HEAD'
  if (options.delivery === 'presigned') {
    const url = await presignEvidence(deps.storage.s3, deps.storage.bucket, item, options.download)
    if (!head) await recordAccess(deps.db, actor, item, deps.clock.now(), kind, null, null)
    return new Response(null, { status: 302, headers: { Location: url, 'Cache-Control': 'private, no-store', 'Referrer-Policy': 'no-referrer' } })
  }

  const size = Number(item.sizeBytes)
  const etag = `"${item.sha256}"`
  const headers: Record<string, string> = {
    'Content-Type': contentType,
    'Content-Disposition': disposition,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'private, no-store',
    'Accept-Ranges': 'bytes',
    ETag: etag,
    // Browsers' PDF viewers may refuse a sandboxed document (Safari; Chrome before its out-of-process viewer): a PDF gets the rest.
    // Sandboxed for every type, PDFs too: a viewer's bug must not run with the portal's cookies.
    'Content-Security-Policy': `sandbox; ${PREVIEW_CSP}`,
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer',
  }
  // If-Range: a resumed download of another version of the file gets the whole file.
  const ifRange = request.headers.get('If-Range')
  const range = ifRange && ifRange !== etag ? null : parseRange(request.headers.get('Range'), size)
  if (range === 'unsatisfiable') return new Response(null, { status: 416, headers: { ...headers, 'Content-Range': `bytes */${size}`, 'Content-Length': '0' } })
  const { start, end } = range ?? { start: 0, end: size - 1 }
  const length = end - start + 1
  const responseHeaders = { ...headers, 'Content-Length': String(length), ...(range ? { 'Content-Range': `bytes ${start}-${end}/${size}` } : {}) }
  const status = range ? 206 : 200
  if (head) return new Response(null, { status, headers: responseHeaders })

  const now = deps.clock.now()
  let object
  try {
    object = await deps.storage.s3.send(
      new GetObjectCommand({ Bucket: deps.storage.bucket, Key: item.s3Key, ...(range ? { Range: `bytes=${start}-${end}` } : {}) }),
      { abortSignal: request.signal },
    )
  } catch (error) {
    if (s3Name(error) === 'NoSuchKey' || s3Status(error) === 416) {
      // Gone, or shorter than the file recorded: as much a tampering as changed bytes.
      await alertEvidenceTampered(deps.db, now, item, { problem: s3Name(error) === 'NoSuchKey' ? 'missing' : 'size', actorUserId: actor.userId })
      return plain(502, 'The evidence file failed its integrity check; the platform has been told.')
    }
    if (request.signal.aborted) return plain(499, 'Client closed the request')
    logger.error('evidence storage unavailable', { itemId: item.id, error })
    return plain(503, 'Evidence storage is unavailable; try again shortly.', { 'Retry-After': '10' })
  }
  const body = object.Body as Readable | undefined
  const total = range ? Number(/\/(\d+)$/.exec(object.ContentRange ?? '')?.[1] ?? -1) : object.ContentLength
  if (!body || object.ContentLength !== length || total !== size) {
    body?.destroy()
    await alertEvidenceTampered(deps.db, now, item, { problem: 'size', storedBytes: total, recordedBytes: size, actorUserId: actor.userId })
    return plain(502, 'The evidence file failed its integrity check; the platform has been told.')
  }

  const whole = start === 0 && end === size - 1
  try {
    await recordAccess(deps.db, actor, item, now, kind, range ? `bytes=${start}-${end}` : null, length)
  } catch (error) {
    body.destroy() // no unrecorded views: the file is not sent
    throw error
  }
  const onMismatch = (actual: string) =>
    alertEvidenceTampered(deps.db, deps.clock.now(), item, { problem: 'sha256', actualSha256: actual, actorUserId: actor.userId })
  const stream = evidenceBody(body, {
    response: options.nodeResponse,
    signal: request.signal,
    // Only a response of the whole file can be checked against the whole file's hash.
    verify: whole ? { sha256: item.sha256, onMismatch } : undefined,
  })
  return new Response(stream, { status, headers: responseHeaders })
}
