// Logging in and out. Passwords are argon2id. Two brakes stand in front of the hash, both kept in
// PostgreSQL so that every app process sees the same numbers: a per-address throttle, and a per-account
// budget of attempts taken in one statement before a password is checked, so parallel guesses cannot
// outrun the lock.
import { hash, verify } from '@node-rs/argon2'
import { randomBytes } from 'node:crypto'
import { isIP } from 'node:net'
import type { Actor } from '~/domain/actor'
import { defaultPolicy, type Policy } from '~/domain/policy'
import type { Db } from '~/infra/db.server'
import { findActorBySessionToken, hashToken } from '~/models/actor.server'

// Argon2id (the library's default algorithm; a test checks the $argon2id$ prefix) with OWASP's parameters.
const ARGON2 = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const

export const hashPassword = (password: string) => hash(password, ARGON2)

export type VerifyPassword = (passwordHash: string, password: string) => Promise<boolean>

/** A stored hash the library cannot read counts as a wrong password. */
export const verifyPassword: VerifyPassword = (passwordHash, password) => verify(passwordHash, password).catch(() => false)

// Verified against when the email is unknown, so both paths cost the same time.
let dummyHash: Promise<string> | undefined

export type LoginResult =
  | { ok: true; token: string; actor: Actor }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'locked'; lockedUntil: Date }

type Security = Policy['security']
type Reserved = { id: string; passwordHash: string; lockedUntil: Date | null }

/**
 * Takes one attempt from the account's budget, in one statement, before any password is checked. No row
 * while the account is locked (or the email is unknown). Otherwise the attempt is counted, and the one that
 * uses up the budget sets the lock in the same statement: the row lock serialises parallel attempts, so at
 * most maxFailedLogins − attempts so far are ever checked. A lock that has run out starts the count again.
 */
async function reserveAttempt(db: Db, email: string, now: Date, security: Security): Promise<Reserved | null> {
  const lockedUntil = new Date(now.getTime() + security.lockoutMs)
  const rows = await db.$queryRaw<Reserved[]>`
    UPDATE "User" SET
      "failedLogins" = CASE WHEN "lockedUntil" IS NULL THEN "failedLogins" + 1 ELSE 1 END,
      "lockedUntil" = CASE WHEN (CASE WHEN "lockedUntil" IS NULL THEN "failedLogins" + 1 ELSE 1 END) >= ${security.maxFailedLogins}::int
        THEN ${lockedUntil}::timestamptz END
    WHERE "email" = ${email} AND ("lockedUntil" IS NULL OR "lockedUntil" <= ${now}::timestamptz)
    RETURNING "id", "passwordHash", "lockedUntil"`
  return rows[0] ?? null
}

export async function login(
  db: Db,
  input: { email: string; password: string; userAgent?: string | null; ip?: string | null },
  now: Date,
  security: Security = defaultPolicy.security,
  check: VerifyPassword = verifyPassword,
): Promise<LoginResult> {
  const email = input.email.trim().toLowerCase()
  let user: Reserved | null = null
  for (let tries = 0; tries < 3; tries++) {
    user = await reserveAttempt(db, email, now, security)
    if (user) break
    const current = await db.user.findUnique({ where: { email }, select: { lockedUntil: true } })
    if (current?.lockedUntil && current.lockedUntil > now) return { ok: false, reason: 'locked', lockedUntil: current.lockedUntil }
    if (!current) break
    // Refused, yet unlocked now: a right password lifted the lock in between. Take an attempt again.
  }
  if (!user) {
    dummyHash ??= hashPassword(randomBytes(16).toString('hex'))
    await check(await dummyHash, input.password)
    return { ok: false, reason: 'invalid' }
  }

  if (!(await check(user.passwordHash, input.password))) {
    // The attempt stays counted; the one that used up the budget reports the lock it set.
    return user.lockedUntil ? { ok: false, reason: 'locked', lockedUntil: user.lockedUntil } : { ok: false, reason: 'invalid' }
  }

  const token = randomBytes(32).toString('base64url')
  await db.$transaction([
    // A right password ends the count. It lifts the lock only if its own attempt set it (the last of the
    // budget): a lock set by another attempt while this one was being checked stays until it runs out.
    db.user.update({ where: { id: user.id }, data: user.lockedUntil ? { failedLogins: 0, lockedUntil: null } : { failedLogins: 0 } }),
    db.session.create({
      data: {
        tokenHash: hashToken(token),
        userId: user.id,
        createdAt: now,
        expiresAt: new Date(now.getTime() + security.sessionTtlMs),
        userAgent: input.userAgent?.slice(0, 500) ?? null,
        ip: input.ip ?? null,
      },
    }),
  ])
  const actor = await findActorBySessionToken(db, token, now)
  if (!actor) throw new Error(`User ${user.id} has no buyer, shop membership or agent role`)
  return { ok: true, token, actor }
}

/** Revokes one session; the row stays for the audit trail. */
export async function logout(db: Db, token: string, now: Date) {
  await db.session.updateMany({ where: { tokenHash: hashToken(token), revokedAt: null }, data: { revokedAt: now } })
}

/** Revokes every session of a user (password change, account compromise). */
export async function revokeAllSessions(db: Db, userId: string, now: Date) {
  await db.session.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: now } })
}

// ─── per-address throttle ─────────────────────────────────────────────────────

export type ThrottleResult = { ok: true } | { ok: false; retryAfterMs: number }

/**
 * Counts one login attempt from a client address in the current fixed window and refuses once the window's
 * allowance is used up, before any password is checked. One upsert, so parallel requests and every app
 * process count alike. An address that cannot be told apart (none, loopback) is not throttled: it would put
 * every client into one bucket, and one attacker could then keep everybody out.
 */
export async function throttleLogin(db: Db, ip: string | null | undefined, now: Date, security: Security = defaultPolicy.security): Promise<ThrottleResult> {
  const key = ip ? ipThrottleKey(ip) : null
  if (!key) return { ok: true }
  const windowMs = security.loginIpWindowMs
  const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs)
  const [row] = await db.$queryRaw<{ attempts: number }[]>`
    INSERT INTO "LoginThrottle" ("ip", "windowStart", "attempts") VALUES (${key}, ${windowStart}::timestamptz, 1)
    ON CONFLICT ("ip", "windowStart") DO UPDATE SET "attempts" = "LoginThrottle"."attempts" + 1
    RETURNING "attempts"`
  const attempts = row?.attempts ?? 1
  // Windows are aligned for everyone, so an address's first attempt in one may clear all past ones.
  if (attempts === 1) await db.$executeRaw`DELETE FROM "LoginThrottle" WHERE "windowStart" < ${windowStart}::timestamptz`
  if (attempts <= security.loginAttemptsPerIp) return { ok: true }
  return { ok: false, retryAfterMs: windowStart.getTime() + windowMs - now.getTime() }
}

/** The eight 16-bit groups of a valid IPv6 address (zone dropped, a dotted IPv4 tail folded in). */
function ipv6Groups(address: string): number[] {
  let text = address.split('%')[0]!.toLowerCase()
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text)
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number]
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head = '', tail] = text.split('::')
  const parts = (s: string) => (s ? s.split(':') : [])
  const left = parts(head)
  const right = tail === undefined ? [] : parts(tail)
  const fill = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0')
  return [...left, ...fill, ...right].map((group) => parseInt(group, 16))
}

/** A valid address as the throttle counts it, and whether it is this machine's own. */
function parseAddress(address: string): { key: string; loopback: boolean } | null {
  const version = isIP(address)
  if (version === 4) return { key: address, loopback: address.startsWith('127.') }
  if (version !== 6) return null
  const groups = ipv6Groups(address)
  const zeros = (from: number, to: number) => groups.slice(from, to).every((group) => group === 0)
  if (zeros(0, 5) && groups[5] === 0xffff) {
    const [high = 0, low = 0] = groups.slice(6)
    return parseAddress(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`)
  }
  // One subscriber gets a whole /64: counting single addresses would let them rotate freely.
  return { key: `${groups.slice(0, 4).map((group) => group.toString(16)).join(':')}::/64`, loopback: zeros(0, 7) && groups[7] === 1 }
}

const isLoopback = (address: string) => parseAddress(address)?.loopback === true

/**
 * What the throttle counts for a client address: IPv4 as is, IPv6 by its /64, an IPv4-mapped IPv6 address
 * as the IPv4 one. Null for loopback and for what is not an address.
 */
export function ipThrottleKey(address: string): string | null {
  const parsed = parseAddress(address.trim())
  return parsed && !parsed.loopback ? parsed.key : null
}

/**
 * The client's address. The server's own view wins when it hands one to the action (Express's req.ip,
 * which applies its trust-proxy setting). Without it, the same rule by hand: the server trusts only
 * loopback proxies (and listens on 127.0.0.1 by default), so the nearest X-Forwarded-For hop that is not
 * loopback is the one the local proxy appended; hops further left are whatever the client wrote.
 */
export function clientAddress(serverIp: unknown, forwardedFor: string | null): string | null {
  if (typeof serverIp === 'string' && isIP(serverIp)) return serverIp
  const hops = (forwardedFor ?? '').split(',').map((hop) => hop.trim()).filter(Boolean).reverse()
  for (const hop of hops) {
    if (!isIP(hop)) return null // not an address: trust nothing beyond it
    if (!isLoopback(hop)) return hop
  }
  return null
}
