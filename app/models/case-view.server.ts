// The case page's data, shaped for the viewer: each party sees its own evidence and requests;
// agents see both sides and the internal note. The case itself is found only within the viewer's
// scope, so another party's case is "not found".
import type { Actor } from '~/domain/actor'
import { merchantCan } from '~/domain/actor'
import { AGENT_ONLY_LOG_ACTIONS, transitionCase, type Party } from '~/domain/dispute'
import { currentDeadline, extensionAvailableAt, transitionLifecycle, type LifecycleEvent } from '~/domain/lifecycle'
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

/**
 * Files a party may see: its own dispute files, and the proofs of the negotiation (the buyer's
 * request proof, the merchant's rejection proof), which both parties see. Agents see all.
 */
function visibleTo(party: Party | null): Prisma.EvidenceItemWhereInput {
  if (!party) return {}
  return { OR: [{ uploadedByRole: party }, { purpose: { in: ['REQUEST_PROOF', 'REJECTION_PROOF'] } }] }
}

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
      merchantRespondBy: true,
      buyerShipBy: true,
      merchantReceiveBy: true,
      expressRefund: true,
      autoDecisionRuleId: true,
      returnAddress: true,
      returnSmsNotice: true,
      returnCourier: true,
      returnTrackingNo: true,
      trackingUploadedAt: true,
      trackingUploadedBy: true,
      parcelSignedAt: true,
      receiptExtensions: true,
      rejectionReason: true,
      offlineResolution: true,
      shopId: true,
      shop: { select: { name: true } },
      order: { select: { itemTitle: true, paidAmountFen: true, paidAt: true, refundedAt: true, returnShippingInsurance: true } },
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

  const [requests, items, logs, negotiation, addresses] = await Promise.all([
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
      where: { caseId: found.id, status: { not: 'REMOVED' }, ...visibleTo(party) },
      orderBy: { createdAt: 'asc' },
      select: { id: true, purpose: true, requestId: true, fileName: true, sizeBytes: true, contentType: true, sha256: true, status: true, uploadedByRole: true, createdAt: true },
    }),
    db.caseLog.findMany({
      // Who works the dispute inside the platform is the agents' business.
      where: { caseId: found.id, ...(isAgent ? {} : { action: { notIn: [...AGENT_ONLY_LOG_ACTIONS] } }) },
      orderBy: [{ at: 'asc' }, { id: 'asc' }],
      select: { id: true, at: true, actorKind: true, actorRole: true, action: true, fromState: true, toState: true, ruleId: true, details: true },
    }),
    db.negotiationEntry.findMany({
      where: { caseId: found.id },
      orderBy: [{ at: 'asc' }, { id: 'asc' }],
      select: { id: true, at: true, role: true, kind: true, message: true, amountFen: true, details: true },
    }),
    // The merchant picks a return address from its own book.
    actor.kind === 'MERCHANT' && found.state === 'PENDING_MERCHANT' && found.type === 'RETURN_AND_REFUND'
      ? db.shopAddress.findMany({
          where: { shopId: found.shopId, archivedAt: null },
          orderBy: [{ isDefault: 'desc' }, { createdAt: 'asc' }],
          select: { id: true, label: true, contactName: true, phone: true, address: true, isDefault: true },
        })
      : Promise.resolve([]),
  ])

  const dispute = found.disputes[0] ?? null
  const escalation = party ? transitionCase(found.state, { type: 'ESCALATE', now, rejectedAt: found.rejectedAt }, policy) : null
  const mayEscalate =
    (actor.kind === 'BUYER' || (actor.kind === 'MERCHANT' && merchantCan(actor, 'AGREE_REFUND'))) && escalation?.ok === true
  const mayRespond = actor.kind === 'BUYER' || (actor.kind === 'MERCHANT' && merchantCan(actor, 'HANDLE_AFTER_SALES'))
  const lifecycleCase = { ...found, returnShippingInsurance: found.order.returnShippingInsurance }
  /** Whether the pure core would accept the event now: the page offers only what would work. */
  const allows = (event: LifecycleEvent) => transitionLifecycle(lifecycleCase, event, now, policy).ok
  const merchantMay = (permission: 'AGREE_REFUND' | 'HANDLE_AFTER_SALES') => actor.kind === 'MERCHANT' && merchantCan(actor, permission)
  const lifecycleActions = {
    approve: merchantMay('AGREE_REFUND') && allows({ type: 'APPROVE', hasReturnAddress: true }),
    reject: merchantMay('HANDLE_AFTER_SALES') && allows({ type: 'REJECT', proofFiles: 1 }),
    directRefund: merchantMay('AGREE_REFUND') && allows({ type: 'DIRECT_REFUND' }),
    shipReturn: (actor.kind === 'BUYER' || merchantMay('AGREE_REFUND')) && allows({ type: 'SHIP_RETURN' }),
    confirmReceipt: merchantMay('AGREE_REFUND') && allows({ type: 'CONFIRM_RECEIPT', insuranceWarningAccepted: true }),
    rejectAfterReceipt: merchantMay('HANDLE_AFTER_SALES') && allows({ type: 'REJECT_AFTER_RECEIPT', proofFiles: 1 }),
    extendReceipt: merchantMay('HANDLE_AFTER_SALES') && allows({ type: 'EXTEND_RECEIPT' }),
    offlineResolution: merchantMay('HANDLE_AFTER_SALES') && allows({ type: 'CANCEL_FOR_OFFLINE_RESOLUTION' }),
    withdraw: actor.kind === 'BUYER' && allows({ type: 'BUYER_WITHDRAW' }),
  }
  const insuranceWarning = found.state === 'AWAITING_RETURN' && found.order.returnShippingInsurance

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
      returnShippingInsurance: found.order.returnShippingInsurance,
    },
    lifecycle: {
      deadline: currentDeadline(found),
      expressRefund: found.expressRefund,
      autoDecisionRuleId: found.autoDecisionRuleId,
      returnAddress: found.returnAddress as ReturnAddress | null,
      returnSmsNotice: found.returnSmsNotice,
      returnCourier: found.returnCourier,
      returnTrackingNo: found.returnTrackingNo,
      trackingUploadedAt: found.trackingUploadedAt,
      trackingUploadedBy: found.trackingUploadedBy,
      rejectionReason: found.rejectionReason,
      offlineResolution: found.offlineResolution,
      extensionAvailableAt: found.trackingUploadedAt && found.receiptExtensions === 0 ? extensionAvailableAt(found.trackingUploadedAt, policy) : null,
      actions: lifecycleActions,
      insuranceWarning,
      addresses,
    },
    negotiation,
    dispute: dispute && { ...dispute, assignedToMe: dispute.assignedAgentId === actor.userId },
    requests: requests.map((request) => ({
      ...request,
      items: evidence.filter((item) => item.requestId === request.id),
      mine: party === request.party,
      open: request.status === 'OPEN' && now < request.dueAt,
    })),
    escalationFiles: evidence.filter((item) => item.purpose === 'ESCALATION'),
    requestProofs: evidence.filter((item) => item.purpose === 'REQUEST_PROOF'),
    rejectionProofs: evidence.filter((item) => item.purpose === 'REJECTION_PROOF'),
    ruling: found.ruling && { ...found.ruling, internalNote: isAgent ? found.ruling.internalNote : null },
    refunds: found.refunds,
    log: logs,
    viewer: { kind: actor.kind, party, mayEscalate, mayRespond, escalationRefusal: escalation && !escalation.ok ? escalation.error : null },
  }
}

export type ReturnAddress = { label: string; contactName: string; phone: string; address: string }

export type CaseView = NonNullable<Awaited<ReturnType<typeof loadCaseView>>>

/** The evidence item if the actor may see it: its own party's, or any for agents. */
export async function findEvidenceItemFor(db: Db, actor: Actor, itemId: string) {
  const party = viewerParty(actor)
  return db.evidenceItem.findFirst({
    where: {
      id: itemId,
      status: { not: 'REMOVED' },
      ...visibleTo(party),
      case: actor.kind === 'BUYER' ? { buyerId: actor.buyerId } : actor.kind === 'MERCHANT' ? { shopId: actor.shopId } : { disputes: { some: {} } },
    },
    select: { s3Key: true, fileName: true, contentType: true },
  })
}
