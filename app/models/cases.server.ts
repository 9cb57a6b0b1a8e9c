// Case lists, each scoped by the acting party inside the query itself.
import type { AgentActor, BuyerActor, MerchantActor } from '~/domain/actor'
import type { Db } from '~/infra/db.server'
import type { QueueFilter, WorkbenchTab } from './list-filters'
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

/** The workbench: newest first, or for "awaiting evidence" the nearest deadline first. */
export async function listShopCases(db: Db, actor: MerchantActor, cursor: string | null, tab: WorkbenchTab = 'all') {
  // Tabs of work against a clock are sorted by the nearest deadline.
  const byDeadline = tab === 'awaitingEvidence' || tab === 'awaitingReceipt'
  const rows = await db.afterSalesCase.findMany({
    where: {
      shopId: actor.shopId,
      ...(tab === 'awaitingEvidence'
        ? { state: 'IN_DISPUTE', nextDeadlineAt: { not: null }, evidenceRequests: { some: { status: 'OPEN', party: 'MERCHANT' } } }
        : {}),
      // 极速退款: refunded at once, so the merchant can stop the parcel.
      ...(tab === 'expressRefund' ? { expressRefund: true } : {}),
      // 待收货: returns on their way back, whether or not the buyer has entered the tracking number.
      ...(tab === 'awaitingReceipt' ? { state: { in: ['AWAITING_RETURN', 'AWAITING_RECEIPT'] }, nextDeadlineAt: { not: null } } : {}),
      ...(byDeadline ? afterCursor('nextDeadlineAt', 'asc', cursor) : afterCursor('createdAt', 'desc', cursor)),
    },
    orderBy: byDeadline ? [{ nextDeadlineAt: 'asc' }, { id: 'asc' }] : [{ createdAt: 'desc' }, { id: 'desc' }],
    take: PAGE_SIZE + 1,
    select: { ...listSelect, order: { select: { returnShippingInsurance: true } } },
  })
  const { items, nextCursor } = pageOf(rows, (row) => (byDeadline ? row.nextDeadlineAt : row.createdAt))
  return {
    items: items.map(({ customerPhone, order, ...row }) => ({ ...row, returnShippingInsurance: order.returnShippingInsurance, maskedPhone: maskPhone(customerPhone) })),
    nextCursor,
  }
}

/** Open disputes, nearest evidence deadline first, then the oldest. */
export async function listDisputeQueue(db: Db, actor: AgentActor, filter: QueueFilter = 'all') {
  const open = { status: 'OPEN' as const }
  const disputes = await db.dispute.findMany({
    where: {
      status: 'OPEN',
      ...(filter === 'awaitingEvidence' ? { evidenceRequests: { some: open } } : {}),
      ...(filter === 'readyToRule' ? { evidenceRequests: { none: open } } : {}),
      ...(filter === 'mine' ? { assignedAgentId: actor.userId } : {}),
    },
    // The case's nextDeadlineAt is its earliest open evidence deadline.
    orderBy: [{ case: { nextDeadlineAt: { sort: 'asc', nulls: 'last' } } }, { openedAt: 'asc' }, { id: 'asc' }],
    take: 100,
    select: {
      id: true,
      openedAt: true,
      assignedAgentId: true,
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
    .map((d) => ({
      disputeId: d.id,
      openedAt: d.openedAt,
      case: d.case,
      evidenceDueAt: d.evidenceRequests[0]?.dueAt ?? null,
      evidenceParty: d.evidenceRequests[0]?.party ?? null,
      mine: d.assignedAgentId === actor.userId,
    }))
}
