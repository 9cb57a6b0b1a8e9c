// The e2e clock hook exists only when the test suite turns it on (TEST_HOOKS_ENABLED=true): without
// the flag, whatever NODE_ENV says, it is a 404 that moves nothing. The production build started
// without NODE_ENV is checked by e2e/test-hooks.spec.ts.
import { afterAll, describe, expect, it } from 'vitest'
import { clock } from '~/infra/clock.server'
import { disconnectDb } from '~/infra/db.server'
import { env } from '~/infra/env.server'
import { action, loader } from '~/routes/test-hooks.clock'

afterAll(() => disconnectDb())

const DAY = 24 * 3600_000
const post = (advanceMs: number) =>
  action({ request: new Request('http://portal.test/test-hooks/clock', { method: 'POST', body: JSON.stringify({ advanceMs }) }), params: {}, context: {} })
const statusOf = (run: () => unknown) =>
  Promise.resolve()
    .then(run)
    .then(
      (answer) => (answer as Response).status,
      (thrown: unknown) => (thrown instanceof Response ? thrown.status : Promise.reject(thrown)),
    )

describe('the test clock hook', () => {
  it('is not found without TEST_HOOKS_ENABLED, in development as in test, and the clock stays put', async () => {
    const settings = env()
    expect(settings.TEST_HOOKS_ENABLED).toBe(false)
    for (const mode of ['development', 'test'] as const) {
      settings.NODE_ENV = mode
      const before = Date.now()
      expect(await statusOf(() => post(DAY))).toBe(404)
      expect(clock().now().getTime() - before).toBeLessThan(DAY)
    }
    expect(await statusOf(() => loader())).toBe(404)
  })

  it('moves the clock where the suite turned it on', async () => {
    const settings = env()
    settings.NODE_ENV = 'test'
    settings.TEST_HOOKS_ENABLED = true
    try {
      const before = Date.now()
      const answer = (await post(DAY)) as Response
      expect(answer.status).toBe(200)
      const { now } = (await answer.json()) as { now: string }
      expect(Date.parse(now) - before).toBeGreaterThanOrEqual(DAY)
    } finally {
      settings.TEST_HOOKS_ENABLED = false
    }
  })
})
