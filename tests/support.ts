// Test helpers: the per-file database, a movable clock, and small factories.
import { createDb, type Db } from '~/infra/db.server'
import type { Clock } from '~/infra/clock.server'
import { hashPassword } from '~/services/auth.server'
import type { AgentActor, BuyerActor, MerchantActor } from '~/domain/actor'
import { defaultPolicy, type Policy } from '~/domain/policy'
import type { ServiceDeps } from '~/services/deps'

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

// ─── dispute fixtures ─────────────────────────────────────────────────────────

export function serviceDeps(db: Db, clock: TestClock, policy: Policy = defaultPolicy): ServiceDeps {
  return { db, clock, policy, appUrl: 'http://portal.test' }
}

/** A shop with four members, a buyer, an agent, and a case the merchant rejected an hour ago. */
export async function disputeWorld(db: Db, clock: TestClock) {
  const shop = await makeShop(db, 'Tea')
  const main = await makeMember(db, shop.id, 'MAIN')
  const cs = await makeMember(db, shop.id, 'CS_ADMIN')
  const refunder = await makeMember(db, shop.id, 'CUSTOM', ['HANDLE_AFTER_SALES', 'AGREE_REFUND'])
  const viewer = await makeMember(db, shop.id, 'CUSTOM', ['HANDLE_AFTER_SALES'])
  const otherShop = await makeShop(db, 'Other')
  const outsider = await makeMember(db, otherShop.id, 'MAIN')
  const b = await makeBuyer(db, 'Buyer')
  const agentUser = await makeAgent(db)
  const { order, case: c } = await makeOrderAndCase(db, shop.id, b.buyer.id, { paidAmountFen: 300_00 })
  await db.afterSalesCase.update({
    where: { id: c.id },
    data: { state: 'REJECTED', rejectedAt: new Date(clock.now().getTime() - 3600_000), requestedAmountFen: 250_00 },
  })
  const merchant = (m: { user: { id: string }; member: { id: string; role: 'MAIN' | 'ADMIN' | 'CS_ADMIN' | 'CUSTOM'; permissions: string[] } }, shopId = shop.id): MerchantActor => ({
    kind: 'MERCHANT',
    userId: m.user.id,
    displayName: 'm',
    shopId,
    memberId: m.member.id,
    role: m.member.role,
    grantedPermissions: m.member.permissions as MerchantActor['grantedPermissions'],
  })
  const buyer: BuyerActor = { kind: 'BUYER', userId: b.user.id, buyerId: b.buyer.id, displayName: 'Buyer' }
  const agent: AgentActor = { kind: 'AGENT', userId: agentUser.id, displayName: 'Agent' }
  return {
    shop,
    order,
    case: c,
    buyer,
    agent,
    main: merchant(main),
    cs: merchant(cs),
    refunder: merchant(refunder),
    viewer: merchant(viewer),
    outsider: merchant(outsider, otherShop.id),
    userIds: { main: main.user.id, cs: cs.user.id, refunder: refunder.user.id, viewer: viewer.user.id, buyer: b.user.id },
  }
}
