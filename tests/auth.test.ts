import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultPolicy } from '~/domain/policy'
import { findActorBySessionToken, hashToken } from '~/models/actor.server'
import { login, logout, revokeAllSessions, verifyPassword, type VerifyPassword } from '~/services/auth.server'
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

/** A verifier that records every password it checks; `hold` keeps chosen checks waiting until released. */
function countingVerifier(hold: (password: string) => boolean = () => false) {
  const checked: string[] = []
  let release!: () => void
  const released = new Promise<void>((resolve) => (release = resolve))
  let started!: () => void
  const firstHeld = new Promise<void>((resolve) => (started = resolve))
  const check: VerifyPassword = async (passwordHash, password) => {
    checked.push(password)
    if (hold(password)) {
      started()
      await released
    }
    return verifyPassword(passwordHash, password)
  }
  return { checked, check, release, firstHeld }
}

describe('lockout under parallel attempts', () => {
  const security = defaultPolicy.security
  const { maxFailedLogins, lockoutMs } = security

  async function accountWithFailures(failures: number, clock: TestClock) {
    const { user } = await makeBuyer(db, 'Parallel')
    for (let i = 0; i < failures; i++) {
      expect(await login(db, { email: user.email, password: `wrong-${i}` }, clock.now())).toEqual({ ok: false, reason: 'invalid' })
    }
    return user
  }

  const state = (id: string) => db.user.findUniqueOrThrow({ where: { id }, select: { failedLogins: true, lockedUntil: true } })
  const sessions = (userId: string) => db.session.count({ where: { userId } })

  it('at 4 failures, 20 attempts at once (19 wrong, then the right one): only the last attempt left is checked, no session, locked', async () => {
    const clock = new TestClock()
    const user = await accountWithFailures(maxFailedLogins - 1, clock)
    // Every wrong check waits, so all 20 attempts are in flight together when the right one arrives.
    const verifier = countingVerifier((password) => password !== TEST_PASSWORD)
    const wrong = Array.from({ length: 19 }, (_, i) => login(db, { email: user.email, password: `guess-${i}` }, clock.now(), security, verifier.check))
    await verifier.firstHeld
    const right = await login(db, { email: user.email, password: TEST_PASSWORD }, clock.now(), security, verifier.check)
    verifier.release()
    const results = [...(await Promise.all(wrong)), right]

    const lockedUntil = new Date(clock.now().getTime() + lockoutMs)
    expect(right).toEqual({ ok: false, reason: 'locked', lockedUntil })
    expect(verifier.checked).toHaveLength(1)
    expect(verifier.checked[0]).toMatch(/^guess-/)
    // The checked guess used up the budget and reports the lock it set; the other 19 were refused unchecked.
    expect(results.every((r) => !r.ok && r.reason === 'locked')).toBe(true)
    expect(await sessions(user.id)).toBe(0)
    expect(await state(user.id)).toEqual({ failedLogins: maxFailedLogins, lockedUntil })
  })

  it('at 4 failures, 20 attempts in any order: exactly one is checked, and only that one can succeed', async () => {
    const clock = new TestClock()
    const user = await accountWithFailures(maxFailedLogins - 1, clock)
    const verifier = countingVerifier()
    const passwords = Array.from({ length: 20 }, (_, i) => (i === 7 ? TEST_PASSWORD : `guess-${i}`))
    const results = await Promise.all(passwords.map((password) => login(db, { email: user.email, password }, clock.now(), security, verifier.check)))

    expect(verifier.checked).toHaveLength(1)
    const locked = results.filter((r) => !r.ok && r.reason === 'locked')
    if (verifier.checked[0] === TEST_PASSWORD) {
      // The right password took the last attempt: a legitimate login, which lifts the lock it set.
      expect(results.filter((r) => r.ok)).toHaveLength(1)
      expect(locked).toHaveLength(19)
      expect(await sessions(user.id)).toBe(1)
      expect(await state(user.id)).toEqual({ failedLogins: 0, lockedUntil: null })
    } else {
      // A guess took it: every attempt, the right one included, ends locked.
      expect(locked).toHaveLength(20)
      expect(await sessions(user.id)).toBe(0)
      expect(await state(user.id)).toEqual({ failedLogins: maxFailedLogins, lockedUntil: new Date(clock.now().getTime() + lockoutMs) })
    }
  })

  it('20 wrong at once on a fresh account: exactly maxFailedLogins are checked, the rest refused, and the lock runs out on time', async () => {
    const clock = new TestClock()
    const user = await accountWithFailures(0, clock)
    const verifier = countingVerifier()
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => login(db, { email: user.email, password: `guess-${i}` }, clock.now(), security, verifier.check)),
    )
    expect(verifier.checked).toHaveLength(maxFailedLogins)
    expect(results.filter((r) => !r.ok && r.reason === 'invalid')).toHaveLength(maxFailedLogins - 1)
    expect(results.filter((r) => !r.ok && r.reason === 'locked')).toHaveLength(20 - (maxFailedLogins - 1))
    const lockedUntil = new Date(clock.now().getTime() + lockoutMs)
    // Setting the lock keeps the count: nothing slips through while it holds.
    expect(await state(user.id)).toEqual({ failedLogins: maxFailedLogins, lockedUntil })

    clock.advance(lockoutMs - 1)
    const early = await login(db, { email: user.email, password: TEST_PASSWORD }, clock.now(), security, verifier.check)
    expect(early).toEqual({ ok: false, reason: 'locked', lockedUntil })
    expect(verifier.checked).toHaveLength(maxFailedLogins)

    clock.advance(1)
    expect((await login(db, { email: user.email, password: TEST_PASSWORD }, clock.now(), security, verifier.check)).ok).toBe(true)
    expect(verifier.checked).toHaveLength(maxFailedLogins + 1)
    expect(await state(user.id)).toEqual({ failedLogins: 0, lockedUntil: null })
  })

  it('after a lock runs out the count starts again from one: a full budget of wrong guesses locks again', async () => {
    const clock = new TestClock()
    const user = await accountWithFailures(maxFailedLogins - 1, clock)
    expect(await login(db, { email: user.email, password: 'wrong-last' }, clock.now())).toMatchObject({ reason: 'locked' })
    clock.advance(lockoutMs)
    for (let i = 1; i < maxFailedLogins; i++) {
      expect(await login(db, { email: user.email, password: `again-${i}` }, clock.now())).toEqual({ ok: false, reason: 'invalid' })
      expect((await state(user.id)).failedLogins).toBe(i)
    }
    expect(await login(db, { email: user.email, password: 'again-last' }, clock.now())).toEqual({
      ok: false,
      reason: 'locked',
      lockedUntil: new Date(clock.now().getTime() + lockoutMs),
    })
  })

  it('honours the right password on the last attempt left, and then counts from zero', async () => {
    const clock = new TestClock()
    const user = await accountWithFailures(maxFailedLogins - 1, clock)
    expect((await login(db, { email: user.email, password: TEST_PASSWORD }, clock.now())).ok).toBe(true)
    expect(await state(user.id)).toEqual({ failedLogins: 0, lockedUntil: null })
  })

  it('a right password checked while another attempt set the lock logs in, but leaves that lock in force', async () => {
    const clock = new TestClock()
    const user = await accountWithFailures(maxFailedLogins - 2, clock)
    const verifier = countingVerifier((password) => password === TEST_PASSWORD)
    const right = login(db, { email: user.email, password: TEST_PASSWORD }, clock.now(), security, verifier.check)
    await verifier.firstHeld
    const lockedUntil = new Date(clock.now().getTime() + lockoutMs)
    const last = await login(db, { email: user.email, password: 'wrong-last' }, clock.now(), security, verifier.check)
    expect(last).toEqual({ ok: false, reason: 'locked', lockedUntil })
    verifier.release()
    expect((await right).ok).toBe(true)
    expect(await state(user.id)).toEqual({ failedLogins: 0, lockedUntil })
    expect(await login(db, { email: user.email, password: TEST_PASSWORD }, clock.now())).toEqual({ ok: false, reason: 'locked', lockedUntil })
  })

  it('refuses an unknown email like a wrong password, after a check of the same cost', async () => {
    const verifier = countingVerifier()
    expect(await login(db, { email: 'nobody-parallel@test.local', password: 'x' }, new TestClock().now(), security, verifier.check)).toEqual({
      ok: false,
      reason: 'invalid',
    })
    expect(verifier.checked).toEqual(['x'])
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
