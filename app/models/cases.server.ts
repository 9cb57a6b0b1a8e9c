// Case lists, each scoped by the acting party inside the query itself.
import type { BuyerActor } from '~/domain/actor'
import type { Db } from '~/infra/db.server'
import { afterCursor, pageOf, PAGE_SIZE } from './pagination'

const listSelect = {
  id: true,
  caseNo: true,
  orderNo: true,
  type: true,
  state: true,
  requestedAmountFen: true,
  customerName: true,
  customerPhone: true,
  nextDeadlineAt: true,
  createdAt: true,
} as const

/** 138****5678: the workbench never shows a full phone number in a list. */
export function maskPhone(phone: string): string {
  return phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '****'
}

export async function listBuyerCases(db: Db, actor: BuyerActor, cursor: string | null, only: 'all' | 'disputes' = 'all') {
  const rows = await db.afterSalesCase.findMany({
    where: { buyerId: actor.buyerId, ...(only === 'disputes' ? { disputes: { some: {} } } : {}), ...afterCursor('createdAt', 'desc', cursor) },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: PAGE_SIZE + 1,
    select: { ...listSelect, shop: { select: { name: true } } },
  })
  return pageOf(rows, (row) => row.createdAt)
}
