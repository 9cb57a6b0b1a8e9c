// Test helpers: the per-file database, a movable clock, and small factories.
import { createDb, type Db } from '~/infra/db.server'
import type { Clock } from '~/infra/clock.server'
import { hashPassword } from '~/services/auth.server'

export function testDb(): Db {
  return createDb(process.env.DATABASE_URL!, 5)
}

/** A clock frozen at a given instant, moved only by the test. */
export class TestClock implements Clock {
  private current: Date
  constructor(start = new Date('2026-11-22T02:00:00Z')) {
    this.current = new Date(start)
  }
  now() {
    return new Date(this.current)
  }
  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms)
  }
}

let seq = 0
const unique = () => `${Date.now().toString(36)}${(++seq).toString(36)}`

let cachedHash: Promise<string> | undefined
export const TEST_PASSWORD = 'correct horse battery staple'
const passwordHash = () => (cachedHash ??= hashPassword(TEST_PASSWORD))

export async function makeBuyer(db: Db, name = 'Buyer') {
  const user = await db.user.create({
    data: { email: `buyer-${unique()}@test.local`, displayName: name, kind: 'BUYER', passwordHash: await passwordHash() },
  })
  const buyer = await db.buyer.create({ data: { userId: user.id, nickname: name } })
  return { user, buyer }
}

export async function makeShop(db: Db, name = 'Shop') {
  return db.shop.create({ data: { name: `${name} ${unique()}` } })
}

export async function makeMember(
  db: Db,
  shopId: string,
  role: 'MAIN' | 'ADMIN' | 'CS_ADMIN' | 'CUSTOM' = 'MAIN',
  permissions: ('AGREE_REFUND' | 'HANDLE_AFTER_SALES' | 'MANAGE_SETTINGS')[] = [],
) {
  const user = await db.user.create({
    data: { email: `member-${unique()}@test.local`, displayName: 'Member', kind: 'MERCHANT', passwordHash: await passwordHash() },
  })
  const member = await db.shopMember.create({ data: { shopId, userId: user.id, role, permissions } })
  return { user, member }
}

export async function makeAgent(db: Db) {
  return db.user.create({
    data: { email: `agent-${unique()}@test.local`, displayName: 'Agent', kind: 'AGENT', passwordHash: await passwordHash() },
  })
}

export async function makeOrderAndCase(
  db: Db,
  shopId: string,
  buyerId: string,
  overrides: { state?: 'PENDING_MERCHANT' | 'IN_DISPUTE' | 'REFUNDED'; createdAt?: Date; paidAmountFen?: number } = {},
) {
  const orderNo = `O${unique()}`
  const paidAmountFen = overrides.paidAmountFen ?? 100_00
  const order = await db.order.create({
    data: {
      orderNo,
      shopId,
      buyerId,
      itemTitle: 'Item',
      paidAmountFen,
      paidAt: new Date('2026-11-20T00:00:00Z'),
      customerName: 'Customer',
      customerPhone: '13800000000',
    },
  })
  const created = await db.afterSalesCase.create({
    data: {
      caseNo: `AS${unique()}`,
      orderId: order.id,
      shopId,
      buyerId,
      type: 'REFUND_ONLY',
      state: overrides.state ?? 'PENDING_MERCHANT',
      reason: 'OTHER',
      requestedAmountFen: paidAmountFen,
      orderNo,
      customerName: order.customerName,
      customerPhone: order.customerPhone,
      createdAt: overrides.createdAt ?? new Date(),
    },
  })
  return { order, case: created }
}
