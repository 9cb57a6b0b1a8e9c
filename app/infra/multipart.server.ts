// Multipart forms with files, streamed with busboy (an order of magnitude faster than Remix's
// parser here): each file goes to `onFile` as it arrives and is never buffered whole. The CSRF
// field must come before any file (our forms put it first), so no byte of a cross-site upload is
// stored; fields sent before a file (a declared size and SHA-256) are handed to `onFile`.
import busboy from 'busboy'
import { timingSafeEqual } from 'node:crypto'
import { finished, Readable } from 'node:stream'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import { cookies } from './cookies.server'
import { hasControlChars } from './control-chars'
import { controlCharsInField, CSRF_FIELD } from './csrf.server'

const MAX_FIELD_BYTES = 64 * 1024
const MAX_FIELDS = 50
const MAX_FILES = 50
const FILE_CHUNK_BYTES = 1024 * 1024

export type IncomingFile = { field: string; fileName: string; data: AsyncIterable<Uint8Array>; fieldsBefore: FormData }

const csrfFailure = () => new Response('CSRF token missing or invalid', { status: 403, statusText: 'csrf' })
/** A body busboy cannot parse (a malformed part header, control characters in a file name). */
const malformed = () => new Response('Malformed multipart body: the form could not be read. Nothing was saved.', { status: 400, statusText: 'malformed' })

/**
 * After a refusal the rest of the body is read and dropped (up to this much) before answering:
 * a client still sending would otherwise see its connection reset instead of the answer.
 */
const MAX_DRAIN_BYTES = 256 * 1024 * 1024

/**
 * Reads what is left of a refused body without keeping it; past the cap the connection is cut.
 * A refusal decided after the body ended (a checksum known only at the end) finds nothing left:
 * `finished` answers at once for a stream that already ended, where waiting for 'end' never would.
 */
export function drain(source: Readable, capBytes = MAX_DRAIN_BYTES): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0
    const count = (chunk: Buffer) => {
      seen += chunk.length
      if (seen > capBytes) source.destroy()
    }
    const cleanup = finished(source, () => {
      cleanup()
      source.off('data', count)
      resolve()
    })
    source.on('data', count)
    source.resume()
  })
}

/**
 * Runs an upload route's action and answers once the request body has been read (and dropped, if
 * the action never read it): a refusal decided before the first byte (not the actor's case, no
 * permission, a closed request) would otherwise answer a client still sending, whose upload then
 * stalls on a socket nobody reads until the server's request timeout.
 */
export async function answerAfterBody<T>(request: Request, action: () => Promise<T>): Promise<T> {
  try {
    return await action()
  } finally {
    if (request.body && !request.body.locked) await drain(Readable.fromWeb(request.body as unknown as WebReadableStream<Uint8Array>))
  }
}

export async function readMultipartForm(request: Request, onFile: (file: IncomingFile) => Promise<string | undefined>): Promise<FormData> {
  const contentType = request.headers.get('Content-Type') ?? ''
  if (!request.body || !contentType.startsWith('multipart/form-data')) throw new Response('Expected a multipart form', { status: 400 })
  const cookieToken: unknown = await cookies().csrf.parse(request.headers.get('Cookie'))
  const expected = Buffer.from(typeof cookieToken === 'string' ? cookieToken : '')
  const form = new FormData()
  let csrfOk = false
  let parser: busboy.Busboy
  try {
    parser = busboy({
      headers: { 'content-type': contentType },
      // Browsers send file names as raw UTF-8 (实拍图.png); busboy would read them as Latin-1.
      defParamCharset: 'utf8',
      limits: { fieldSize: MAX_FIELD_BYTES, fields: MAX_FIELDS, files: MAX_FILES },
      // Larger file chunks: fewer hand-offs per megabyte on the way to S3.
      fileHwm: FILE_CHUNK_BYTES,
    })
  } catch {
    // No boundary in the Content-Type: nothing can be read of it (the body is still unread, so
    // answerAfterBody drains it before the answer).
    throw malformed()
  }
  const source = Readable.fromWeb(request.body as unknown as WebReadableStream<Uint8Array>)

  return new Promise<FormData>((resolve, reject) => {
    let failed = false
    // Files are handled one after another, in the order they arrive.
    let pending: Promise<void> = Promise.resolve()
    const fail = (error: unknown) => {
      if (failed) return
      failed = true
      source.unpipe(parser)
      parser.removeAllListeners('file')
      // A cross-site upload is cut at once; any other refusal is answered after the client has
      // finished sending, so it reads the answer instead of a reset.
      if (error instanceof Response && error.status === 403) {
        source.destroy()
        reject(error)
      } else void drain(source).then(() => reject(error))
    }
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) return fail(new Response('Form field too large', { status: 413 }))
      if (hasControlChars(name) || hasControlChars(value)) return fail(controlCharsInField())
      if (name === CSRF_FIELD) {
        const given = Buffer.from(value)
        csrfOk = given.length === expected.length && given.length > 0 && timingSafeEqual(given, expected)
      }
      form.append(name, value)
    })
    parser.on('file', (name, stream, info) => {
      if (!csrfOk) {
        stream.resume()
        return fail(csrfFailure())
      }
      if (!info.filename) {
        stream.resume() // an empty file input
        return
      }
      const fieldsBefore = new FormData()
      for (const [key, value] of form) fieldsBefore.append(key, value)
      pending = pending.then(async () => {
        if (failed) {
          stream.resume()
          return
        }
        const value = await onFile({ field: name, fileName: info.filename, data: stream, fieldsBefore })
        if (value !== undefined) form.append(name, value)
      })
      pending.catch(fail)
    })
    parser.on('filesLimit', () => fail(new Response('Too many files', { status: 413 })))
    parser.on('fieldsLimit', () => fail(new Response('Too many fields', { status: 413 })))
    parser.on('error', () => fail(malformed()))
    parser.on('close', () => {
      pending.then(() => {
        if (failed) return
        if (!csrfOk) return fail(csrfFailure())
        resolve(form)
      }, fail)
    })
    source.on('error', fail)
    source.pipe(parser)
  })
}
