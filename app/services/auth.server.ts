// Logging in and out. Passwords are argon2id. Each account has a budget of attempts, taken in one
// statement before a password is checked, so parallel guesses cannot outrun the lock.
import { hash, verify } from '@node-rs/argon2'
import { randomBytes } from 'node:crypto'
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
