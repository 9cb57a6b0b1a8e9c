// Every cookie the portal sets, in one place.
import { createCookie } from '@remix-run/node'
import { defaultPolicy } from '~/domain/policy'
import { env } from './env.server'

const globalStore = globalThis as unknown as {
  __cookies?: ReturnType<typeof makeCookies>
}

function makeCookies() {
  const secure = env().NODE_ENV === 'production'
  const secrets = [env().SESSION_SECRET]
  return {
    /** Signed, HttpOnly; carries the session token whose hash is the Session row's key. */
    session: createCookie('__session', {
      httpOnly: true,
      sameSite: 'lax',
      secure,
      path: '/',
      secrets,
      maxAge: Math.floor(defaultPolicy.security.sessionTtlMs / 1000),
    }),
    /** Signed double-submit token; forms echo it in a hidden field. */
    csrf: createCookie('__csrf', { httpOnly: true, sameSite: 'lax', secure, path: '/', secrets }),
    /** The chosen language; not a secret. */
    locale: createCookie('lang', { sameSite: 'lax', secure, path: '/', maxAge: 365 * 24 * 3600 }),
  }
}

export function cookies() {
  globalStore.__cookies ??= makeCookies()
  return globalStore.__cookies
}
