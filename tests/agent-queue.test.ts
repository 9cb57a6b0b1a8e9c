import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AgentActor, BuyerActor } from '~/domain/actor'
import { defaultPolicy } from '~/domain/policy'
import { agentSla, listAgentQueue, type QueueQuery } from '~/models/agent-queue.server'
import { loadCaseView } from '~/models/case-view.server'
import { assignDispute, claimDispute } from '~/services/assignment.server'
import { ServiceError } from '~/services/errors.server'
import { makeAgent, makeBuyer, makeOrderAndCase, makeShop, TestClock, testDb } from './support'

const db = testDb()
afterAll(() => db.$disconnect())

const HOUR = 3600_000
const clock = new TestClock(new Date('2026-11-22T02:00:00Z')) // 10:00 in Beijing
const now = clock.now().getTime()
let me: AgentActor
let colleague: AgentActor
let buyer: BuyerActor
let shopId: string
const made: { disputeId: string; caseNo: string; orderNo: string; caseId: string }[] = []

async function dispute(opts: { openedHoursAgo: number; evidenceDueInHours?: number; assignedTo?: string | null }) {
  const { case: c } = await makeOrderAndCase(db, shopId, buyer.buyerId, { state: 'IN_DISPUTE' })
  const due = opts.evidenceDueInHours === undefined ? null : new Date(now + opts.evidenceDueInHours * HOUR)
  await db.afterSalesCase.update({ where: { id: c.id }, data: { nextDeadlineAt: due } })
  const d = await db.dispute.create({
    data: { caseId: c.id, shopId, openedByRole: 'BUYER', openedById: buyer.userId, reason: 'OTHER', openedAt: new Date(now - opts.openedHoursAgo * HOUR), assignedAgentId: opts.assignedTo ?? null },
  })
  if (due)
    await db.evidenceRequest.create({ data: { disputeId: d.id, caseId: c.id, party: 'MERCHANT', instructions: 'x', requestedById: me.userId, createdAt: new Date(now), dueAt: due } })
  made.push({ disputeId: d.id, caseNo: c.caseNo, orderNo: c.orderNo, caseId: c.id })
  return d.id
}

async function listAll(agent: AgentActor, query: Omit<QueueQuery, 'after'>) {
  const ids: string[] = []
  let after: string | null = null
  do {
    const page: Awaited<ReturnType<typeof listAgentQueue>> = await listAgentQueue(db, defaultPolicy, agent, { ...query, after })
    ids.push(...page.items.map((r) => r.id))
    after = page.nextCursor
  } while (after)
  return ids
}

beforeAll(async () => {
  const a = await makeAgent(db)
  const b = await makeAgent(db)
  me = { kind: 'AGENT', userId: a.id, displayName: a.displayName }
  colleague = { kind: 'AGENT', userId: b.id, displayName: '同事 Colleague' }
  await db.user.update({ where: { id: b.id }, data: { displayName: colleague.displayName } })
  const u = await makeBuyer(db, 'q')
  buyer = { kind: 'BUYER', userId: u.user.id, buyerId: u.buyer.id, displayName: 'q' }
  shopId = (await makeShop(db, 'Queue')).id
  // 22 unassigned disputes without evidence requests, opened 1..22 hours ago (breach = opened + 72 h)
  for (let i = 1; i <= 22; i++) await dispute({ openedHoursAgo: i })
  // mine: evidence due in 3 h (breaching soon), and one opened 80 h ago (past the 72 h target)
  await dispute({ openedHoursAgo: 2, evidenceDueInHours: 3, assignedTo: me.userId })
  await dispute({ openedHoursAgo: 80, assignedTo: me.userId })
  // the colleague's, evidence due in 30 h
  await dispute({ openedHoursAgo: 5, evidenceDueInHours: 30, assignedTo: colleague.userId })
})

describe('agent queue', () => {
  it('scopes to unassigned, mine or all and pages every open dispute exactly once', async () => {
    const all = await listAll(me, { scope: 'all', stage: 'any', sort: 'breach' })
    expect(all).toHaveLength(25)
    expect(new Set(all).size).toBe(25)
    expect(await listAll(me, { scope: 'unassigned', stage: 'any', sort: 'breach' })).toHaveLength(22)
    expect(await listAll(me, { scope: 'mine', stage: 'any', sort: 'breach' })).toEqual([made[23]!.disputeId, made[22]!.disputeId])
    expect(await listAll(me, { scope: 'all', stage: 'awaitingEvidence', sort: 'breach' })).toEqual([made[22]!.disputeId, made[24]!.disputeId])
    expect(await listAll(me, { scope: 'all', stage: 'readyToRule', sort: 'breach' })).toHaveLength(23)
  })

  it('sorts by nearest breach or by age', async () => {
    const page = await listAgentQueue(db, defaultPolicy, me, { scope: 'all', stage: 'any', sort: 'breach' })
    // overdue first (80 h old), the evidence due in 3 h, the one due in 30 h, then the 72 h targets oldest first
    expect(page.items.slice(0, 4).map((r) => r.id)).toEqual([made[23]!.disputeId, made[22]!.disputeId, made[24]!.disputeId, made[21]!.disputeId])
    const breaches = page.items.map((r) => r.breachAt.getTime())
    expect(breaches).toEqual([...breaches].sort((x, y) => x - y))
    // Every page, in order, is the whole queue sorted by (breach, id): the two-stream query is exact.
    const everything: { id: string; breach: number }[] = []
    let after: string | null = null
    do {
      const p: Awaited<ReturnType<typeof listAgentQueue>> = await listAgentQueue(db, defaultPolicy, me, { scope: 'all', stage: 'any', sort: 'breach', after })
      everything.push(...p.items.map((r) => ({ id: r.id, breach: r.breachAt.getTime() })))
      after = p.nextCursor
    } while (after)
    const expected = [...everything].sort((x, y) => x.breach - y.breach || (x.id < y.id ? -1 : 1))
    expect(everything).toEqual(expected)
    expect(everything).toHaveLength(25)
    const byAge = await listAll(me, { scope: 'all', stage: 'any', sort: 'age' })
    const opened = await db.dispute.findMany({ where: { id: { in: byAge } }, select: { id: true, openedAt: true } })
    const openedOf = new Map(opened.map((d) => [d.id, d.openedAt.getTime()]))
    expect(byAge.map((id) => openedOf.get(id))).toEqual([...openedOf.values()].sort((x, y) => x - y))
  })

  it('finds a dispute by case number or order number', async () => {
    const target = made[7]!
    for (const search of [target.caseNo, target.orderNo]) {
      const page = await listAgentQueue(db, defaultPolicy, me, { scope: 'all', stage: 'any', sort: 'breach', search })
      expect(page.items.map((r) => r.id)).toEqual([target.disputeId])
    }
    expect((await listAgentQueue(db, defaultPolicy, me, { scope: 'all', stage: 'any', sort: 'breach', search: 'AS-nope' })).items).toEqual([])
  })

  it('counts the agent’s service figures', async () => {
    const sla = await agentSla(db, defaultPolicy, me, clock.now())
    expect(sla).toMatchObject({ unassigned: 22, mineOpen: 2, mineBreachingSoon: 1, mineOverdue: 1, ruledToday: 0, medianHoursToRuling7d: null })
  })
})

describe('claim and assign', () => {
  it('lets exactly one of two agents claim a dispute; the other hears who has it', async () => {
    const id = made[0]!.disputeId
    const results = await Promise.allSettled([claimDispute({ db, clock }, me, id), claimDispute({ db, clock }, colleague, id)])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
    expect(refused.reason).toBeInstanceOf(ServiceError)
    expect(refused.reason.code).toBe('ALREADY_CLAIMED')
    const holder = (await db.dispute.findUniqueOrThrow({ where: { id } })).assignedAgentId
    expect(refused.reason.details.agent).toBe(holder === me.userId ? me.displayName : colleague.displayName)
    // the winner's double click changes nothing
    const winner = holder === me.userId ? me : colleague
    expect(await claimDispute({ db, clock }, winner, id)).toEqual({ claimed: false })
    expect(await db.caseLog.count({ where: { caseId: made[0]!.caseId, action: 'dispute.claimed' } })).toBe(1)
  })

  it('assigns to another agent with a log row and a message; never to a non-agent or after the ruling', async () => {
    const target = made[1]!
    await expect(assignDispute({ db, clock }, me, target.disputeId, buyer.userId)).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    expect(await assignDispute({ db, clock }, me, target.disputeId, colleague.userId)).toEqual({ assigned: true })
    expect((await db.dispute.findUniqueOrThrow({ where: { id: target.disputeId } })).assignedAgentId).toBe(colleague.userId)
    const message = await db.notification.findFirstOrThrow({ where: { userId: colleague.userId, caseId: target.caseId } })
    expect(message).toMatchObject({ category: 'DISPUTE', messageKey: 'notice.disputeAssigned' })
    const log = await db.caseLog.findFirstOrThrow({ where: { caseId: target.caseId, action: 'dispute.assigned' } })
    expect(log.details).toEqual({ from: null, to: colleague.displayName })

    // The buyer's case page does not show how agents share their work; the agent's does.
    const forBuyer = await loadCaseView(db, buyer, target.caseNo, clock.now(), defaultPolicy)
    expect(forBuyer!.log.map((l) => l.action)).not.toContain('dispute.assigned')
    const forAgent = await loadCaseView(db, me, target.caseNo, clock.now(), defaultPolicy)
    expect(forAgent!.log.map((l) => l.action)).toContain('dispute.assigned')

    await db.dispute.update({ where: { id: target.disputeId }, data: { status: 'RULED', ruledAt: clock.now() } })
    await expect(assignDispute({ db, clock }, me, target.disputeId, me.userId)).rejects.toMatchObject({ code: 'CONFLICT_ALREADY_RULED' })
    await expect(claimDispute({ db, clock }, me, target.disputeId)).rejects.toMatchObject({ code: 'CONFLICT_ALREADY_RULED' })
    await expect(claimDispute({ db, clock }, me, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    // Ids from a form that are not ids are refused before any query.
    await expect(claimDispute({ db, clock }, me, 'garbage')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(assignDispute({ db, clock }, me, made[2]!.disputeId, "1' OR '1'='1")).rejects.toMatchObject({ code: 'INVALID_INPUT' })
  })

  it('counts rulings of the Beijing day and the median time to ruling', async () => {
    const rule = async (d: (typeof made)[number], hoursAgo: number) => {
      const ruledAt = new Date(now - hoursAgo * HOUR)
      await db.dispute.update({ where: { id: d.disputeId }, data: { status: 'RULED', ruledAt, assignedAgentId: me.userId } })
      await db.ruling.create({
        data: { caseId: d.caseId, disputeId: d.disputeId, actorKind: 'AGENT', agentId: me.userId, liableParty: 'MERCHANT', outcome: 'FULL_REFUND', rationale: 'r', createdAt: ruledAt },
      })
    }
    // 10:00 Beijing now: 1 h ago is today, 11 h ago is yesterday (23:00)
    await rule(made[10]!, 1) // opened 11 h ago → 10 h to ruling
    await rule(made[11]!, 11) // opened 12 h ago → 1 h
    await rule(made[12]!, 0.5) // opened 13 h ago → 12.5 h
    const sla = await agentSla(db, defaultPolicy, me, clock.now())
    expect(sla.ruledToday).toBe(2)
    expect(sla.medianHoursToRuling7d).toBe(10)
  })
})
