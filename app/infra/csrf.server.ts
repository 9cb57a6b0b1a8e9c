// CSRF protection for every mutating form: a signed double-submit token. The cookie holds a random
// token; each form carries the same token in a hidden field; `readForm` compares them. Together
// with SameSite=Lax cookies and the server's Origin check this stops cross-site posts.
import { randomBytes, timingSafeEqual } from 'node:crypto'
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

/** Reads a submitted form and checks its CSRF token. Actions read forms only through this. */
export async function readForm(request: Request): Promise<FormData> {
  const form = await request.formData()
  const cookieToken: unknown = await cookies().csrf.parse(request.headers.get('Cookie'))
  const formToken = form.get(CSRF_FIELD)
  if (typeof cookieToken !== 'string' || typeof formToken !== 'string' || !sameToken(cookieToken, formToken)) {
    throw new Response('CSRF token missing or invalid', { status: 403, statusText: 'csrf' })
  }
  return form
}
