// Case lists, each scoped by the acting party inside the query itself.
import type { AgentActor, BuyerActor, MerchantActor } from '~/domain/actor'
import type { Db } from '~/infra/db.server'
import { decodeCursor, encodeCursor, PAGE_SIZE } from './pagination'

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

function newestFirstAfter(cursorValue: string | null) {
  const cursor = decodeCursor(cursorValue)
  if (!cursor) return {}
  const at = new Date(cursor.at)
  return { OR: [{ createdAt: { lt: at } }, { createdAt: at, id: { lt: cursor.id } }] }
}

function page<T extends { id: string; createdAt: Date }>(rows: T[]) {
  const items = rows.slice(0, PAGE_SIZE)
  const last = items.at(-1)
  return {
    items,
    nextCursor: rows.length > PAGE_SIZE && last ? encodeCursor({ at: last.createdAt.toISOString(), id: last.id }) : null,
  }
}

export async function listBuyerCases(db: Db, actor: BuyerActor, cursor: string | null) {
  const rows = await db.afterSalesCase.findMany({
    where: { buyerId: actor.buyerId, ...newestFirstAfter(cursor) },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: PAGE_SIZE + 1,
    select: { ...listSelect, shop: { select: { name: true } } },
  })
  return page(rows)
}

export async function listShopCases(db: Db, actor: MerchantActor, cursor: string | null) {
  const rows = await db.afterSalesCase.findMany({
    where: { shopId: actor.shopId, ...newestFirstAfter(cursor) },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: PAGE_SIZE + 1,
    select: listSelect,
  })
  const { items, nextCursor } = page(rows)
  return { items: items.map(({ customerPhone, ...row }) => ({ ...row, maskedPhone: maskPhone(customerPhone) })), nextCursor }
}

export async function listDisputeQueue(db: Db, _actor: AgentActor) {
  const disputes = await db.dispute.findMany({
    where: { status: 'OPEN' },
    orderBy: [{ openedAt: 'asc' }, { id: 'asc' }],
    take: 100,
    select: {
      id: true,
      openedAt: true,
      case: { select: { ...listSelect, shop: { select: { name: true } } } },
      evidenceRequests: {
        where: { status: 'OPEN' },
        orderBy: { dueAt: 'asc' },
        take: 1,
        select: { dueAt: true, party: true },
      },
    },
  })
  return disputes
    .map((d) => ({ disputeId: d.id, openedAt: d.openedAt, case: d.case, evidenceDueAt: d.evidenceRequests[0]?.dueAt ?? null }))
    .sort((a, b) => (a.evidenceDueAt?.getTime() ?? Infinity) - (b.evidenceDueAt?.getTime() ?? Infinity))
}
