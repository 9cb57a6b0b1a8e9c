// Multipart forms with files, streamed: each file goes to `onFile` as it arrives (never buffered
// whole). The CSRF field must come before any file (our forms put it first), so no byte of a
// cross-site upload is stored.
import { unstable_parseMultipartFormData } from '@remix-run/node'
import { timingSafeEqual } from 'node:crypto'
import { cookies } from './cookies.server'
import { CSRF_FIELD } from './csrf.server'

const MAX_FIELD_BYTES = 64 * 1024

export type IncomingFile = { field: string; fileName: string; data: AsyncIterable<Uint8Array> }

async function readText(data: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of data) {
    size += chunk.byteLength
    if (size > MAX_FIELD_BYTES) throw new Response('Form field too large', { status: 413 })
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

const csrfFailure = () => new Response('CSRF token missing or invalid', { status: 403, statusText: 'csrf' })

export async function readMultipartForm(request: Request, onFile: (file: IncomingFile) => Promise<string>): Promise<FormData> {
  const cookieToken: unknown = await cookies().csrf.parse(request.headers.get('Cookie'))
  let csrfOk = false
  const form = await unstable_parseMultipartFormData(request, async ({ name, filename, data }) => {
    if (filename === undefined) {
      const value = await readText(data)
      if (name === CSRF_FIELD) {
        const a = Buffer.from(value)
        const b = Buffer.from(typeof cookieToken === 'string' ? cookieToken : '')
        csrfOk = a.length === b.length && a.length > 0 && timingSafeEqual(a, b)
      }
      return value
    }
    if (!csrfOk) throw csrfFailure()
    if (!filename) {
      for await (const _ of data) {
        // an empty file input: drain it
      }
      return undefined
    }
    return onFile({ field: name, fileName: filename, data })
  })
  if (!csrfOk) throw csrfFailure()
  return form
}
