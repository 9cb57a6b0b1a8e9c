import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BuyerActor, MerchantActor } from '~/domain/actor'
import { listBuyerCases } from '~/models/cases.server'
import type { Prisma } from '~/generated/prisma/client'
import type { WorkbenchTab } from '~/models/list-filters'
import { listWorkbench, workbenchCounts, type WorkbenchQuery } from '~/models/workbench.server'
import { PAGE_SIZE } from '~/models/pagination'
import { makeBuyer, makeMember, makeOrderAndCase, makeShop, testDb } from './support'

const db = testDb()

/** The oracle: each tab, search and filter as a Prisma filter, written apart from the SQL it checks. */
function tabWhere(tab: WorkbenchTab): Prisma.AfterSalesCaseWhereInput {
  switch (tab) {
    case 'unshippedRefundPending':
      return { state: 'PENDING_MERCHANT', orderShipped: false }
    case 'shippedRefundOnlyPending':
      return { state: 'PENDING_MERCHANT', type: 'REFUND_ONLY', orderShipped: true }
    case 'returnPending':
      return { state: 'PENDING_MERCHANT', type: 'RETURN_AND_REFUND', orderShipped: true }
    case 'awaitingReceipt':
      return { state: { in: ['AWAITING_RETURN', 'AWAITING_RECEIPT'] } }
    case 'awaitingEvidence':
      return { state: 'IN_DISPUTE', evidenceRequests: { some: { status: 'OPEN', party: 'MERCHANT' } } }
    case 'closed':
      return { state: { in: ['REFUNDED', 'CLOSED'] } }
    case 'all':
      return {}
  }
}

function workbenchWhere(merchant: MerchantActor, query: WorkbenchQuery): Prisma.AfterSalesCaseWhereInput {
  const beijingMidnight = (day: string) => new Date(`${day}T00:00:00+08:00`)
  return {
    shopId: merchant.shopId,
    ...tabWhere(query.tab),
    ...(query.orderNo ? { orderNo: query.orderNo.trim() } : {}),
    ...(query.customerName ? { customerName: query.customerName.trim() } : {}),
    ...(query.phone ? { customerPhone: query.phone.replace(/\s/g, '') } : {}),
    ...(query.from ? { createdAt: { gte: beijingMidnight(query.from), ...(query.to ? { lt: new Date(beijingMidnight(query.to).getTime() + 86_400_000) } : {}) } } : {}),
    ...(query.express ? { expressRefund: true } : {}),
    ...(query.flag ? { flagColor: query.flag } : {}),
    ...(query.insured ? { returnShippingInsurance: true } : {}),
  }
}
afterAll(() => db.$disconnect())

let shopA: { id: string }
let shopB: { id: string }
let buyer1: BuyerActor
let buyer2: BuyerActor
let merchantA: MerchantActor

beforeAll(async () => {
  shopA = await makeShop(db, 'A')
  shopB = await makeShop(db, 'B')
  const b1 = await makeBuyer(db, 'one')
  const b2 = await makeBuyer(db, 'two')
  buyer1 = { kind: 'BUYER', userId: b1.user.id, buyerId: b1.buyer.id, displayName: 'one' }
  buyer2 = { kind: 'BUYER', userId: b2.user.id, buyerId: b2.buyer.id, displayName: 'two' }
  const { user, member } = await makeMember(db, shopA.id)
  merchantA = { kind: 'MERCHANT', userId: user.id, displayName: 'm', shopId: shopA.id, memberId: member.id, role: 'MAIN', grantedPermissions: [] }
  const base = Date.parse('2026-11-01T00:00:00Z')
  // 25 cases of buyer1 at shop A (more than a page), 3 of buyer2 at shop B, 2 with identical timestamps
  for (let i = 0; i < 25; i++) await makeOrderAndCase(db, shopA.id, buyer1.buyerId, { createdAt: new Date(base + i * 60_000) })
  for (let i = 0; i < 3; i++) await makeOrderAndCase(db, shopB.id, buyer2.buyerId, { createdAt: new Date(base) })
})

describe('case lists are scoped by the acting party', () => {
  it("never shows a buyer another buyer's cases", async () => {
    const page = await listBuyerCases(db, buyer2, null)
    expect(page.items).toHaveLength(3)
    expect(page.nextCursor).toBeNull()
  })

  it("never shows a merchant another shop's cases", async () => {
    const ids = new Set<string>()
    let cursor: string | null = null
    do {
      const page: Awaited<ReturnType<typeof listWorkbench>> = await listWorkbench(db, merchantA, { tab: 'all', after: cursor })
      for (const item of page.items) ids.add(item.id)
      cursor = page.nextCursor
    } while (cursor)
    const shopACases = await db.afterSalesCase.findMany({ where: { shopId: shopA.id }, select: { id: true } })
    expect([...ids].sort()).toEqual(shopACases.map((c) => c.id).sort())
  })

  it('pages newest first with keyset cursors, without gaps or repeats', async () => {
    const first = await listBuyerCases(db, buyer1, null)
    expect(first.items).toHaveLength(PAGE_SIZE)
    expect(first.nextCursor).not.toBeNull()
    const second = await listBuyerCases(db, buyer1, first.nextCursor)
    expect(second.items).toHaveLength(25 - PAGE_SIZE)
    const all = [...first.items, ...second.items]
    expect(new Set(all.map((c) => c.id)).size).toBe(25)
    const times = all.map((c) => c.createdAt.getTime())
    expect(times).toEqual([...times].sort((a, b) => b - a))
  })

  it('masks phone numbers in the merchant list', async () => {
    const page = await listWorkbench(db, merchantA, { tab: 'all' })
    expect(page.items[0]).toMatchObject({ maskedPhone: '138****0000' })
    expect(page.items[0]).not.toHaveProperty('customerPhone')
  })
})

describe('workbench tabs, search and filters', () => {
  it('puts each case in its tab, counts every tab, and sorts deadline tabs nearest first', async () => {
    const shop = await makeShop(db, 'Tabs')
    const b = await makeBuyer(db, 'tabs')
    const { user, member } = await makeMember(db, shop.id)
    const merchant: MerchantActor = { kind: 'MERCHANT', userId: user.id, displayName: 'm', shopId: shop.id, memberId: member.id, role: 'MAIN', grantedPermissions: [] }
    const at = (h: number) => new Date(Date.parse('2026-11-22T00:00:00Z') + h * 3600_000)
    const make = async (data: Record<string, unknown>) => {
      const { case: c } = await makeOrderAndCase(db, shop.id, b.buyer.id)
      return db.afterSalesCase.update({ where: { id: c.id }, data })
    }
    const unshipped = await make({ state: 'PENDING_MERCHANT', orderShipped: false, nextDeadlineAt: at(5), customerName: '李雷', customerPhone: '13911112222' })
    const shippedRefund = await make({ state: 'PENDING_MERCHANT', orderShipped: true, nextDeadlineAt: at(6), flagColor: 'RED' })
    const returnPending = await make({ type: 'RETURN_AND_REFUND', state: 'PENDING_MERCHANT', orderShipped: true, nextDeadlineAt: at(7) })
    const later = await make({ type: 'RETURN_AND_REFUND', state: 'AWAITING_RECEIPT', nextDeadlineAt: at(48), returnShippingInsurance: true })
    const sooner = await make({ type: 'RETURN_AND_REFUND', state: 'AWAITING_RETURN', nextDeadlineAt: at(24) })
    const express = await make({ state: 'REFUNDED', expressRefund: true, createdAt: new Date('2026-11-10T03:00:00Z') })
    // Two disputes: one waits for the merchant's evidence, the other (the buyer's turn) does not.
    const disputed = async (party: 'MERCHANT' | 'BUYER', dueHours: number) => {
      const c = await make({ state: 'IN_DISPUTE', nextDeadlineAt: at(dueHours) })
      const dispute = await db.dispute.create({ data: { caseId: c.id, shopId: shop.id, openedByRole: 'BUYER', openedById: b.user.id, reason: 'OTHER', openedAt: at(0) } })
      await db.evidenceRequest.create({
        data: { disputeId: dispute.id, caseId: c.id, party, instructions: 'x', requestedById: user.id, createdAt: at(0), dueAt: at(dueHours) },
      })
      return c
    }
    const merchantEvidence = await disputed('MERCHANT', 20)
    await disputed('BUYER', 10)
    // The hot list is SQL; workbenchWhere is the same filter for Prisma: every query here checks both.
    const ids = async (query: Parameters<typeof listWorkbench>[2]) => {
      const listed = (await listWorkbench(db, merchant, query)).items.map((c) => c.id)
      const viaPrisma = (await db.afterSalesCase.findMany({ where: workbenchWhere(merchant, query), select: { id: true } })).map((c) => c.id)
      expect([...listed].sort()).toEqual(viaPrisma.sort())
      return listed
    }

    expect(await ids({ tab: 'unshippedRefundPending' })).toEqual([unshipped.id])
    expect(await ids({ tab: 'shippedRefundOnlyPending' })).toEqual([shippedRefund.id])
    expect(await ids({ tab: 'returnPending' })).toEqual([returnPending.id])
    expect(await ids({ tab: 'awaitingReceipt' })).toEqual([sooner.id, later.id])
    expect(await ids({ tab: 'awaitingEvidence' })).toEqual([merchantEvidence.id])
    expect(await ids({ tab: 'closed' })).toEqual([express.id])
    const counts = await workbenchCounts(db, merchant)
    expect(counts).toEqual({
      unshippedRefundPending: 1,
      shippedRefundOnlyPending: 1,
      returnPending: 1,
      awaitingReceipt: 2,
      awaitingEvidence: 1,
      all: 8,
      closed: 1,
    })
    // Each count is the number of rows its tab lists.
    for (const tab of Object.keys(counts) as (keyof typeof counts)[]) expect((await ids({ tab })).length, tab).toBe(counts[tab])
    // search and filters, alone and with a tab
    expect(await ids({ tab: 'all', customerName: '李雷' })).toEqual([unshipped.id])
    expect(await ids({ tab: 'all', phone: '139 1111 2222' })).toEqual([unshipped.id])
    expect(await ids({ tab: 'all', orderNo: returnPending.orderNo })).toEqual([returnPending.id])
    expect(await ids({ tab: 'all', express: true })).toEqual([express.id])
    expect(await ids({ tab: 'all', flag: 'RED' })).toEqual([shippedRefund.id])
    expect(await ids({ tab: 'awaitingReceipt', insured: true })).toEqual([later.id])
    // request dates are Beijing calendar days: 2026-11-10 03:00 UTC is 11:00 that day
    expect(await ids({ tab: 'all', from: '2026-11-10', to: '2026-11-10' })).toEqual([express.id])
    expect(await ids({ tab: 'all', from: '2026-11-11', to: '2026-11-11' })).toEqual([])
  })
})
