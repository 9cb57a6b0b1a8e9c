// Agents own their disputes and their rulings bind (issue 17, items 1 and 3), through the real
// dispatcher and PostgreSQL: only the holder asks for evidence or rules; acting on an unassigned
// dispute claims it; a colleague must take it over first (logged, the previous holder told); under
// races the ruling is always the holder's; and after a ruling the order takes no new request.
import { afterAll, describe, expect, it } from 'vitest'
import type { AgentActor } from '~/domain/actor'
import { assignDispute, claimDispute, takeOverCaseDispute } from '~/services/assignment.server'
import { escalate, openRequest, recordRuling, requestEvidence } from './commands'
import { disputeWorld, makeAgent, serviceDeps, TestClock, testDb } from './support'

const db = testDb()
afterAll(() => db.$disconnect())

async function openDispute() {
  const clock = new TestClock()
  const deps = serviceDeps(db, clock)
  const world = await disputeWorld(db, clock)
  const dispute = await escalate(deps, world.buyer, { caseId: world.case.id, reason: 'OTHER', description: '商家拒绝不合理' })
  const user = await db.user.update({ where: { id: (await makeAgent(db)).id }, data: { displayName: 'Colleague' } })
  const colleague: AgentActor = { kind: 'AGENT', userId: user.id, displayName: 'Colleague' }
  return { clock, deps, world, dispute, agent: world.agent, colleague }
}

const holderOf = async (disputeId: string) => (await db.dispute.findUniqueOrThrow({ where: { id: disputeId } })).assignedAgentId
const ask = (input: { caseId: string }) => ({ caseId: input.caseId, party: 'MERCHANT' as const, instructions: '请提供发货凭证', checklist: [] })
const reject = (caseId: string) => ({ caseId, liableParty: 'BUYER' as const, outcome: 'REJECT_REQUEST' as const, refundAmountFen: null, rationale: '证据不足' })

describe('the agent holding a dispute', () => {
  it('claims an unassigned dispute by asking for evidence in it, logged', async () => {
    const { deps, world, dispute, agent } = await openDispute()
    await requestEvidence(deps, agent, ask({ caseId: world.case.id }))
    expect(await holderOf(dispute.id)).toBe(agent.userId)
    expect(await db.caseLog.count({ where: { caseId: world.case.id, action: 'dispute.claimed' } })).toBe(1)
  })

  it("refuses a colleague's request and ruling, changing nothing", async () => {
    const { deps, world, dispute, agent, colleague } = await openDispute()
    await claimDispute(deps, agent, dispute.id)
    const before = await db.afterSalesCase.findUniqueOrThrow({ where: { id: world.case.id } })
    await expect(requestEvidence(deps, colleague, ask({ caseId: world.case.id }))).rejects.toMatchObject({ code: 'HELD_BY_ANOTHER_AGENT', status: 409 })
    await expect(recordRuling(deps, colleague, reject(world.case.id))).rejects.toMatchObject({ code: 'HELD_BY_ANOTHER_AGENT' })
    const after = await db.afterSalesCase.findUniqueOrThrow({ where: { id: world.case.id } })
    expect(after).toMatchObject({ state: 'IN_DISPUTE', version: before.version })
    expect(await db.ruling.count({ where: { caseId: world.case.id } })).toBe(0)
    expect(await db.evidenceRequest.count({ where: { caseId: world.case.id } })).toBe(0)
  })

  it('lets a colleague take it over: logged, the previous holder told, and then only the new holder rules', async () => {
    const { deps, world, dispute, agent, colleague } = await openDispute()
    await claimDispute(deps, agent, dispute.id)
    expect(await takeOverCaseDispute(deps, colleague, world.case.id)).toEqual({ assigned: true })
    expect(await holderOf(dispute.id)).toBe(colleague.userId)
    expect(await db.caseLog.findFirst({ where: { caseId: world.case.id, action: 'dispute.assigned' }, select: { details: true } })).toEqual({
      details: { from: 'Agent', to: 'Colleague' },
    })
    const told = await db.notification.findMany({ where: { userId: agent.userId, messageKey: 'notice.disputeTakenOver' } })
    expect(told).toHaveLength(1)
    expect(told[0]!.params).toMatchObject({ caseNo: world.case.caseNo, by: 'Colleague', to: 'Colleague' })
    await expect(recordRuling(deps, agent, reject(world.case.id))).rejects.toMatchObject({ code: 'HELD_BY_ANOTHER_AGENT' })
    const ruling = await recordRuling(deps, colleague, reject(world.case.id))
    expect(ruling.agentId).toBe(colleague.userId)
    // Taking over one's own dispute is a no-op, and a ruled dispute cannot be taken.
    await expect(takeOverCaseDispute(deps, agent, world.case.id)).rejects.toMatchObject({ code: 'NOT_IN_DISPUTE' })
  })

  it('a hand-over by a third agent tells the previous holder who has it now', async () => {
    const { deps, world, dispute, agent, colleague } = await openDispute()
    await claimDispute(deps, agent, dispute.id)
    const lead: AgentActor = { kind: 'AGENT', userId: (await makeAgent(db)).id, displayName: 'Lead' }
    await assignDispute(deps, lead, dispute.id, colleague.userId)
    const told = await db.notification.findMany({ where: { userId: agent.userId }, select: { messageKey: true, params: true } })
    expect(told).toEqual([{ messageKey: 'notice.disputeReassigned', params: { caseNo: world.case.caseNo, by: 'Lead', to: 'Colleague' } }])
    expect(await db.notification.count({ where: { userId: colleague.userId, messageKey: 'notice.disputeAssigned' } })).toBe(1)
  })

  it('an agent ruling an unassigned dispute while a colleague claims it: the ruling, if any, is the holder’s', async () => {
    for (let i = 0; i < 6; i++) {
      const { deps, world, dispute, agent, colleague } = await openDispute()
      const [ruled, claimed] = await Promise.allSettled([recordRuling(deps, agent, reject(world.case.id)), claimDispute(deps, colleague, dispute.id)])
      const holder = await holderOf(dispute.id)
      const rulings = await db.ruling.findMany({ where: { caseId: world.case.id } })
      expect(rulings.length).toBeLessThanOrEqual(1)
      if (ruled.status === 'fulfilled') {
        expect(holder).toBe(agent.userId)
        expect(rulings[0]!.agentId).toBe(agent.userId)
        expect(claimed.status).toBe('rejected')
      } else {
        expect(ruled.reason).toMatchObject({ code: 'HELD_BY_ANOTHER_AGENT' })
        expect(holder).toBe(colleague.userId)
        expect(rulings).toHaveLength(0)
      }
    }
  })

  it('the holder ruling while a colleague takes it over: never a ruling by an agent who no longer holds it', async () => {
    for (let i = 0; i < 6; i++) {
      const { deps, world, dispute, agent, colleague } = await openDispute()
      await claimDispute(deps, agent, dispute.id)
      const [ruled, taken] = await Promise.allSettled([recordRuling(deps, agent, reject(world.case.id)), takeOverCaseDispute(deps, colleague, world.case.id)])
      const rulings = await db.ruling.findMany({ where: { caseId: world.case.id } })
      if (ruled.status === 'fulfilled') {
        expect(rulings.map((r) => r.agentId)).toEqual([agent.userId])
        expect(taken.status).toBe('rejected')
        expect(await holderOf(dispute.id)).toBe(agent.userId)
      } else {
        expect(ruled.reason).toMatchObject({ code: 'HELD_BY_ANOTHER_AGENT' })
        expect(taken.status).toBe('fulfilled')
        expect(rulings).toHaveLength(0)
      }
    }
  })
})

describe('a ruling binds', () => {
  it('refuses a new request on the order after the platform rejected one, and leaves the order as it was', async () => {
    const { deps, world, agent } = await openDispute()
    await recordRuling(deps, agent, reject(world.case.id))
    expect((await db.afterSalesCase.findUniqueOrThrow({ where: { id: world.case.id } })).state).toBe('CLOSED')
    const again = { orderNo: world.order.orderNo, type: 'REFUND_ONLY' as const, reason: 'QUALITY_ISSUE' as const, description: '同样的问题', amountFen: null, files: [] }
    await expect(openRequest(deps, world.buyer, again)).rejects.toMatchObject({ code: 'RULED_BY_PLATFORM' })
    expect(await db.afterSalesCase.count({ where: { orderId: world.order.id } })).toBe(1)
  })

  it('still takes a new request after a merchant’s own rejection that never reached the platform', async () => {
    const clock = new TestClock()
    const deps = serviceDeps(db, clock)
    const world = await disputeWorld(db, clock)
    const again = { orderNo: world.order.orderNo, type: 'REFUND_ONLY' as const, reason: 'QUALITY_ISSUE' as const, description: '再次申请', amountFen: null, files: [] }
    await openRequest(deps, world.buyer, again)
    expect(await db.afterSalesCase.count({ where: { orderId: world.order.id } })).toBe(2)
  })
})
