// The request's actor, and the guards every loader and action starts with.
import { redirect } from '@remix-run/node'
import type { Actor, AgentActor, BuyerActor, MerchantActor, ShopPermission } from '~/domain/actor'
import { merchantCan } from '~/domain/actor'
import { findSessionActor, type SessionActor } from '~/models/actor.server'
import { clock } from './clock.server'
import { cookies } from './cookies.server'
import { db } from './db.server'
import { oncePerRequest } from './request-key.server'

export async function sessionToken(request: Request): Promise<string | null> {
  const token: unknown = await cookies().session.parse(request.headers.get('Cookie'))
  return typeof token === 'string' ? token : null
}

// The loaders of one page view (root + route) share one lookup. An action may change what the
// lookup finds (a login, messages marked read), so it looks for itself and is not remembered: the
// loaders that run after it in the same request (each handed a GET copy) look once, afresh.
const lookUp = (request: Request) => sessionToken(request).then((token) => (token ? findSessionActor(db(), token, clock().now()) : null))
const lookUpOnce = oncePerRequest(lookUp)

function getSession(request: Request): Promise<SessionActor | null> {
  return request.method === 'GET' || request.method === 'HEAD' ? lookUpOnce(request) : lookUp(request)
}

export async function getActor(request: Request): Promise<Actor | null> {
  return (await getSession(request))?.actor ?? null
}

/** The signed-in user's unread messages, from the same lookup as the actor (0 when signed out). */
export async function getUnreadCount(request: Request): Promise<number> {
  return (await getSession(request))?.unread ?? 0
}

/** The signed-in merchant's shop name, from the same lookup (null for everyone else). */
export async function getShopName(request: Request): Promise<string | null> {
  return (await getSession(request))?.shopName ?? null
}

export async function requireActor(request: Request): Promise<Actor> {
  const actor = await getActor(request)
  if (actor) return actor
  const url = new URL(request.url)
  const back = url.pathname + url.search
  throw redirect(back && back !== '/' ? `/login?redirectTo=${encodeURIComponent(back)}` : '/login')
}

export const forbidden = () => new Response('Forbidden', { status: 403 })
/** For another party's resource: never reveal that it exists. */
export const notFound = () => new Response('Not found', { status: 404 })

export async function requireBuyer(request: Request): Promise<BuyerActor> {
  const actor = await requireActor(request)
  if (actor.kind !== 'BUYER') throw forbidden()
  return actor
}

export async function requireAgent(request: Request): Promise<AgentActor> {
  const actor = await requireActor(request)
  if (actor.kind !== 'AGENT') throw forbidden()
  return actor
}

export async function requireMerchant(request: Request, permission?: ShopPermission): Promise<MerchantActor> {
  const actor = await requireActor(request)
  if (actor.kind !== 'MERCHANT') throw forbidden()
  if (permission && !merchantCan(actor, permission)) throw forbidden()
  return actor
}
