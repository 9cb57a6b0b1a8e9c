import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultPolicy } from '~/domain/policy'
import { findActorBySessionToken, hashToken } from '~/models/actor.server'
import { login, logout, revokeAllSessions } from '~/services/auth.server'
import { makeBuyer, makeMember, makeShop, TEST_PASSWORD, TestClock, testDb } from './support'

const db = testDb()
afterAll(() => db.$disconnect())

describe('login', () => {
  let email: string
  let userId: string
  beforeAll(async () => {
    const { user } = await makeBuyer(db, 'Alice')
    email = user.email
    userId = user.id
  })

  it('stores passwords as argon2id', async () => {
    const user = await db.user.findUniqueOrThrow({ where: { id: userId } })
    expect(user.passwordHash.startsWith('$argon2id$')).toBe(true)
  })

  it('creates a session whose token is stored only as a hash', async () => {
    const clock = new TestClock()
    const result = await login(db, { email: email.toUpperCase(), password: TEST_PASSWORD }, clock.now())
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.actor.kind).toBe('BUYER')
    const sessions = await db.session.findMany({ where: { userId } })
    expect(sessions.some((s) => s.tokenHash === hashToken(result.token))).toBe(true)
    expect(sessions.some((s) => s.tokenHash === result.token)).toBe(false)
    expect(await findActorBySessionToken(db, result.token, clock.now())).toMatchObject({ kind: 'BUYER', userId })
  })

  it('treats an unknown email and a wrong password alike', async () => {
    const now = new TestClock().now()
    expect(await login(db, { email: 'nobody@test.local', password: 'x' }, now)).toEqual({ ok: false, reason: 'invalid' })
    expect(await login(db, { email, password: 'wrong' }, now)).toEqual({ ok: false, reason: 'invalid' })
    // a success resets the counter, so this test does not lock the account for the next one
    expect((await login(db, { email, password: TEST_PASSWORD }, now)).ok).toBe(true)
  })

  it('expires a session after its lifetime and honours logout', async () => {
    const clock = new TestClock()
    const result = await login(db, { email, password: TEST_PASSWORD }, clock.now())
    if (!result.ok) throw new Error('login failed')
    clock.advance(defaultPolicy.security.sessionTtlMs - 1000)
    expect(await findActorBySessionToken(db, result.token, clock.now())).not.toBeNull()
    clock.advance(2000)
    expect(await findActorBySessionToken(db, result.token, clock.now())).toBeNull()

    const second = await login(db, { email, password: TEST_PASSWORD }, clock.now())
    if (!second.ok) throw new Error('login failed')
    await logout(db, second.token, clock.now())
    expect(await findActorBySessionToken(db, second.token, clock.now())).toBeNull()
  })

  it('revokes every session of a user at once', async () => {
    const now = new TestClock().now()
    const a = await login(db, { email, password: TEST_PASSWORD }, now)
    const b = await login(db, { email, password: TEST_PASSWORD }, now)
    if (!a.ok || !b.ok) throw new Error('login failed')
    await revokeAllSessions(db, userId, now)
    expect(await findActorBySessionToken(db, a.token, now)).toBeNull()
    expect(await findActorBySessionToken(db, b.token, now)).toBeNull()
  })
})

describe('lockout', () => {
  it('locks after repeated failures, refuses even the right password, and unlocks later', async () => {
    const { user } = await makeBuyer(db, 'Bob')
    const clock = new TestClock()
    const { maxFailedLogins, lockoutMs } = defaultPolicy.security
    for (let i = 1; i < maxFailedLogins; i++) {
      expect(await login(db, { email: user.email, password: `wrong-${i}` }, clock.now())).toEqual({ ok: false, reason: 'invalid' })
    }
    const locked = await login(db, { email: user.email, password: 'wrong-last' }, clock.now())
    expect(locked).toMatchObject({ ok: false, reason: 'locked' })
    expect(await login(db, { email: user.email, password: TEST_PASSWORD }, clock.now())).toMatchObject({ ok: false, reason: 'locked' })
    clock.advance(lockoutMs - 1000)
    expect(await login(db, { email: user.email, password: TEST_PASSWORD }, clock.now())).toMatchObject({ reason: 'locked' })
    clock.advance(1001)
    expect((await login(db, { email: user.email, password: TEST_PASSWORD }, clock.now())).ok).toBe(true)
  })

  it('counts parallel guesses atomically', async () => {
    const { user } = await makeBuyer(db, 'Carol')
    const now = new TestClock().now()
    const attempts = Array.from({ length: defaultPolicy.security.maxFailedLogins * 2 }, (_, i) =>
      login(db, { email: user.email, password: `guess-${i}` }, now),
    )
    const results = await Promise.all(attempts)
    expect(results.some((r) => !r.ok && r.reason === 'locked')).toBe(true)
    expect(await login(db, { email: user.email, password: TEST_PASSWORD }, now)).toMatchObject({ reason: 'locked' })
  })
})

describe('actors', () => {
  it('loads a merchant member with its shop, role and grants', async () => {
    const shop = await makeShop(db)
    const { user } = await makeMember(db, shop.id, 'CUSTOM', ['AGREE_REFUND'])
    const result = await login(db, { email: user.email, password: TEST_PASSWORD }, new TestClock().now())
    expect(result.ok && result.actor).toMatchObject({ kind: 'MERCHANT', shopId: shop.id, role: 'CUSTOM', grantedPermissions: ['AGREE_REFUND'] })
  })
})
