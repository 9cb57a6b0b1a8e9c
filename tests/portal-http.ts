// The whole portal over real HTTP for tests: the real server (createApp) over the app's routes
// (fixtures/app-build), signed-in clients by session cookie, a CSRF token pair, and a client with a
// timeout, so a request the portal never answers fails the test instead of stalling the run.
import { randomBytes } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import type { Actor } from '~/domain/actor'
import { cookies } from '~/infra/cookies.server'
import type { Db } from '~/infra/db.server'
import { hashToken } from '~/models/actor.server'
import { createApp } from '../server/index'

export const APP_BUILD = path.resolve(import.meta.dirname, 'fixtures/app-build.ts')
const REQUEST_TIMEOUT_MS = 15_000

export async function servePortal(): Promise<{ base: string; close: () => Promise<void> }> {
  const server = http.createServer({ highWaterMark: 1024 * 1024 }, await createApp(APP_BUILD))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}

/** A session row and its signed cookie: signed in without the login form (and its throttle). */
export async function sessionCookie(db: Db, actor: Actor): Promise<string> {
  const token = randomBytes(32).toString('base64url')
  await db.session.create({ data: { tokenHash: hashToken(token), userId: actor.userId, expiresAt: new Date(Date.now() + 24 * 3600_000) } })
  return (await cookies().session.serialize(token)).split(';')[0]!
}

/** A CSRF cookie and the token a form of the page would carry. */
export async function csrfPair(): Promise<{ cookie: string; token: string }> {
  const token = randomBytes(32).toString('base64url')
  return { cookie: (await cookies().csrf.serialize(token)).split(';')[0]!, token }
}

/** 'timeout': no answer in time; 'cut': the connection broke before a whole answer came. */
export type Answer = { status: number | 'timeout' | 'cut'; statusText: string; body: string }

/** One request, redirects not followed. */
export async function send(base: string, target: string, init: RequestInit & { cookie?: string } = {}): Promise<Answer> {
  const { cookie, headers, ...rest } = init
  try {
    const response = await fetch(base + target, {
      ...rest,
      redirect: 'manual',
      headers: { ...(headers as Record<string, string>), ...(cookie ? { Cookie: cookie } : {}) },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      ...(rest.body instanceof ReadableStream ? { duplex: 'half' } : {}),
    } as RequestInit)
    return { status: response.status, statusText: response.statusText, body: await response.text() }
  } catch (error) {
    if (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError')) return { status: 'timeout', statusText: '', body: '' }
    if (error instanceof TypeError && error.message === 'fetch failed') return { status: 'cut', statusText: String((error.cause as Error | undefined)?.message), body: '' }
    throw error
  }
}
