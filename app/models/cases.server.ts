// Case lists, each scoped by the acting party inside the query itself.
import type { AgentActor, BuyerActor, MerchantActor } from '~/domain/actor'
import type { Db } from '~/infra/db.server'
import type { QueueFilter } from './list-filters'
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
