import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BuyerActor, MerchantActor } from '~/domain/actor'
import { listBuyerCases, listShopCases } from '~/models/cases.server'
import { PAGE_SIZE } from '~/models/pagination'
import { makeBuyer, makeMember, makeOrderAndCase, makeShop, testDb } from './support'

const db = testDb()
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
      const page: Awaited<ReturnType<typeof listShopCases>> = await listShopCases(db, merchantA, cursor)
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
    const page = await listShopCases(db, merchantA, null)
    expect(page.items[0]).toMatchObject({ maskedPhone: '138****0000' })
    expect(page.items[0]).not.toHaveProperty('customerPhone')
  })
})

describe('workbench tabs', () => {
  it('awaiting receipt lists returns on their way back, nearest deadline first; express refund lists only express refunds', async () => {
    const shop = await makeShop(db, 'Tabs')
    const b = await makeBuyer(db, 'tabs')
    const { user, member } = await makeMember(db, shop.id)
    const merchant: MerchantActor = { kind: 'MERCHANT', userId: user.id, displayName: 'm', shopId: shop.id, memberId: member.id, role: 'MAIN', grantedPermissions: [] }
    const at = (h: number) => new Date(Date.parse('2026-11-22T00:00:00Z') + h * 3600_000)
    const make = async (data: Record<string, unknown>) => {
      const { case: c } = await makeOrderAndCase(db, shop.id, b.buyer.id)
      return db.afterSalesCase.update({ where: { id: c.id }, data })
    }
    const later = await make({ type: 'RETURN_AND_REFUND', state: 'AWAITING_RECEIPT', merchantReceiveBy: at(48), nextDeadlineAt: at(48) })
    const sooner = await make({ type: 'RETURN_AND_REFUND', state: 'AWAITING_RETURN', buyerShipBy: at(24), nextDeadlineAt: at(24) })
    await make({ state: 'PENDING_MERCHANT', merchantRespondBy: at(1), nextDeadlineAt: at(1) })
    const express = await make({ state: 'REFUNDED', expressRefund: true })

    const receipt = await listShopCases(db, merchant, null, 'awaitingReceipt')
    expect(receipt.items.map((c) => c.id)).toEqual([sooner.id, later.id])
    const expressTab = await listShopCases(db, merchant, null, 'expressRefund')
    expect(expressTab.items.map((c) => c.id)).toEqual([express.id])
    expect(await listShopCases(db, merchant, null, 'awaitingEvidence')).toMatchObject({ items: [] })
  })
})
