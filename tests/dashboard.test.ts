import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MIN_CASES_FOR_DISPUTE_RATE } from '~/domain/dashboard'
import { loadDashboard } from '~/models/dashboard.server'
import { makeAgent, makeBuyer, makeOrderAndCase, makeShop, testDb } from './support'

const db = testDb()
afterAll(() => db.$disconnect())

const HOUR = 3600_000
// 10:00 Beijing on 2026-11-22
const now = new Date('2026-11-22T02:00:00Z')
const beijing = (day: string, hour: number) => new Date(Date.parse(`${day}T00:00:00+08:00`) + hour * HOUR)
let busy: { id: string; name: string }
let calm: { id: string; name: string }

beforeAll(async () => {
  const agent = await makeAgent(db)
  const b = await makeBuyer(db, 'd')
  busy = await makeShop(db, 'Busy')
  calm = await makeShop(db, 'Calm')
  const tiny = await makeShop(db, 'Tiny') // too few cases to be ranked
  const cases = async (shopId: string, n: number) => {
    const made = []
    for (let i = 0; i < n; i++) made.push((await makeOrderAndCase(db, shopId, b.buyer.id, { createdAt: beijing('2026-11-19', 9) })).case)
    return made
  }
  const busyCases = await cases(busy.id, MIN_CASES_FOR_DISPUTE_RATE)
  const calmCases = await cases(calm.id, 2 * MIN_CASES_FOR_DISPUTE_RATE)
  const tinyCases = await cases(tiny.id, 2)
  const dispute = async (caseId: string, openedAt: Date, ruling?: { after: number; system?: boolean }) => {
    const { shopId } = await db.afterSalesCase.findUniqueOrThrow({ where: { id: caseId }, select: { shopId: true } })
    const d = await db.dispute.create({
      data: { caseId, shopId, openedByRole: 'BUYER', openedById: b.user.id, reason: 'OTHER', openedAt, ...(ruling ? { status: 'RULED', ruledAt: new Date(openedAt.getTime() + ruling.after * HOUR) } : {}) },
    })
    if (ruling)
      await db.ruling.create({
        data: {
          caseId, disputeId: d.id, actorKind: ruling.system ? 'SYSTEM' : 'AGENT', agentId: ruling.system ? null : agent.id,
          ruleId: ruling.system ? 'dispute.merchant-evidence-timeout' : null, liableParty: 'MERCHANT', outcome: 'FULL_REFUND', rationale: 'r',
          createdAt: new Date(openedAt.getTime() + ruling.after * HOUR),
        },
      })
  }
  // Busy: 4 disputes of 20 cases (20%); Calm: 2 of 40 (5%); Tiny: 2 of 2, not ranked.
  // 2026-11-20 23:30 Beijing is 15:30 UTC: it counts on the 20th, not the 21st.
  await dispute(busyCases[0]!.id, beijing('2026-11-20', 23.5), { after: 3 }) // ruled 21st 02:30 → under 6 h
  await dispute(busyCases[1]!.id, beijing('2026-11-21', 8), { after: 24, system: true }) // ruled 22nd 08:00 → 24–48 h, timeout
  await dispute(busyCases[2]!.id, beijing('2026-11-19', 20), { after: 50 }) // ruled 21st 22:00 → 48–72 h
  await dispute(busyCases[3]!.id, beijing('2026-11-22', 1))
  await dispute(calmCases[0]!.id, beijing('2026-11-21', 0), { after: 8 }) // ruled 21st 08:00 → 6–12 h
  await dispute(calmCases[1]!.id, beijing('2026-10-01', 0), { after: 1 }) // outside a 7-day window
  await dispute(tinyCases[0]!.id, beijing('2026-11-21', 0))
  await dispute(tinyCases[1]!.id, beijing('2026-11-21', 1))
})

describe('dispute dashboard', () => {
  it('counts escalations and rulings per Beijing day, gap-filled, and the timeout share', async () => {
    const d = await loadDashboard(db, now, 7)
    expect(d.days).toEqual(['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20', '2026-11-21', '2026-11-22'])
    expect(d.openedPerDay).toEqual([0, 0, 0, 1, 1, 4, 1])
    expect(d.ruledPerDay).toEqual([0, 0, 0, 0, 0, 3, 1])
    expect(d.timeoutSharePerDay).toEqual([null, null, null, null, null, 0, 1])
    expect(d.timeoutShare).toBe(0.25)
  })

  it('buckets the time to ruling and reports median and p90', async () => {
    const d = await loadDashboard(db, now, 7)
    // 3 h, 8 h, 24 h, 50 h
    expect(d.timeToRuling.buckets).toEqual([1, 1, 0, 1, 1, 0])
    expect(d.timeToRuling.medianHours).toBeCloseTo(16)
    expect(d.timeToRuling.p90Hours).toBeCloseTo(42.2)
  })

  it('ranks shops by disputes per case, leaving out shops with too few cases', async () => {
    const d = await loadDashboard(db, now, 30)
    expect(d.shopsByDisputeRate.map((s) => [s.name, s.disputes, s.cases])).toEqual([
      [busy.name, 4, MIN_CASES_FOR_DISPUTE_RATE],
      [calm.name, 1, 2 * MIN_CASES_FOR_DISPUTE_RATE],
    ])
    expect(d.shopsByDisputeRate[0]!.rate).toBeCloseTo(0.2)
    // 90 days reach back to 2026-10-01: Calm's older dispute counts
    expect((await loadDashboard(db, now, 90)).shopsByDisputeRate[1]!.disputes).toBe(2)
  })
})
