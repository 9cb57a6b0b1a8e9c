// Logging in and out. Passwords are argon2id; repeated failures lock the account for a while.
import { hash, verify } from '@node-rs/argon2'
import { randomBytes } from 'node:crypto'
import type { Actor } from '~/domain/actor'
import { defaultPolicy } from '~/domain/policy'
import type { Db } from '~/infra/db.server'
import { findActorBySessionToken, hashToken } from '~/models/actor.server'

// Argon2id (the library's default algorithm; a test checks the $argon2id$ prefix) with OWASP's parameters.
const ARGON2 = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const

export const hashPassword = (password: string) => hash(password, ARGON2)

// Verified against when the email is unknown, so both paths cost the same time.
let dummyHash: Promise<string> | undefined

export type LoginResult =
  | { ok: true; token: string; actor: Actor }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'locked'; lockedUntil: Date }

export async function login(
  db: Db,
  input: { email: string; password: string; userAgent?: string | null; ip?: string | null },
  now: Date,
  security = defaultPolicy.security,
): Promise<LoginResult> {
  const email = input.email.trim().toLowerCase()
  const user = await db.user.findUnique({ where: { email }, select: { id: true, passwordHash: true, lockedUntil: true } })
  if (!user) {
    dummyHash ??= hashPassword(randomBytes(16).toString('hex'))
    await verify(await dummyHash, input.password).catch(() => false)
    return { ok: false, reason: 'invalid' }
  }
  if (user.lockedUntil && user.lockedUntil > now) return { ok: false, reason: 'locked', lockedUntil: user.lockedUntil }

  const valid = await verify(user.passwordHash, input.password).catch(() => false)
  if (!valid) {
    // Counted atomically so that parallel guesses cannot slip past the limit.
    const { failedLogins } = await db.user.update({
      where: { id: user.id },
      data: { failedLogins: { increment: 1 } },
      select: { failedLogins: true },
    })
    if (failedLogins >= security.maxFailedLogins) {
      const lockedUntil = new Date(now.getTime() + security.lockoutMs)
      await db.user.update({ where: { id: user.id }, data: { lockedUntil, failedLogins: 0 } })
      return { ok: false, reason: 'locked', lockedUntil }
    }
    return { ok: false, reason: 'invalid' }
  }

  const token = randomBytes(32).toString('base64url')
  await db.$transaction([
    db.user.update({ where: { id: user.id }, data: { failedLogins: 0, lockedUntil: null } }),
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
