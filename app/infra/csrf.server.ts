// CSRF protection for every mutating form: a signed double-submit token. The cookie holds a random
// token; each form carries the same token in a hidden field; `readForm` compares them. Together
// with SameSite=Lax cookies and the server's Origin check this stops cross-site posts.
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { readBoundedBytes } from './bounded-body.server'
import { hasControlChars } from './control-chars'
import { cookies } from './cookies.server'

export const CSRF_FIELD = 'csrf'

/** The token for this visitor, plus the Set-Cookie header when a new one was made. */
export async function csrfToken(request: Request): Promise<{ token: string; setCookie?: string }> {
  const existing: unknown = await cookies().csrf.parse(request.headers.get('Cookie'))
  if (typeof existing === 'string' && existing.length >= 32) return { token: existing }
  const token = randomBytes(32).toString('base64url')
  return { token, setCookie: await cookies().csrf.serialize(token) }
}

export class CsrfError extends Error {}

function sameToken(a: string, b: string) {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

const FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data'])

const refuse = (status: 400 | 413 | 415, statusText: string, body: string) => new Response(body, { status, statusText, headers: { 'Content-Type': 'text/plain; charset=utf-8' } })

/** A form field with control characters: refused for every form, read whole or streamed. */
export const controlCharsInField = () => refuse(400, 'Bad Request', 'A form field contains control characters.')

/**
 * Forms read whole carry text only (files stream through readMultipartForm): the longest is an
 * evidence explanation of 100,000 characters, percent-encoded. A larger body is never held in memory.
 */
const MAX_FORM_BYTES = 2 * 1024 * 1024

/**
 * The body as a form, or a 415/400 Response: a client's wrong body is its error, not the server's
 * (request.formData() throws a TypeError, which Remix answers with 500). Every field is text the
 * portal stores or queries, so control characters are refused here once for every form.
 */
async function formBody(request: Request): Promise<FormData> {
  const type = request.headers.get('Content-Type')?.split(';')[0]?.trim().toLowerCase() ?? ''
  if (!FORM_TYPES.has(type)) throw refuse(415, 'Unsupported Media Type', 'Send the form as application/x-www-form-urlencoded or multipart/form-data.')
  const body = await readBoundedBytes(request, MAX_FORM_BYTES)
  if (!body) throw refuse(413, 'Payload Too Large', 'The form is too large.')
  let form: FormData
  try {
    form = await new Response(new Uint8Array(body), { headers: { 'Content-Type': request.headers.get('Content-Type')! } }).formData()
  } catch {
    throw refuse(400, 'Bad Request', 'The form could not be read.')
  }
  for (const [name, value] of form) {
    if (hasControlChars(name) || (typeof value === 'string' && hasControlChars(value))) throw controlCharsInField()
  }
  return form
}

/** Reads a submitted form and checks its CSRF token. Actions read forms only through this. */
export async function readForm(request: Request): Promise<FormData> {
  const form = await formBody(request)
  const cookieToken: unknown = await cookies().csrf.parse(request.headers.get('Cookie'))
  const formToken = form.get(CSRF_FIELD)
  if (typeof cookieToken !== 'string' || typeof formToken !== 'string' || !sameToken(cookieToken, formToken)) {
    throw new Response('CSRF token missing or invalid', { status: 403, statusText: 'csrf' })
  }
  return form
}
