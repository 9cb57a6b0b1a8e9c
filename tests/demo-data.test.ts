import { afterAll, describe, expect, it } from 'vitest'
import { defaultPolicy } from '~/domain/policy'
import { login } from '~/services/auth.server'
import { DEMO_LOGINS, DEMO_PASSWORD, seedDemoData } from '../prisma/demo-data'
import { TestClock, testDb } from './support'

const db = testDb()
afterAll(() => db.$disconnect())

describe('demo data', () => {
  const clock = new TestClock()

  it('seeds once', async () => {
    expect(await seedDemoData(db, clock.now())).toEqual({ seeded: true })
    expect(await seedDemoData(db, clock.now())).toEqual({ seeded: false })
    expect(await db.shop.count()).toBe(2)
  })

  it('has a case in every state and a dispute awaiting merchant evidence with about 13 hours left', async () => {
    const states = await db.afterSalesCase.groupBy({ by: ['state'], _count: true })
    expect(states.map((s) => s.state).sort()).toEqual(
      ['AWAITING_RECEIPT', 'AWAITING_RETURN', 'CLOSED', 'IN_DISPUTE', 'PENDING_MERCHANT', 'REFUNDED', 'REJECTED'].sort(),
    )
    const request = await db.evidenceRequest.findFirstOrThrow({ where: { status: 'OPEN', party: 'MERCHANT' } })
    const hoursLeft = (request.dueAt.getTime() - clock.now().getTime()) / 3600_000
    expect(hoursLeft).toBeGreaterThan(12)
    expect(hoursLeft).toBeLessThan(14)
    expect(request.dueAt.getTime() - request.createdAt.getTime()).toBe(defaultPolicy.dispute.merchantEvidenceMs)
  })

  it('lets every demo login in with the documented password', async () => {
    for (const email of Object.values(DEMO_LOGINS)) {
      const result = await login(db, { email, password: DEMO_PASSWORD }, clock.now())
      expect(result.ok, email).toBe(true)
    }
  })

  it('gives shop A all four member roles, the custom one with "agree to refund"', async () => {
    const members = await db.shopMember.findMany({ where: { user: { email: { endsWith: '@jade-tea.test' } } } })
    expect(members.map((m) => m.role).sort()).toEqual(['ADMIN', 'CS_ADMIN', 'CUSTOM', 'MAIN'])
    expect(members.find((m) => m.role === 'CUSTOM')?.permissions).toContain('AGREE_REFUND')
  })
})
