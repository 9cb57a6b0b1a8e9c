// The case page's reads (ADR 0012): one statement for the whole view, ownership inside it, and
// nothing a viewer may not read. The SQL scopes are held equal to the Prisma scopes they stand
// beside, the view's snapshot to the one the commands decide on, and a page view (root loader +
// case loader) costs two statements: the session and the view.
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Actor } from '~/domain/actor'
import { partyDeadline } from '~/domain/case-machine'
import { refundStanding } from '~/domain/money'
import { defaultPolicy } from '~/domain/policy'
import { Prisma } from '~/generated/prisma/client'
import { queryRows } from '~/infra/db.server'
import { requestContext } from '~/infra/logger.server'
import { cookies } from '~/infra/cookies.server'
import { withRowExtras } from '~/models/case-rows.server'
import { findCaseId, loadCaseView, loadCaseViewSnapshot } from '~/models/case-view.server'
import { caseScope, caseScopeSql, evidenceScope, evidenceVisibleSql } from '~/models/scopes.server'
import { claimDispute } from '~/services/assignment.server'
import { login } from '~/services/auth.server'
import { loadCase } from '~/services/case-transition.server'
import { setCaseNote, setFlag } from '~/services/flags.server'
import type { StoredFile } from '~/services/evidence-intake.server'
import { seedDemoData } from '../prisma/demo-data'
import { attachDraftFile, escalate, recordRuling, requestEvidence, submitEvidence } from './commands'
import { disputeWorld, makeBuyer, makeOrderAndCase, serviceDeps, TEST_PASSWORD, TestClock, testDb } from './support'

const db = testDb()
afterAll(() => db.$disconnect())

let n = 0
const file = (fileName: string): StoredFile => ({ key: `test/${++n}-${fileName}`, fileName, sizeBytes: 1234, mime: 'image/png', sha256: 'a'.repeat(64) })

/** How many SQL statements `run` sends, by any path (Prisma or the pool). */
async function statementsOf<T>(run: () => Promise<T>): Promise<{ value: T; statements: number }> {
  const spy = vi.spyOn(pg.Client.prototype, 'query')
  try {
    const value = await run()
    return { value, statements: spy.mock.calls.length }
  } finally {
    spy.mockRestore()
  }
}

const SECRET_NOTE = 'INTERNAL-NOTE-ONLY-FOR-AGENTS'
const MERCHANT_ASK = 'MERCHANT-ASKED-FOR-INVOICE'
const BUYER_ASK = 'BUYER-ASKED-FOR-PHOTOS'
const CASE_NOTE = 'MERCHANT-CASE-NOTE'

let w: Awaited<ReturnType<typeof richWorld>>

/** A case with two rounds' worth of everything: a claimed dispute, both parties asked, files, an access log, a ruling with an internal note, the merchant's flag and note. */
async function richWorld() {
  const clock = new TestClock()
  const deps = serviceDeps(db, clock)
  const world = await disputeWorld(db, clock)
  await escalate(deps, world.buyer, { caseId: world.case.id, reason: 'OTHER', description: '茶叶受潮', files: [file('buyer-escalation.png')] })
  const dispute = await db.dispute.findFirstOrThrow({ where: { caseId: world.case.id } })
  await claimDispute({ db, clock }, world.agent, dispute.id)
  const merchantRequest = await requestEvidence(deps, world.agent, { caseId: world.case.id, party: 'MERCHANT', instructions: MERCHANT_ASK, checklist: ['发票'] })
  await requestEvidence(deps, world.agent, { caseId: world.case.id, party: 'BUYER', instructions: BUYER_ASK, checklist: [] })
  const merchantFile = await attachDraftFile(deps, world.cs, merchantRequest.id, file('merchant-invoice.png'))
  await submitEvidence(deps, world.cs, { requestId: merchantRequest.id, explanation: '见发票' })
  await db.evidenceAccess.create({ data: { itemId: merchantFile.id, caseId: world.case.id, userId: world.agent.userId, actorKind: 'AGENT', at: clock.now(), kind: 'VIEW', bytes: 1234n } })
  await recordRuling(deps, world.agent, { caseId: world.case.id, liableParty: 'MERCHANT', outcome: 'FULL_REFUND', refundAmountFen: null, rationale: '商家未能证明', internalNote: SECRET_NOTE })
  await setFlag(deps, world.main, world.case.id, 'RED')
  await setCaseNote(deps, world.main, world.case.id, CASE_NOTE)
  const other = await makeBuyer(db, 'Other buyer')
  const otherBuyer: Actor = { kind: 'BUYER', userId: other.user.id, buyerId: other.buyer.id, displayName: 'Other buyer' }
  return { ...world, clock, otherBuyer }
}

beforeAll(async () => {
  // The demo data first (it seeds only an empty database): a case in every state for the comparisons below.
  await seedDemoData(db, new TestClock().now())
  w = await richWorld()
})

describe('the case page reads', () => {
  it('load the whole view in one statement for every viewer, and "not found" in one for a stranger', async () => {
    for (const actor of [w.buyer, w.main, w.viewer, w.agent]) {
      const { value, statements } = await statementsOf(() => loadCaseView(db, actor, w.case.caseNo, w.clock.now(), defaultPolicy))
      expect(value?.case.caseNo, actor.kind).toBe(w.case.caseNo)
      expect(statements, actor.kind).toBe(1)
    }
    for (const stranger of [w.outsider, w.otherBuyer]) {
      const { value, statements } = await statementsOf(() => loadCaseView(db, stranger, w.case.caseNo, w.clock.now(), defaultPolicy))
      expect(value).toBeNull()
      expect(statements).toBe(1)
      expect(await findCaseId(db, stranger, w.case.caseNo)).toBeNull()
    }
    expect(await findCaseId(db, w.main, w.case.caseNo)).toBe(w.case.id)
  })

  it('give a party nothing of the platform\'s internals or of the other side', async () => {
    const buyerView = (await loadCaseView(db, w.buyer, w.case.caseNo, w.clock.now(), defaultPolicy))!
    const merchantView = (await loadCaseView(db, w.main, w.case.caseNo, w.clock.now(), defaultPolicy))!
    for (const view of [buyerView, merchantView]) {
      const json = JSON.stringify(view)
      expect(json).not.toContain(SECRET_NOTE)
      expect(json).not.toContain(w.agent.userId) // who holds the dispute
      expect(json).not.toContain('dispute.claimed')
      expect(view.evidenceAccess).toBeNull()
      expect(view.dispute?.assignedToMe).toBe(false)
      expect(view.dispute?.holderName).toBeNull()
      expect(view.rulings).toHaveLength(1)
      expect(view.rulings[0]!.internalNote).toBeNull()
      expect(json).toContain('商家未能证明') // the ruling's rationale is theirs to read
    }
    const buyerJson = JSON.stringify(buyerView)
    expect(buyerJson).not.toContain(MERCHANT_ASK)
    expect(buyerJson).not.toContain('merchant-invoice.png')
    expect(buyerJson).not.toContain(CASE_NOTE)
    expect(buyerJson).not.toContain('13800000000')
    expect(buyerView.flagsAndNotes).toBeNull()
    expect(buyerView.case.customer).toBeNull()
    expect(buyerView.requests.map((r) => r.instructions)).toEqual([BUYER_ASK])
    // The log says what the merchant did, not with which files; the shop's flag is the shop's.
    expect(buyerView.log.map((l) => l.action)).toContain('evidence.submitted')
    expect(buyerView.log.map((l) => l.action)).not.toContain('case.flagged')

    const merchantJson = JSON.stringify(merchantView)
    expect(merchantJson).not.toContain(BUYER_ASK)
    expect(merchantJson).not.toContain('buyer-escalation.png')
    expect(merchantView.log.map((l) => l.action)).toContain('case.flagged')
    expect(merchantJson).not.toContain('13800000000') // masked
    expect(merchantView.requests.map((r) => r.instructions)).toEqual([MERCHANT_ASK])
    expect(merchantView.requests[0]!.items.map((i) => i.fileName)).toEqual(['merchant-invoice.png'])
    expect(merchantView.flagsAndNotes).toMatchObject({ flag: { color: 'RED' }, caseNote: { text: CASE_NOTE } })
  })

  it('give the agent both sides, every internal of the dispute and the access log, but not the merchant\'s notes', async () => {
    const view = (await loadCaseView(db, w.agent, w.case.caseNo, w.clock.now(), defaultPolicy))!
    expect(view.rulings[0]!.internalNote).toBe(SECRET_NOTE)
    expect(view.dispute?.assignedToMe).toBe(true)
    expect(view.dispute?.holderName).toBe('Agent')
    expect(view.log.map((l) => l.action)).toContain('dispute.claimed')
    expect(view.requests.map((r) => r.instructions).sort()).toEqual([BUYER_ASK, MERCHANT_ASK].sort())
    expect(view.escalationFiles.map((f) => f.fileName)).toEqual(['buyer-escalation.png'])
    expect(view.evidenceAccess?.entries).toMatchObject([{ kind: 'VIEW', bytes: 1234, item: { fileName: 'merchant-invoice.png' }, user: { displayName: 'Agent' } }])
    expect(view.evidenceAccess?.entries[0]!.at).toBeInstanceOf(Date)
    expect(view.flagsAndNotes).toBeNull()
  })

  it('hold the SQL scopes equal to the Prisma scopes for every kind of viewer', async () => {
    // A case agents see only because its refund failed.
    const { case: failed } = await makeOrderAndCase(db, w.shop.id, w.buyer.buyerId, { state: 'REFUNDED' })
    await db.caseLog.create({ data: { caseId: failed.id, at: w.clock.now(), actorKind: 'SYSTEM', action: 'refund.failed' } })
    const ids = (rows: { id: string }[]) => rows.map((r) => r.id).sort()
    for (const actor of [w.buyer, w.otherBuyer, w.main, w.outsider, w.agent]) {
      const viaPrisma = ids(await db.afterSalesCase.findMany({ where: caseScope(actor), select: { id: true } }))
      const viaSql = ids(await queryRows<{ id: string }>(db, Prisma.sql`SELECT c.id FROM "AfterSalesCase" c WHERE ${caseScopeSql(actor)}`))
      expect(viaSql, actor.kind).toEqual(viaPrisma)
      const itemsViaPrisma = ids(await db.evidenceItem.findMany({ where: evidenceScope(actor), select: { id: true } }))
      const itemsViaSql = ids(
        await queryRows<{ id: string }>(db, Prisma.sql`SELECT i.id FROM "EvidenceItem" i JOIN "AfterSalesCase" c ON c.id = i."caseId" WHERE ${caseScopeSql(actor)} AND ${evidenceVisibleSql(actor)}`),
      )
      expect(itemsViaSql, actor.kind).toEqual(itemsViaPrisma)
    }
    expect((await db.afterSalesCase.findMany({ where: caseScope(w.agent), select: { id: true } })).map((c) => c.id)).toContain(failed.id)
  })

  it('decide the buttons on the same snapshot the commands decide on, in every demo state', async () => {
    const cases = await db.afterSalesCase.findMany({ select: { id: true, caseNo: true, shopId: true, buyerId: true } })
    const members = await db.shopMember.findMany({ select: { id: true, shopId: true, userId: true, role: true } })
    const buyers = await db.buyer.findMany({ select: { id: true, userId: true } })
    let compared = 0
    for (const c of cases) {
      const member = members.find((m) => m.shopId === c.shopId)!
      const buyer = buyers.find((b) => b.id === c.buyerId)!
      const viewers: Actor[] = [
        { kind: 'MERCHANT', userId: member.userId, displayName: 'm', shopId: member.shopId, memberId: member.id, role: member.role, grantedPermissions: [] },
        { kind: 'BUYER', userId: buyer.userId, buyerId: buyer.id, displayName: 'b' },
        w.agent,
      ]
      for (const actor of viewers) {
        const snapshot = await loadCaseViewSnapshot(db, actor, c.caseNo)
        const loaded = await db.$transaction((tx) => loadCase(tx, { id: c.id, ...caseScope(actor) })).catch(() => null)
        expect(snapshot, `${c.caseNo} as ${actor.kind}`).toEqual(loaded?.snapshot ?? null)
        if (snapshot) compared++
      }
    }
    expect(compared).toBeGreaterThan(20)
  })

  it('cost a page view two statements: the session (shared by the root and the case loader) and the view', async () => {
    const signedIn = await login(db, { email: (await db.user.findUniqueOrThrow({ where: { id: w.userIds.main } })).email, password: TEST_PASSWORD }, new Date())
    if (!signedIn.ok) throw new Error('login failed')
    const cookie = await cookies().session.serialize(signedIn.token)
    const [{ loader: rootLoader }, { loader: caseLoader }] = await Promise.all([import('~/root'), import('~/routes/cases.$caseNo/route')])
    // Remix hands each loader its own copy of the request; the server's request context is what they share.
    const request = () => new Request(`http://portal.test/cases/${w.case.caseNo}`, { headers: { Cookie: cookie } })
    const { value, statements } = await statementsOf(() =>
      requestContext.run({ requestId: 'page-view' }, () =>
        Promise.all([
          rootLoader({ request: request(), params: {}, context: {} }),
          caseLoader({ request: request(), params: { caseNo: w.case.caseNo }, context: {} }),
        ]),
      ),
    )
    const [root, page] = value as [{ data: { user: { unread: number } | null } }, { view: { case: { caseNo: string } } }]
    expect(root.data.user).toMatchObject({ kind: 'MERCHANT' })
    expect(page.view.case.caseNo).toBe(w.case.caseNo)
    expect(statements).toBe(2)
  })

  it("give list rows their own deadline and refund standing in one statement, as the domain reads them from each case's own rows", async () => {
    const rows = await db.afterSalesCase.findMany({ select: { id: true, state: true, nextDeadlineAt: true } })
    expect(rows.some((r) => r.state === 'IN_DISPUTE') && rows.some((r) => r.state === 'REFUNDED')).toBe(true)
    const cases = await db.afterSalesCase.findMany({
      include: { evidenceRequests: { where: { status: 'OPEN' } }, order: { include: { refunds: { select: { amountFen: true, status: true } } } } },
    })
    for (const party of ['MERCHANT', 'BUYER'] as const) {
      const { value, statements } = await statementsOf(() => withRowExtras(db, party, rows))
      const expected = rows.map((row) => {
        const c = cases.find((x) => x.id === row.id)!
        const refund = c.state === 'REFUNDED' ? refundStanding(c.order.paidAmountFen, c.order.refunds) : { kind: 'NONE' }
        return { ...row, deadline: partyDeadline(party, c, c.evidenceRequests), refund }
      })
      expect(value).toEqual(expected)
      expect(statements).toBe(1)
    }
  })
})
