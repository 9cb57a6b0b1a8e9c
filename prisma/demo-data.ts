// Demo data: every role, orders in varied states and a case in every state that exists so far,
// including an escalated dispute awaiting merchant evidence with about 13 hours left.
import type { Prisma, PrismaClient } from '~/generated/prisma/client'
import { defaultPolicy } from '~/domain/policy'
import { hashPassword } from '~/services/auth.server'

export const DEMO_PASSWORD = 'demo-pass-2026'

export const DEMO_LOGINS = {
  agent: 'agent@demo.test',
  agent2: 'agent2@demo.test',
  shopAMain: 'main@jade-tea.test',
  shopAAdmin: 'admin@jade-tea.test',
  shopACsAdmin: 'cs@jade-tea.test',
  shopASub: 'sub@jade-tea.test',
  shopBMain: 'main@north-peak.test',
  buyer1: 'buyer1@demo.test',
  buyer2: 'buyer2@demo.test',
  buyer3: 'buyer3@demo.test',
} as const

export const DEMO_API_KEYS = { orderSystem: 'demo-order-system', carrier: 'demo-carrier' } as const

const HOUR = 3600_000
const DAY = 24 * HOUR

type CaseSeed = {
  caseNo: string
  order: { id: string; orderNo: string; customerName: string; customerPhone: string; paidAmountFen: number; shopId: string; buyerId: string; shippedAt: Date | null; returnShippingInsurance: boolean }
  type: 'REFUND_ONLY' | 'RETURN_AND_REFUND'
  state: Prisma.AfterSalesCaseCreateInput['state']
  reason: Prisma.AfterSalesCaseCreateInput['reason']
  description: string
  createdAgoMs: number
  deadlines?: Partial<Record<'merchantRespondBy' | 'buyerShipBy' | 'merchantReceiveBy', Date>>
  extra?: Partial<Prisma.AfterSalesCaseUncheckedCreateInput>
}

export async function seedDemoData(db: PrismaClient, now: Date): Promise<{ seeded: boolean }> {
  if ((await db.user.count()) > 0) return { seeded: false }
  const passwordHash = await hashPassword(DEMO_PASSWORD)
  const at = (offsetMs: number) => new Date(now.getTime() + offsetMs)

  return db.$transaction(
    async (tx) => {
      const user = (email: string, displayName: string, kind: 'BUYER' | 'MERCHANT' | 'AGENT') =>
        tx.user.create({ data: { email, displayName, kind, passwordHash, createdAt: at(-90 * DAY) } })

      const agent = await user(DEMO_LOGINS.agent, '小二 李娜 (Agent Li)', 'AGENT')
      await user(DEMO_LOGINS.agent2, '小二 赵敏 (Agent Zhao)', 'AGENT')

      const shopA = await tx.shop.create({ data: { name: '玉溪茶庄 Jade River Tea', expressRefundEnabled: true } })
      const shopB = await tx.shop.create({ data: { name: '北峰户外 North Peak Outdoor' } })
      const member = async (email: string, name: string, shopId: string, role: 'MAIN' | 'ADMIN' | 'CS_ADMIN' | 'CUSTOM', permissions: ('AGREE_REFUND' | 'HANDLE_AFTER_SALES' | 'MANAGE_SETTINGS')[] = []) => {
        const u = await user(email, name, 'MERCHANT')
        return tx.shopMember.create({ data: { shopId, userId: u.id, role, permissions } })
      }
      await member(DEMO_LOGINS.shopAMain, '张伟 (Zhang Wei)', shopA.id, 'MAIN')
      await member(DEMO_LOGINS.shopAAdmin, '刘洋 (Liu Yang)', shopA.id, 'ADMIN')
      await member(DEMO_LOGINS.shopACsAdmin, '陈静 (Chen Jing)', shopA.id, 'CS_ADMIN')
      await member(DEMO_LOGINS.shopASub, '赵敏 (Zhao Min)', shopA.id, 'CUSTOM', ['HANDLE_AFTER_SALES', 'AGREE_REFUND'])
      await member(DEMO_LOGINS.shopBMain, '孙强 (Sun Qiang)', shopB.id, 'MAIN')

      const buyer = async (email: string, name: string, nickname: string) => {
        const u = await user(email, name, 'BUYER')
        return tx.buyer.create({ data: { userId: u.id, nickname } })
      }
      const buyer1 = await buyer(DEMO_LOGINS.buyer1, '王小明 (Wang Xiaoming)', '小明')
      const buyer2 = await buyer(DEMO_LOGINS.buyer2, '李华 (Li Hua)', '华华')
      const buyer3 = await buyer(DEMO_LOGINS.buyer3, '周婷 (Zhou Ting)', '婷婷')

      let orderSeq = 0
      const order = async (
        shop: { id: string },
        b: { id: string },
        who: { name: string; phone: string },
        item: string,
        paidAmountFen: number,
        paidAgoMs: number,
        options: Partial<Prisma.OrderUncheckedCreateInput> = {},
      ) => {
        orderSeq++
        return tx.order.create({
          data: {
            orderNo: `2611${String(22_000_000_000_000 + orderSeq * 7919).padStart(15, '0')}`,
            shopId: shop.id,
            buyerId: b.id,
            itemTitle: item,
            paidAmountFen,
            paidAt: at(-paidAgoMs),
            customerName: who.name,
            customerPhone: who.phone,
            createdAt: at(-paidAgoMs),
            ...options,
          },
        })
      }
      const wang = { name: '王小明', phone: '13800138001' }
      const li = { name: '李华', phone: '13900139002' }
      const zhou = { name: '周婷', phone: '13700137003' }

      // 售后地址: each shop's return address book, one default.
      const address = (shopId: string, label: string, contactName: string, phone: string, line: string, isDefault: boolean) =>
        tx.shopAddress.create({ data: { shopId, label, contactName, phone, address: line, isDefault, createdAt: at(-90 * DAY) } })
      const teaWarehouse = await address(shopA.id, '杭州仓 Hangzhou warehouse', '张伟', '0571-88886666', '浙江省杭州市西湖区龙井路 18 号 玉溪茶庄售后部', true)
      await address(shopA.id, '昆明仓 Kunming warehouse', '刘洋', '0871-66668888', '云南省昆明市五华区茶城大道 9 号', false)
      await address(shopB.id, '成都仓 Chengdu warehouse', '孙强', '028-85556666', '四川省成都市武侯区天府大道 66 号 北峰户外退货组', true)
      const returnAddress = { label: teaWarehouse.label, contactName: teaWarehouse.contactName, phone: teaWarehouse.phone, address: teaWarehouse.address }

      const oPending = await order(shopA, buyer1, wang, '明前龙井 250g', 268_00, 2 * DAY, { expressRefundBadge: true })
      const oReturn = await order(shopA, buyer2, li, '紫砂壶 西施 200ml', 458_00, 9 * DAY, { shippedAt: at(-8 * DAY), returnShippingInsurance: true })
      const oReceipt = await order(shopA, buyer1, wang, '白瓷茶具套装', 329_00, 15 * DAY, { shippedAt: at(-14 * DAY) })
      const oRejected = await order(shopB, buyer3, zhou, '防风冲锋衣 L', 899_00, 20 * DAY, { shippedAt: at(-19 * DAY) })
      const oDispute = await order(shopA, buyer2, li, '普洱茶饼 357g', 1_288_00, 12 * DAY, { shippedAt: at(-11 * DAY) })
      const oRefunded = await order(shopB, buyer1, wang, '登山杖 一对', 159_00, 30 * DAY, { refundedAt: at(-25 * DAY), refundReservedFen: 159_00 })
      const oClosed = await order(shopA, buyer3, zhou, '茶叶会员卡 (虚拟)', 99_00, 40 * DAY, { isVirtual: true })
      await order(shopA, buyer1, wang, '桂花乌龙 100g', 88_00, 1 * DAY, { expressRefundBadge: true })
      await order(shopB, buyer2, li, '速干T恤 M', 129_00, 5 * DAY, { shippedAt: at(-4 * DAY) })
      await order(shopA, buyer3, zhou, '茉莉花茶 200g', 76_00, 3 * DAY, { shippedAt: at(-2 * DAY) })
      const oUnclaimed = await order(shopB, buyer1, wang, '双肩背包 30L', 399_00, 8 * DAY, { shippedAt: at(-7 * DAY) })
      // For trying a second round with the platform: a shipped tea set buyer1 can return to 玉溪茶庄.
      await order(shopA, buyer1, wang, '青瓷茶杯 一对', 198_00, 6 * DAY, { shippedAt: at(-5 * DAY) })

      const mkCase = async (seed: CaseSeed) => {
        const deadlines = seed.deadlines ?? {}
        const next = deadlines.merchantRespondBy ?? deadlines.buyerShipBy ?? deadlines.merchantReceiveBy ?? null
        const created = await tx.afterSalesCase.create({
          data: {
            caseNo: seed.caseNo,
            orderId: seed.order.id,
            shopId: seed.order.shopId,
            buyerId: seed.order.buyerId,
            type: seed.type,
            state: seed.state,
            reason: seed.reason,
            description: seed.description,
            requestedAmountFen: seed.order.paidAmountFen,
            orderNo: seed.order.orderNo,
            customerName: seed.order.customerName,
            customerPhone: seed.order.customerPhone,
            createdAt: at(-seed.createdAgoMs),
            nextDeadlineAt: next,
            orderShipped: seed.order.shippedAt !== null,
            returnShippingInsurance: seed.order.returnShippingInsurance,
            ...deadlines,
            ...seed.extra,
          },
        })
        await tx.caseLog.create({
          data: { caseId: created.id, at: at(-seed.createdAgoMs), actorKind: 'BUYER', actorUserId: null, actorRole: 'buyer', action: 'case.opened', toState: 'PENDING_MERCHANT' },
        })
        await tx.negotiationEntry.create({
          data: { caseId: created.id, at: at(-seed.createdAgoMs), role: 'BUYER', kind: 'request', message: seed.description, amountFen: seed.order.paidAmountFen },
        })
        return created
      }

      const respondMs = defaultPolicy.refundOnly.merchantRespondMs
      await mkCase({
        caseNo: 'AS2611220001', order: oPending, type: 'REFUND_ONLY', state: 'PENDING_MERCHANT', reason: 'NO_LONGER_NEEDED',
        description: '拍错了，还没发货，请退款。', createdAgoMs: 18 * HOUR, deadlines: { merchantRespondBy: at(respondMs - 18 * HOUR) },
      })
      await mkCase({
        caseNo: 'AS2611220002', order: oReturn, type: 'RETURN_AND_REFUND', state: 'AWAITING_RETURN', reason: 'QUALITY_ISSUE',
        description: '壶盖有裂纹。', createdAgoMs: 3 * DAY, deadlines: { buyerShipBy: at(defaultPolicy.returnAndRefund.buyerShipMs - 2 * DAY) },
        extra: { returnAddress },
      })
      await mkCase({
        caseNo: 'AS2611220003', order: oReceipt, type: 'RETURN_AND_REFUND', state: 'AWAITING_RECEIPT', reason: 'DAMAGED',
        description: '两个杯子碎了。', createdAgoMs: 6 * DAY, deadlines: { merchantReceiveBy: at(defaultPolicy.returnAndRefund.merchantReceiveMs - 4 * DAY) },
        extra: { returnAddress, returnCourier: 'SF', returnTrackingNo: 'SF1234567890123', trackingUploadedAt: at(-4 * DAY), trackingUploadedBy: 'BUYER' },
      })
      const rejected = await mkCase({
        caseNo: 'AS2611220004', order: oRejected, type: 'REFUND_ONLY', state: 'REJECTED', reason: 'NOT_AS_DESCRIBED',
        description: '颜色和图片不一样。', createdAgoMs: 4 * DAY, extra: { rejectedAt: at(-2 * DAY), rejectionReason: 'ITEM_AS_DESCRIBED' },
      })
      await tx.caseLog.create({
        data: { caseId: rejected.id, at: at(-2 * DAY), actorKind: 'MERCHANT', actorRole: 'MAIN', action: 'case.rejected', fromState: 'PENDING_MERCHANT', toState: 'REJECTED', details: { reason: 'ITEM_AS_DESCRIBED', files: 0 } },
      })
      await tx.negotiationEntry.create({
        data: { caseId: rejected.id, at: at(-2 * DAY), role: 'MERCHANT', kind: 'reject', message: '颜色与详情页一致，属于显示器色差。', details: { reason: 'ITEM_AS_DESCRIBED' } },
      })
      const disputed = await mkCase({
        caseNo: 'AS2611220005', order: oDispute, type: 'REFUND_ONLY', state: 'IN_DISPUTE', reason: 'NOT_AS_DESCRIBED',
        description: '茶饼发霉，与描述不符。', createdAgoMs: 5 * DAY, extra: { rejectedAt: at(-3 * DAY), escalatedAt: at(-2 * DAY) },
      })
      await mkCase({
        caseNo: 'AS2611220006', order: oRefunded, type: 'REFUND_ONLY', state: 'REFUNDED', reason: 'NOT_RECEIVED',
        description: '物流显示丢件。', createdAgoMs: 27 * DAY, extra: { closedAt: at(-25 * DAY) },
      })
      await mkCase({
        caseNo: 'AS2611220007', order: oClosed, type: 'REFUND_ONLY', state: 'CLOSED', reason: 'OTHER',
        description: '已与商家协商，撤销申请。', createdAgoMs: 35 * DAY, extra: { closedAt: at(-34 * DAY) },
      })

      // A fresh escalation nobody has claimed yet: the agent console's 未分配 tab.
      const unclaimed = await mkCase({
        caseNo: 'AS2611220008', order: oUnclaimed, type: 'REFUND_ONLY', state: 'IN_DISPUTE', reason: 'QUALITY_ISSUE',
        description: '背包拉链坏了。', createdAgoMs: 2 * DAY, extra: { rejectedAt: at(-1 * DAY), escalatedAt: at(-6 * HOUR) },
      })
      await tx.dispute.create({
        data: { caseId: unclaimed.id, shopId: unclaimed.shopId, openedByRole: 'BUYER', openedById: buyer1.userId, reason: 'MERCHANT_REJECTED_UNFAIRLY', description: '商家说是人为损坏。', openedAt: at(-6 * HOUR) },
      })
      await tx.caseLog.createMany({
        data: [
          { caseId: unclaimed.id, at: at(-1 * DAY), actorKind: 'MERCHANT', actorRole: 'MAIN', action: 'case.rejected', fromState: 'PENDING_MERCHANT', toState: 'REJECTED' },
          { caseId: unclaimed.id, at: at(-6 * HOUR), actorKind: 'BUYER', actorUserId: buyer1.userId, actorRole: 'buyer', action: 'dispute.escalated', fromState: 'REJECTED', toState: 'IN_DISPUTE' },
        ],
      })

      const refunded = await tx.afterSalesCase.findUniqueOrThrow({ where: { caseNo: 'AS2611220006' } })
      await tx.refund.create({
        data: {
          caseId: refunded.id,
          orderId: oRefunded.id,
          amountFen: oRefunded.paidAmountFen,
          status: 'SUCCEEDED',
          actorKind: 'MERCHANT',
          idempotencyKey: `demo-${refunded.caseNo}`,
          nextAttemptAt: at(-25 * DAY),
          createdAt: at(-25 * DAY),
          submittedAt: at(-25 * DAY),
          completedAt: at(-25 * DAY),
        },
      })

      // The heart of the product: an open dispute, merchant evidence due in ~13 hours.
      const dispute = await tx.dispute.create({
        data: {
          caseId: disputed.id, shopId: disputed.shopId, openedByRole: 'BUYER', openedById: buyer2.userId, reason: 'MERCHANT_REJECTED_UNFAIRLY',
          description: '商家拒绝退款，但茶饼明显发霉。', openedAt: at(-2 * DAY), assignedAgentId: agent.id,
        },
      })
      const evidenceMs = defaultPolicy.dispute.merchantEvidenceMs
      const dueAt = at(13 * HOUR)
      await tx.evidenceRequest.create({
        data: {
          disputeId: dispute.id, caseId: disputed.id, party: 'MERCHANT', requestedById: agent.id,
          instructions: '请提供发货前的茶饼实拍照片及仓储记录。', checklist: ['发货前实拍照片', '仓储温湿度记录'],
          createdAt: new Date(dueAt.getTime() - evidenceMs), dueAt,
        },
      })
      await tx.afterSalesCase.update({ where: { id: disputed.id }, data: { nextDeadlineAt: dueAt } })
      await tx.caseLog.createMany({
        data: [
          { caseId: disputed.id, at: at(-3 * DAY), actorKind: 'MERCHANT', actorRole: 'MAIN', action: 'case.rejected', fromState: 'PENDING_MERCHANT', toState: 'REJECTED' },
          { caseId: disputed.id, at: at(-2 * DAY), actorKind: 'BUYER', actorUserId: buyer2.userId, actorRole: 'buyer', action: 'dispute.escalated', fromState: 'REJECTED', toState: 'IN_DISPUTE' },
          { caseId: disputed.id, at: new Date(dueAt.getTime() - evidenceMs), actorKind: 'AGENT', actorUserId: agent.id, actorRole: 'agent', action: 'evidence.requested', details: { party: 'MERCHANT' } },
        ],
      })
      // Two integrations for trying the API (docs/api.md): secrets via `npm run api:key -- show <keyId>`.
      await tx.apiIntegration.createMany({
        data: [
          { keyId: DEMO_API_KEYS.orderSystem, name: '演示订单系统 Demo order system', kind: 'ORDER_SYSTEM', createdAt: at(-90 * DAY) },
          { keyId: DEMO_API_KEYS.carrier, name: '演示承运商 Demo carrier', kind: 'CARRIER', createdAt: at(-90 * DAY) },
        ],
      })
      return { seeded: true }
    },
    { timeout: 60_000 },
  )
}
