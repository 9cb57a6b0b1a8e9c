// ShopCaseCount is kept by triggers: whatever writes cases — one row or many, insert, update, delete,
// concurrently — the counts equal a GROUP BY over the cases.
import { afterAll, describe, expect, it } from 'vitest'
import type { MerchantActor } from '~/domain/actor'
import { workbenchCounts } from '~/models/workbench.server'
import { makeBuyer, makeMember, makeOrderAndCase, makeShop, testDb } from './support'

const db = testDb()
afterAll(() => db.$disconnect())

type Group = { shopId: string; state: string; type: string; orderShipped: boolean; n: number }
const key = (g: Group) => `${g.shopId}|${g.state}|${g.type}|${g.orderShipped}`

async function expectCountsExact() {
  const truth = await db.$queryRawUnsafe<Group[]>(`SELECT "shopId", state::text, type::text, "orderShipped", count(*)::int AS n FROM "AfterSalesCase" GROUP BY 1, 2, 3, 4`)
  const kept = await db.$queryRawUnsafe<Group[]>(`SELECT "shopId", state::text, type::text, "orderShipped", n FROM "ShopCaseCount" WHERE n <> 0`)
  expect(new Map(kept.map((g) => [key(g), g.n]))).toEqual(new Map(truth.map((g) => [key(g), g.n])))
  const negative = await db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "ShopCaseCount" WHERE n < 0`)
  expect(negative[0]!.n).toBe(0)
}

describe('tab counts kept by triggers', () => {
  it('stay exact through single and multi-row inserts, updates and deletes', async () => {
    const shop = await makeShop(db, 'Counts')
    const other = await makeShop(db, 'Other')
    const b = await makeBuyer(db, 'c')
    const made = []
    for (let i = 0; i < 12; i++) made.push((await makeOrderAndCase(db, shop.id, b.buyer.id)).case)
    await expectCountsExact()

    // many rows in one statement, across groups
    await db.afterSalesCase.updateMany({ where: { id: { in: made.slice(0, 5).map((c) => c.id) } }, data: { state: 'REFUNDED' } })
    await db.afterSalesCase.updateMany({ where: { id: { in: made.slice(5, 8).map((c) => c.id) } }, data: { type: 'RETURN_AND_REFUND', orderShipped: true, state: 'AWAITING_RETURN' } })
    await expectCountsExact()
    // an update that moves no case between groups writes nothing (and changes nothing)
    const before = await db.shopCaseCount.findMany({ where: { shopId: shop.id }, orderBy: [{ state: 'asc' }, { type: 'asc' }, { orderShipped: 'asc' }] })
    await db.afterSalesCase.updateMany({ where: { shopId: shop.id }, data: { flagColor: 'RED' } })
    expect(await db.shopCaseCount.findMany({ where: { shopId: shop.id }, orderBy: [{ state: 'asc' }, { type: 'asc' }, { orderShipped: 'asc' }] })).toEqual(before)
    // a case moved to another shop, and cases deleted
    await db.afterSalesCase.update({ where: { id: made[11]!.id }, data: { shopId: other.id } })
    await db.caseLog.deleteMany({ where: { caseId: { in: [made[9]!.id, made[10]!.id] } } })
    await db.afterSalesCase.deleteMany({ where: { id: { in: [made[9]!.id, made[10]!.id] } } })
    await expectCountsExact()

    const { user, member } = await makeMember(db, shop.id)
    const merchant: MerchantActor = { kind: 'MERCHANT', userId: user.id, displayName: 'm', shopId: shop.id, memberId: member.id, role: 'MAIN', grantedPermissions: [] }
    expect(await workbenchCounts(db, merchant)).toMatchObject({ all: 9, closed: 5, awaitingReceipt: 3, unshippedRefundPending: 1 })
  })

  it('stay exact when many transactions change the same shop at once', async () => {
    const shop = await makeShop(db, 'Busy')
    const b = await makeBuyer(db, 'busy')
    const seeded = []
    for (let i = 0; i < 20; i++) seeded.push((await makeOrderAndCase(db, shop.id, b.buyer.id)).case)
    // 20 concurrent transactions: each opens a case and moves another one between groups.
    const results = await Promise.allSettled(
      seeded.map((c, i) =>
        db.$transaction(async (tx) => {
          await makeOrderAndCase(tx as unknown as typeof db, shop.id, b.buyer.id)
          await tx.afterSalesCase.update({ where: { id: c.id }, data: { state: i % 2 ? 'REFUNDED' : 'CLOSED' } })
        }),
      ),
    )
    expect(results.filter((r) => r.status === 'rejected')).toEqual([])
    await expectCountsExact()
    const counts = await db.shopCaseCount.findMany({ where: { shopId: shop.id } })
    expect(counts.reduce((sum, g) => sum + g.n, 0)).toBe(40)
  })
})
