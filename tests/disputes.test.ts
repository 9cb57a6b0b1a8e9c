import { afterAll, describe, expect, it } from 'vitest'
import { RULE_IDS } from '~/domain/case-machine'
import { defaultPolicy, withOverrides } from '~/domain/policy'
import { sweepDeadlines } from '~/services/deadlines.server'
import type { StoredFile } from '~/services/evidence-intake.server'
import { attachDraftFile, escalate, recordRuling, removeDraftFile, requestEvidence, submitEvidence } from './commands'
import { startTestGateway } from './gateway'
import { serviceDeps, disputeWorld, TestClock, testDb } from './support'

const db = testDb()
afterAll(() => db.$disconnect())

const SECOND = 1000
const HOUR = 3600 * SECOND
const fakeFile = (name = 'photo.png'): StoredFile => ({
  key: `test/${Math.random().toString(36).slice(2)}`,
  fileName: name,
  sizeBytes: 1234,
  mime: 'image/png',
  sha256: 'a'.repeat(64),
})

async function escalated() {
  const clock = new TestClock()
  const deps = serviceDeps(db, clock)
  const world = await disputeWorld(db, clock)
  await escalate(deps, world.buyer, { caseId: world.case.id, reason: 'MERCHANT_REJECTED_UNFAIRLY', description: '发霉了' })
  return { clock, deps, world }
}

async function merchantRequest() {
  const setup = await escalated()
  const request = await requestEvidence(setup.deps, setup.world.agent, {
    caseId: setup.world.case.id,
    party: 'MERCHANT',
    instructions: '请提供发货前照片',
    checklist: ['照片', '仓储记录'],
  })
  return { ...setup, request }
}

const notificationsFor = (userId: string, messageKey: string) => db.notification.count({ where: { userId, messageKey } })
// Tests share one database: assert on this test's own rows, never on sweep totals.
const reminderEmails = async (requestId: string) => {
  const { caseId } = await db.evidenceRequest.findUniqueOrThrow({ where: { id: requestId }, select: { caseId: true } })
  return db.emailOutbox.findMany({ where: { dedupeKey: { startsWith: `evidenceReminderMerchant:${caseId}:` } } })
}
const requestStatus = async (requestId: string) => (await db.evidenceRequest.findUniqueOrThrow({ where: { id: requestId } })).status

describe('escalation', () => {
  it('puts the case under intervention, logs it and tells both parties', async () => {
    const { world } = await escalated()
    const after = await db.afterSalesCase.findUniqueOrThrow({ where: { id: world.case.id } })
    expect(after.state).toBe('IN_DISPUTE')
    expect(await db.dispute.count({ where: { caseId: world.case.id, status: 'OPEN' } })).toBe(1)
    expect(await db.caseLog.findFirst({ where: { caseId: world.case.id, action: 'dispute.escalated' } })).toMatchObject({
      actorKind: 'BUYER',
      fromState: 'REJECTED',
      toState: 'IN_DISPUTE',
    })
    for (const userId of [world.userIds.buyer, world.userIds.main, world.userIds.cs, world.userIds.refunder]) {
      expect(await notificationsFor(userId, 'notice.disputeOpened'), userId).toBe(1)
    }
    // a sub-account without "agree to refund" is not told
    expect(await notificationsFor(world.userIds.viewer, 'notice.disputeOpened')).toBe(0)
  })

  it('refuses a second escalation, also from a double click', async () => {
    const clock = new TestClock()
    const deps = serviceDeps(db, clock)
    const world = await disputeWorld(db, clock)
    const input = { caseId: world.case.id, reason: 'OTHER' as const, description: '' }
    const results = await Promise.allSettled([escalate(deps, world.buyer, input), escalate(deps, world.main, input)])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    expect(await db.dispute.count({ where: { caseId: world.case.id } })).toBe(1)
    await expect(escalate(deps, world.buyer, input)).rejects.toMatchObject({ code: 'ALREADY_IN_DISPUTE' })
  })

  it('allows a rejected case only within 7 days, and never a closed one', async () => {
    const clock = new TestClock()
    const deps = serviceDeps(db, clock)
    const world = await disputeWorld(db, clock)
    const rejectedAt = new Date(clock.now().getTime() - defaultPolicy.dispute.escalateAfterRejectionMs - 1)
    await db.afterSalesCase.update({ where: { id: world.case.id }, data: { rejectedAt } })
    const input = { caseId: world.case.id, reason: 'OTHER' as const, description: '' }
    await expect(escalate(deps, world.buyer, input)).rejects.toMatchObject({ code: 'ESCALATION_WINDOW_PASSED' })
    await db.afterSalesCase.update({ where: { id: world.case.id }, data: { state: 'CLOSED' } })
    await expect(escalate(deps, world.buyer, input)).rejects.toMatchObject({ code: 'CASE_CLOSED' })
  })

  it("hides another shop's case and refuses members without 'agree to refund'", async () => {
    const clock = new TestClock()
    const deps = serviceDeps(db, clock)
    const world = await disputeWorld(db, clock)
    const input = { caseId: world.case.id, reason: 'OTHER' as const, description: '' }
    await expect(escalate(deps, world.outsider, input)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(escalate(deps, world.viewer, input)).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await expect(escalate(deps, world.refunder, input)).resolves.toBeTruthy()
  })
})

describe('evidence request: 24 hours, one reminder under 12 hours', () => {
  it('is due 24 hours after it was made and notifies the merchant', async () => {
    const { request, world, clock } = await merchantRequest()
    expect(request.dueAt.getTime() - clock.now().getTime()).toBe(24 * HOUR)
    expect(await notificationsFor(world.userIds.main, 'notice.evidenceRequested')).toBe(1)
    expect((await db.afterSalesCase.findUniqueOrThrow({ where: { id: world.case.id } })).nextDeadlineAt).toEqual(request.dueAt)
  })

  it('reminds exactly once, at the second fewer than 12 hours remain', async () => {
    const { request, world, clock, deps } = await merchantRequest()
    clock.advance(12 * HOUR) // exactly 12 hours remain: not yet
    await sweepDeadlines(deps)
    expect(await reminderEmails(request.id)).toHaveLength(0)
    clock.advance(SECOND)
    await sweepDeadlines(deps)
    clock.advance(6 * HOUR)
    await sweepDeadlines(deps)
    // One email per recipient (no one sees another's address), sent once.
    const emails = await reminderEmails(request.id)
    const recipients = await db.user.findMany({ where: { id: { in: [world.userIds.main, world.userIds.cs, world.userIds.refunder] } } })
    expect(emails.map((e) => e.recipients)).toEqual(expect.arrayContaining(recipients.map((u) => [u.email])))
    expect(emails).toHaveLength(3)
    // The real time left when it was sent: 11 h 59 min (never "less than 12 hours", never "0 hours").
    expect(emails[0]!.subject).toContain('11 小时 59 分钟')
    expect(emails[0]!.subject).toContain('11 h 59 min')
    expect(emails[0]!.textBody).toContain('默认支持买家')
    expect(await notificationsFor(world.userIds.main, 'notice.evidenceReminderMerchant')).toBe(1)
    expect(await db.caseLog.count({ where: { caseId: world.case.id, action: 'evidence.reminded', ruleId: RULE_IDS.evidenceReminder } })).toBe(1)
  })

  it('reminds once when two workers sweep at the same time', async () => {
    const { request, world, clock, deps } = await merchantRequest()
    clock.advance(13 * HOUR)
    await Promise.all([sweepDeadlines(deps), sweepDeadlines(deps), sweepDeadlines(deps)])
    expect(await reminderEmails(request.id)).toHaveLength(3)
    expect(await notificationsFor(world.userIds.main, 'notice.evidenceReminderMerchant')).toBe(1)
  })

  it('reminds at once when made with less than 12 hours left', async () => {
    const setup = await escalated()
    const deps = { ...setup.deps, policy: withOverrides({ dispute: { merchantEvidenceMs: 6 * HOUR } }) }
    const request = await requestEvidence(deps, setup.world.agent, { caseId: setup.world.case.id, party: 'MERCHANT', instructions: 'x', checklist: [] })
    expect((await db.evidenceRequest.findUniqueOrThrow({ where: { id: request.id } })).reminderSentAt).toEqual(setup.clock.now())
    expect(await reminderEmails(request.id)).toHaveLength(3)
    expect((await reminderEmails(request.id))[0]!.subject).toContain('6 小时')
    setup.clock.advance(HOUR)
    await sweepDeadlines(deps)
    expect(await reminderEmails(request.id)).toHaveLength(3)
  })

  it('sends no reminder for a submitted request', async () => {
    const { request, world, clock, deps } = await merchantRequest()
    await submitEvidence(deps, world.main, { requestId: request.id, explanation: '已发货前检查' })
    clock.advance(20 * HOUR)
    await sweepDeadlines(deps)
    expect(await reminderEmails(request.id)).toHaveLength(0)
    expect(await requestStatus(request.id)).toBe('SUBMITTED')
  })
})

describe('timeout', () => {
  it('rules for the buyer at the 24-hour mark exactly, refunds, and tells both parties', async () => {
    const { request, world, clock, deps } = await merchantRequest()
    clock.advance(24 * HOUR - SECOND)
    await sweepDeadlines(deps) // the reminder
    expect(await requestStatus(request.id)).toBe('OPEN')
    expect((await db.afterSalesCase.findUniqueOrThrow({ where: { id: world.case.id } })).state).toBe('IN_DISPUTE')
    clock.advance(SECOND)
    await sweepDeadlines(deps)
    const ruling = await db.ruling.findFirstOrThrow({ where: { caseId: world.case.id } })
    expect(ruling).toMatchObject({ actorKind: 'SYSTEM', ruleId: RULE_IDS.merchantEvidenceTimeout, liableParty: 'MERCHANT', outcome: 'FULL_REFUND', refundAmountFen: 250_00 })
    expect((await db.evidenceRequest.findUniqueOrThrow({ where: { id: request.id } })).status).toBe('EXPIRED')
    const after = await db.afterSalesCase.findUniqueOrThrow({ where: { id: world.case.id } })
    expect(after).toMatchObject({ state: 'REFUNDED', closedAt: clock.now() })
    const refund = await db.refund.findFirstOrThrow({ where: { caseId: world.case.id } })
    expect(refund).toMatchObject({ amountFen: 250_00, status: 'PENDING', actorKind: 'SYSTEM', ruleId: RULE_IDS.merchantEvidenceTimeout })
    const gateway = await startTestGateway(deps)
    try {
      await gateway.run()
      expect(await gateway.settled(refund.id)).toMatchObject({ status: 'SUCCEEDED' })
    } finally {
      await gateway.stop()
    }
    // 250 of the 300 paid: a partial refund, so the order is not "refunded" in full.
    expect((await db.order.findUniqueOrThrow({ where: { id: world.order.id } })).refundedAt).toBeNull()
    expect(await notificationsFor(world.userIds.buyer, 'notice.ruled.FULL_REFUND')).toBe(1)
    expect(await notificationsFor(world.userIds.main, 'notice.ruled.FULL_REFUND')).toBe(1)
    // The system's ruling reads as its rule in each reader's language, not as stored bilingual text.
    expect(ruling.rationale).toBe('')
    expect(await db.caseLog.count({ where: { caseId: world.case.id, action: 'dispute.ruled-by-timeout', actorKind: 'SYSTEM' } })).toBe(1)
    clock.advance(HOUR)
    await sweepDeadlines(deps)
    expect(await db.ruling.count({ where: { caseId: world.case.id } })).toBe(1)
    expect(await db.refund.count({ where: { caseId: world.case.id } })).toBe(1)
  })

  it('fires a deadline missed while everything was down, without a late reminder', async () => {
    const { request, clock, deps } = await merchantRequest()
    clock.advance(30 * HOUR)
    await sweepDeadlines(deps)
    expect(await requestStatus(request.id)).toBe('EXPIRED')
    expect(await reminderEmails(request.id)).toHaveLength(0)
  })

  it('hands an expired buyer request back to the agent', async () => {
    const { world, clock, deps } = await escalated()
    const request = await requestEvidence(deps, world.agent, { caseId: world.case.id, party: 'BUYER', instructions: '请提供照片', checklist: [] })
    clock.advance(defaultPolicy.dispute.buyerEvidenceMs - SECOND)
    await sweepDeadlines(deps)
    expect(await requestStatus(request.id)).toBe('OPEN')
    clock.advance(SECOND)
    await sweepDeadlines(deps)
    expect(await requestStatus(request.id)).toBe('EXPIRED')
    expect((await db.afterSalesCase.findUniqueOrThrow({ where: { id: world.case.id } })).state).toBe('IN_DISPUTE')
    expect(await db.caseLog.count({ where: { caseId: world.case.id, action: 'evidence.expired', ruleId: RULE_IDS.buyerEvidenceTimeout } })).toBe(1)
    expect(await notificationsFor(world.agent.userId, 'notice.buyerEvidenceExpired')).toBe(1)
  })
})

describe('submission', () => {
  it('fixes the drafted files and the explanation with one submit', async () => {
    const { request, world, deps } = await merchantRequest()
    const kept = await attachDraftFile(deps, world.cs, request.id, fakeFile('a.png'))
    const dropped = await attachDraftFile(deps, world.cs, request.id, fakeFile('b.png'))
    await removeDraftFile(deps, world.cs, dropped.id)
    expect(await submitEvidence(deps, world.cs, { requestId: request.id, explanation: '茶饼出库前完好' })).toEqual({ files: 1 })
    expect(await db.evidenceItem.findUniqueOrThrow({ where: { id: kept.id } })).toMatchObject({ status: 'SUBMITTED' })
    await expect(removeDraftFile(deps, world.cs, kept.id)).rejects.toMatchObject({ code: 'ALREADY_SUBMITTED' })
    await expect(submitEvidence(deps, world.cs, { requestId: request.id, explanation: 'again' })).rejects.toMatchObject({ code: 'ALREADY_SUBMITTED' })
    await expect(attachDraftFile(deps, world.cs, request.id, fakeFile())).rejects.toMatchObject({ code: 'ALREADY_SUBMITTED' })
    const actions = (await db.caseLog.findMany({ where: { caseId: world.case.id }, orderBy: { at: 'asc' } })).map((l) => l.action)
    expect(actions).toEqual(expect.arrayContaining(['evidence.uploaded', 'evidence.removed', 'evidence.submitted']))
  })

  it('accepts one of two racing submits', async () => {
    const { request, world, deps } = await merchantRequest()
    const results = await Promise.allSettled([
      submitEvidence(deps, world.main, { requestId: request.id, explanation: 'one' }),
      submitEvidence(deps, world.cs, { requestId: request.id, explanation: 'two' }),
    ])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
  })

  it('refuses uploads and submits from the due time on, to the second', async () => {
    const { request, world, clock, deps } = await merchantRequest()
    clock.advance(24 * HOUR - SECOND)
    await expect(attachDraftFile(deps, world.main, request.id, fakeFile())).resolves.toBeTruthy()
    clock.advance(SECOND)
    await expect(attachDraftFile(deps, world.main, request.id, fakeFile())).rejects.toMatchObject({ code: 'EVIDENCE_WINDOW_CLOSED' })
    await expect(submitEvidence(deps, world.main, { requestId: request.id, explanation: 'late' })).rejects.toMatchObject({ code: 'EVIDENCE_WINDOW_CLOSED' })
  })

  it('refuses the wrong party, another shop and members who cannot handle after-sales', async () => {
    const { request, world, deps } = await merchantRequest()
    await expect(submitEvidence(deps, world.buyer, { requestId: request.id, explanation: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(submitEvidence(deps, world.outsider, { requestId: request.id, explanation: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    const noAfterSales = { ...world.viewer, grantedPermissions: [] as never[] }
    await expect(submitEvidence(deps, noAfterSales, { requestId: request.id, explanation: 'x' })).rejects.toMatchObject({ code: 'FORBIDDEN' })
  })

  it('refuses more than 20 files and explanations over 2,000 characters', async () => {
    const { request, world, deps } = await merchantRequest()
    for (let i = 0; i < defaultPolicy.dispute.maxFilesPerResponse; i++) await attachDraftFile(deps, world.main, request.id, fakeFile(`${i}.png`))
    await expect(attachDraftFile(deps, world.main, request.id, fakeFile())).rejects.toMatchObject({ code: 'TOO_MANY_FILES' })
    await expect(submitEvidence(deps, world.main, { requestId: request.id, explanation: 'x'.repeat(2001) })).rejects.toMatchObject({ code: 'EXPLANATION_TOO_LONG' })
  })
})

describe('liability ruling', () => {
  const ruling = (overrides: Partial<Parameters<typeof recordRuling>[2]> & { caseId: string }) => ({
    liableParty: 'MERCHANT' as const,
    outcome: 'PARTIAL_REFUND' as const,
    refundAmountFen: 100_00,
    rationale: '茶饼受潮，商家承担主要责任',
    internalNote: 'photos show mould',
    reliedEvidenceIds: [] as string[],
    ...overrides,
  })

  it('records a partial refund, closes the case and tells both parties', async () => {
    const { request, world, deps } = await merchantRequest()
    const item = await attachDraftFile(deps, world.main, request.id, fakeFile())
    await submitEvidence(deps, world.main, { requestId: request.id, explanation: '' })
    const result = await recordRuling(deps, world.agent, ruling({ caseId: world.case.id, reliedEvidenceIds: [item.id] }))
    expect(result).toMatchObject({ actorKind: 'AGENT', agentId: world.agent.userId, refundAmountFen: 100_00, reliedEvidenceIds: [item.id] })
    expect((await db.afterSalesCase.findUniqueOrThrow({ where: { id: world.case.id } })).state).toBe('REFUNDED')
    expect(await db.refund.findFirstOrThrow({ where: { caseId: world.case.id } })).toMatchObject({ amountFen: 100_00, actorKind: 'AGENT' })
    expect(await notificationsFor(world.userIds.buyer, 'notice.ruled.PARTIAL_REFUND')).toBe(1)
    // Both parties are emailed, each alone: the buyer's address never shares a To: line with the shop's.
    const emails = await db.emailOutbox.findMany({ where: { dedupeKey: { startsWith: `ruled:${world.case.id}:` } } })
    expect(emails).toHaveLength(4)
    for (const email of emails) expect(email.recipients).toHaveLength(1)
    expect(emails[0]!.textBody).toContain('部分退款 ¥100.00 / 实付 ¥300.00')
    expect(emails[0]!.textBody).toContain('partial refund ¥100.00 / paid ¥300.00')
  })

  it('takes a partial amount above zero and at most what the buyer asked for (250 of 300 paid)', async () => {
    const { world, deps } = await escalated()
    const refuse = (fen: number, code: string) => expect(recordRuling(deps, world.agent, ruling({ caseId: world.case.id, refundAmountFen: fen }))).rejects.toMatchObject({ code })
    await refuse(300_00, 'REFUND_ABOVE_REQUEST')
    await refuse(250_01, 'REFUND_ABOVE_REQUEST')
    await refuse(0, 'REFUND_AMOUNT_INVALID')
    expect(await db.ruling.count({ where: { caseId: world.case.id } })).toBe(0)
    await expect(recordRuling(deps, world.agent, ruling({ caseId: world.case.id, refundAmountFen: 250_00 }))).resolves.toMatchObject({ refundAmountFen: 250_00 })
    expect(await db.refund.findFirstOrThrow({ where: { caseId: world.case.id } })).toMatchObject({ amountFen: 250_00 })
  })

  it('lets exactly one of two racing agents rule', async () => {
    const { world, deps } = await escalated()
    const second = { ...world.agent, userId: (await db.user.create({ data: { email: `a2-${Date.now()}@t.local`, displayName: 'A2', kind: 'AGENT', passwordHash: 'x' } })).id }
    const results = await Promise.allSettled([
      recordRuling(deps, world.agent, ruling({ caseId: world.case.id, outcome: 'FULL_REFUND', refundAmountFen: null })),
      recordRuling(deps, second, ruling({ caseId: world.case.id, outcome: 'REJECT_REQUEST', refundAmountFen: null })),
    ])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
    expect(rejected.reason).toMatchObject({ code: 'CONFLICT_ALREADY_RULED' })
    expect(await db.ruling.count({ where: { caseId: world.case.id } })).toBe(1)
    expect(await db.refund.count({ where: { caseId: world.case.id } })).toBeLessThanOrEqual(1)
  })

  it('accepts no evidence, request or second ruling afterwards', async () => {
    const { request, world, deps } = await merchantRequest()
    await recordRuling(deps, world.agent, ruling({ caseId: world.case.id, outcome: 'REJECT_REQUEST', refundAmountFen: null }))
    expect((await db.afterSalesCase.findUniqueOrThrow({ where: { id: world.case.id } })).state).toBe('CLOSED')
    await expect(attachDraftFile(deps, world.main, request.id, fakeFile())).rejects.toMatchObject({ code: 'EVIDENCE_WINDOW_CLOSED' })
    await expect(requestEvidence(deps, world.agent, { caseId: world.case.id, party: 'BUYER', instructions: 'x', checklist: [] })).rejects.toMatchObject({ code: 'CASE_CLOSED' })
    await expect(recordRuling(deps, world.agent, ruling({ caseId: world.case.id }))).rejects.toMatchObject({ code: 'CONFLICT_ALREADY_RULED' })
    expect(await db.refund.count({ where: { caseId: world.case.id } })).toBe(0)
  })
})
