// The buyer's orders, newest payment first, each with whether a new after-sales request may be
// opened on it now (the same rule the service enforces).
import type { BuyerActor } from '~/domain/actor'
import { canOpenRequest } from '~/domain/lifecycle'
import { refundStanding } from '~/domain/money'
import type { Db } from '~/infra/db.server'
import { afterCursor, pageOf, PAGE_SIZE } from './pagination'

export async function listBuyerOrders(db: Db, buyer: BuyerActor, cursor: string | null) {
  const rows = await db.order.findMany({
    where: { buyerId: buyer.buyerId, ...afterCursor('paidAt', 'desc', cursor) },
    orderBy: [{ paidAt: 'desc' }, { id: 'desc' }],
    take: PAGE_SIZE + 1,
    select: {
      id: true,
      orderNo: true,
      itemTitle: true,
      paidAmountFen: true,
      paidAt: true,
      shippedAt: true,
      refundReservedFen: true,
      refunds: { select: { amountFen: true, status: true } },
      shop: { select: { name: true } },
      cases: { orderBy: { createdAt: 'desc' }, select: { caseNo: true, state: true, _count: { select: { rulings: true } } } },
    },
  })
  const page = pageOf(rows, (row) => row.paidAt)
  return {
    ...page,
    items: page.items.map(({ refunds, refundReservedFen, cases, ...order }) => ({
      ...order,
      latestCase: cases[0] ? { caseNo: cases[0].caseNo, state: cases[0].state } : null,
      refund: refundStanding(order.paidAmountFen, refunds),
      // A refund pending counts like a paid one: the balance decides (the same rule the service enforces).
      mayRequest: canOpenRequest(
        cases.map((c) => ({ state: c.state, ruled: c._count.rulings > 0 })),
        order.paidAmountFen - refundReservedFen,
      ).ok,
    })),
  }
}

/** One of the buyer's orders, for the request form; null when it is not theirs. */
export function findBuyerOrder(db: Db, buyer: BuyerActor, orderNo: string) {
  return db.order.findFirst({
    where: { orderNo, buyerId: buyer.buyerId },
    select: { orderNo: true, itemTitle: true, paidAmountFen: true, refundReservedFen: true, shippedAt: true, shop: { select: { name: true } } },
  })
}
