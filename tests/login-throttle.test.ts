// The per-address login throttle (counted in PostgreSQL, so every app process shares it) and the login
// route's answers: 429 with Retry-After for a throttled address and for a locked account.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultPolicy } from '~/domain/policy'
import { useClock } from '~/infra/clock.server'
import { cookies } from '~/infra/cookies.server'
import { disconnectDb } from '~/infra/db.server'
import { clientAddress, ipThrottleKey, throttleLogin } from '~/services/auth.server'
import { action } from '~/routes/login'
import { makeBuyer, TEST_PASSWORD, TestClock, testDb } from './support'

const db = testDb()
afterAll(async () => {
  await db.$disconnect()
  await disconnectDb()
})

const security = { ...defaultPolicy.security, loginAttemptsPerIp: 3 }
const windowMs = security.loginIpWindowMs

/** A clock a minute into a throttle window, so Retry-After is not simply the whole window. */
function clockInWindow() {
  const clock = new TestClock()
  clock.advance(windowMs - (clock.now().getTime() % windowMs) + 60_000)
  return clock
}

describe('per-address throttle', () => {
  it('refuses the attempt after the allowance with the time left in the window, leaves other addresses alone, and lets through after the window', async () => {
    const clock = clockInWindow()
    for (let i = 0; i < 3; i++) expect(await throttleLogin(db, '198.51.100.1', clock.now(), security)).toEqual({ ok: true })
    expect(await throttleLogin(db, '198.51.100.1', clock.now(), security)).toEqual({ ok: false, retryAfterMs: windowMs - 60_000 })
    expect(await throttleLogin(db, '198.51.100.2', clock.now(), security)).toEqual({ ok: true })

    clock.advance(windowMs - 60_000 - 1)
    expect(await throttleLogin(db, '198.51.100.1', clock.now(), security)).toEqual({ ok: false, retryAfterMs: 1 })
    clock.advance(1)
    expect(await throttleLogin(db, '198.51.100.1', clock.now(), security)).toEqual({ ok: true })
    // The new window's first attempt cleared the past ones.
    const windowStart = new Date(Math.floor(clock.now().getTime() / windowMs) * windowMs)
    expect(await db.loginThrottle.count({ where: { windowStart: { lt: windowStart } } })).toBe(0)
  })

  it('counts parallel attempts from several app processes exactly', async () => {
    const clock = clockInWindow()
    // Two clients with their own pools stand in for two app processes sharing the database.
    const other = testDb()
    try {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => throttleLogin(i % 2 ? db : other, '198.51.100.3', clock.now(), security)),
      )
      expect(results.filter((r) => r.ok)).toHaveLength(3)
      expect(await db.loginThrottle.findMany({ where: { ip: '198.51.100.3' }, select: { attempts: true } })).toEqual([{ attempts: 20 }])
    } finally {
      await other.$disconnect()
    }
  })

  it('counts an IPv6 client by its /64 and an IPv4-mapped address as IPv4; loopback and garbage are not counted', async () => {
    expect(ipThrottleKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64')
    expect(ipThrottleKey('2001:0db8:0001:0002:ffff:eeee:dddd:9')).toBe('2001:db8:1:2::/64')
    expect(ipThrottleKey('::ffff:198.51.100.4')).toBe('198.51.100.4')
    expect(ipThrottleKey('::ffff:c633:6404')).toBe('198.51.100.4')
    expect(ipThrottleKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64')
    for (const address of ['127.0.0.1', '127.8.9.1', '::1', '::ffff:127.0.0.1', '', 'unknown', '1.2.3.4:80']) expect(ipThrottleKey(address), address).toBeNull()

    const clock = clockInWindow()
    for (let i = 1; i <= 3; i++) expect(await throttleLogin(db, `2001:db8:9:9::${i}`, clock.now(), security)).toEqual({ ok: true })
    expect(await throttleLogin(db, '2001:db8:9:9:abcd::1', clock.now(), security)).toMatchObject({ ok: false })
    expect(await throttleLogin(db, '2001:db8:9:a::1', clock.now(), security)).toEqual({ ok: true })
    for (let i = 0; i < 5; i++) expect(await throttleLogin(db, '127.0.0.1', clock.now(), security)).toEqual({ ok: true })
  })

  it("takes the server's address, else the hop the loopback proxy appended, never what the client wrote in front of it", () => {
    expect(clientAddress('203.0.113.5', '198.51.100.9')).toBe('203.0.113.5')
    expect(clientAddress(undefined, '6.6.6.6, 198.51.100.9')).toBe('198.51.100.9')
    expect(clientAddress(undefined, '6.6.6.6, 198.51.100.9, 127.0.0.1')).toBe('198.51.100.9')
    expect(clientAddress(undefined, '6.6.6.6, not-an-address')).toBeNull()
    expect(clientAddress(undefined, null)).toBeNull()
    expect(clientAddress(42, '')).toBeNull()
  })
})

describe('login route', () => {
  const clock = clockInWindow()
  const CSRF = 'a-csrf-token-of-some-length-0123456789'
  let email: string
  let userId: string
  beforeAll(async () => {
    useClock(clock)
    const { user } = await makeBuyer(db, 'Route')
    email = user.email
    userId = user.id
  })

  async function post(fields: { email: string; password: string; redirectTo?: string }, clientIp?: string, headers: Record<string, string> = {}) {
    const cookie = (await cookies().csrf.serialize(CSRF)).split(';')[0]!
    const request = new Request('http://portal.test/login', {
      method: 'POST',
      body: new URLSearchParams({ csrf: CSRF, ...fields }),
      headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    })
    try {
      return await action({ request, params: {}, context: clientIp ? { clientIp } : {} })
    } catch (thrown) {
      if (thrown instanceof Response) return thrown // a redirect after a successful login
      throw thrown
    }
  }
  const statusOf = (result: Awaited<ReturnType<typeof post>>) => (result instanceof Response ? result.status : result.init?.status)
  const headerOf = (result: Awaited<ReturnType<typeof post>>, name: string) =>
    result instanceof Response ? result.headers.get(name) : new Headers(result.init?.headers).get(name)

  it.each([['/ok\r\nSet-Cookie: x=1'], ['/\\evil.example'], ['//evil.example'], ['https://evil.example/']])(
    'refuses the way back %j with a 400 before anything is written: no session',
    async (redirectTo) => {
      const result = await post({ email, password: TEST_PASSWORD, redirectTo } as never, '203.0.113.77')
      expect(statusOf(result)).toBe(400)
      expect(!(result instanceof Response) && result.data).toEqual({ error: 'badRedirect' })
      expect(await db.session.count({ where: { userId } })).toBe(0)
    },
  )

  it('answers 429 with Retry-After and a throttled error once an address has used its allowance', async () => {
    const { loginAttemptsPerIp } = defaultPolicy.security
    for (let i = 0; i < loginAttemptsPerIp; i++) expect(statusOf(await post({ email: 'nobody@test.local', password: 'x' }, '203.0.113.20'))).toBe(401)
    const refused = await post({ email, password: TEST_PASSWORD }, '203.0.113.20')
    expect(statusOf(refused)).toBe(429)
    expect(headerOf(refused, 'Retry-After')).toBe(String((windowMs - 60_000) / 1000))
    expect(!(refused instanceof Response) && refused.data).toEqual({ error: 'throttled', retryAfterMs: windowMs - 60_000 })
    // Refused before the password was checked: the account's count did not move, and no session was made.
    expect(await db.user.findUniqueOrThrow({ where: { id: userId }, select: { failedLogins: true } })).toEqual({ failedLogins: 0 })
    expect(await db.session.count({ where: { userId } })).toBe(0)

    // Another address logs in, and its session records the address.
    const other = await post({ email, password: TEST_PASSWORD }, '203.0.113.21')
    expect(statusOf(other)).toBe(302)
    expect(await db.session.findMany({ where: { userId }, select: { ip: true } })).toEqual([{ ip: '203.0.113.21' }])

    clock.advance(windowMs)
    expect(statusOf(await post({ email, password: TEST_PASSWORD }, '203.0.113.20'))).toBe(302)
  })

  it('does not let a client pick its bucket by writing X-Forwarded-For in front of the proxy', async () => {
    const { loginAttemptsPerIp } = defaultPolicy.security
    for (let i = 0; i < loginAttemptsPerIp; i++) {
      const spoofed = { 'X-Forwarded-For': `10.0.${i}.1, 203.0.113.30` }
      expect(statusOf(await post({ email: 'nobody@test.local', password: 'x' }, undefined, spoofed))).toBe(401)
    }
    expect(statusOf(await post({ email: 'nobody@test.local', password: 'x' }, undefined, { 'X-Forwarded-For': '10.9.9.9, 203.0.113.30' }))).toBe(429)
  })

  it('answers a locked account with 429, Retry-After until the lock runs out, and the locked error', async () => {
    const { user } = await makeBuyer(db, 'Locked')
    const ip = '203.0.113.40'
    for (let i = 1; i < defaultPolicy.security.maxFailedLogins; i++) expect(statusOf(await post({ email: user.email, password: `wrong-${i}` }, ip))).toBe(401)
    const locked = await post({ email: user.email, password: 'wrong-last' }, ip)
    const lockedUntil = new Date(clock.now().getTime() + defaultPolicy.security.lockoutMs)
    expect(statusOf(locked)).toBe(429)
    expect(headerOf(locked, 'Retry-After')).toBe(String(defaultPolicy.security.lockoutMs / 1000))
    expect(!(locked instanceof Response) && locked.data).toEqual({ error: 'locked', lockedUntil: lockedUntil.toISOString() })
  })
})
