// The case page's data, shaped for the viewer: each party sees its own evidence and requests;
// agents see both sides and the internal note. The case itself is found only within the viewer's
// scope, so another party's case is "not found".
import type { Actor } from '~/domain/actor'
import { merchantCan } from '~/domain/actor'
import { transitionCase, type Party } from '~/domain/dispute'
import type { Policy } from '~/domain/policy'
import type { Prisma } from '~/generated/prisma/client'
import type { Db } from '~/infra/db.server'
import { maskPhone } from './cases.server'

function scope(actor: Actor, caseNo: string): Prisma.AfterSalesCaseWhereInput {
  switch (actor.kind) {
    case 'BUYER':
      return { caseNo, buyerId: actor.buyerId }
    case 'MERCHANT':
      return { caseNo, shopId: actor.shopId }
    case 'AGENT':
      return { caseNo, disputes: { some: {} } }
  }
}

const viewerParty = (actor: Actor): Party | null => (actor.kind === 'BUYER' ? 'BUYER' : actor.kind === 'MERCHANT' ? 'MERCHANT' : null)

export async function loadCaseView(db: Db, actor: Actor, caseNo: string, now: Date, policy: Policy) {
  const found = await db.afterSalesCase.findFirst({
    where: scope(actor, caseNo),
    select: {
      id: true,
      caseNo: true,
      orderNo: true,
      type: true,
      state: true,
      reason: true,
      description: true,
      requestedAmountFen: true,
      customerName: true,
      customerPhone: true,
      createdAt: true,
      rejectedAt: true,
      escalatedAt: true,
      closedAt: true,
      nextDeadlineAt: true,
      shop: { select: { name: true } },
      order: { select: { itemTitle: true, paidAmountFen: true, paidAt: true, refundedAt: true } },
      buyer: { select: { nickname: true } },
      disputes: {
        orderBy: { openedAt: 'desc' },
        take: 1,
        select: { id: true, status: true, reason: true, description: true, openedAt: true, openedByRole: true, assignedAgentId: true },
      },
      ruling: {
        select: {
          id: true,
          actorKind: true,
          ruleId: true,
          liableParty: true,
          outcome: true,
          refundAmountFen: true,
          rationale: true,
          internalNote: true,
          reliedEvidenceIds: true,
          createdAt: true,
        },
      },
      refunds: { orderBy: { createdAt: 'asc' }, select: { id: true, amountFen: true, status: true, createdAt: true, completedAt: true } },
    },
  })
  if (!found) return null
  const party = viewerParty(actor)
  const isAgent = actor.kind === 'AGENT'

  const [requests, items, logs] = await Promise.all([
    db.evidenceRequest.findMany({
      where: { caseId: found.id, ...(party ? { party } : {}) },
      orderBy: { createdAt: 'asc' },
      select: {
        id: true,
        party: true,
        instructions: true,
        checklist: true,
        createdAt: true,
        dueAt: true,
        status: true,
        explanation: true,
        submittedAt: true,
        reminderSentAt: true,
      },
    }),
    db.evidenceItem.findMany({
      where: { caseId: found.id, status: { not: 'REMOVED' }, ...(party ? { uploadedByRole: party } : {}) },
      orderBy: { createdAt: 'asc' },
      select: { id: true, requestId: true, fileName: true, sizeBytes: true, contentType: true, sha256: true, status: true, uploadedByRole: true, createdAt: true },
    }),
    db.caseLog.findMany({
      where: { caseId: found.id },
      orderBy: [{ at: 'asc' }, { id: 'asc' }],
      select: { id: true, at: true, actorKind: true, actorRole: true, action: true, fromState: true, toState: true, ruleId: true, details: true },
    }),
  ])

  const dispute = found.disputes[0] ?? null
  const escalation = party ? transitionCase(found.state, { type: 'ESCALATE', now, rejectedAt: found.rejectedAt }, policy) : null
  const mayEscalate =
    (actor.kind === 'BUYER' || (actor.kind === 'MERCHANT' && merchantCan(actor, 'AGREE_REFUND'))) && escalation?.ok === true
  const mayRespond = actor.kind === 'BUYER' || (actor.kind === 'MERCHANT' && merchantCan(actor, 'HANDLE_AFTER_SALES'))

  const evidence = items.map((item) => ({ ...item, sizeBytes: Number(item.sizeBytes) }))
  return {
    case: {
      id: found.id,
      caseNo: found.caseNo,
      orderNo: found.orderNo,
      type: found.type,
      state: found.state,
      reason: found.reason,
      description: found.description,
      requestedAmountFen: found.requestedAmountFen,
      createdAt: found.createdAt,
      closedAt: found.closedAt,
      shopName: found.shop.name,
      buyerNickname: found.buyer.nickname,
      // Only the merchant handling the order needs the customer; even it sees a masked phone.
      customer: actor.kind === 'BUYER' ? null : { name: found.customerName, phone: maskPhone(found.customerPhone) },
      itemTitle: found.order.itemTitle,
      paidAmountFen: found.order.paidAmountFen,
      refundedAt: found.order.refundedAt,
    },
    dispute: dispute && { ...dispute, assignedToMe: dispute.assignedAgentId === actor.userId },
    requests: requests.map((request) => ({
      ...request,
      items: evidence.filter((item) => item.requestId === request.id),
      mine: party === request.party,
      open: request.status === 'OPEN' && now < request.dueAt,
    })),
    escalationFiles: evidence.filter((item) => item.requestId === null),
    ruling: found.ruling && { ...found.ruling, internalNote: isAgent ? found.ruling.internalNote : null },
    refunds: found.refunds,
    log: logs,
    viewer: { kind: actor.kind, party, mayEscalate, mayRespond, escalationRefusal: escalation && !escalation.ok ? escalation.error : null },
  }
}

export type CaseView = NonNullable<Awaited<ReturnType<typeof loadCaseView>>>

/** The evidence item if the actor may see it: its own party's, or any for agents. */
export async function findEvidenceItemFor(db: Db, actor: Actor, itemId: string) {
  const party = viewerParty(actor)
  return db.evidenceItem.findFirst({
    where: {
      id: itemId,
      status: { not: 'REMOVED' },
      ...(party ? { uploadedByRole: party } : {}),
      case: actor.kind === 'BUYER' ? { buyerId: actor.buyerId } : actor.kind === 'MERCHANT' ? { shopId: actor.shopId } : { disputes: { some: {} } },
    },
    select: { s3Key: true, fileName: true, contentType: true },
  })
}
