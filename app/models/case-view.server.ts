// The case page's data, shaped for the viewer: each party sees its own evidence and requests;
// agents see both sides, every round and the internal notes. The case itself is found only within
// the viewer's scope, so another party's case is "not found". The actions offered are exactly the
// commands the command table and the case machine allow this viewer now.
import type { Actor } from '~/domain/actor'
import { availableCommands, type CaseIntent } from '~/domain/case-commands'
import { nextDeadline } from '~/domain/case-machine'
import { AGENT_ONLY_LOG_ACTIONS } from '~/domain/dispute'
import { extensionAvailableAt } from '~/domain/lifecycle'
import { refundStanding } from '~/domain/money'
import type { Policy } from '~/domain/policy'
import type { Prisma } from '~/generated/prisma/client'
import type { Db } from '~/infra/db.server'
import { CASE_SELECT, toLoaded } from '~/services/case-transition.server'
import { maskPhone } from './cases.server'
import { caseScope, evidenceScope, viewerParty } from './scopes.server'

const VIEW_SELECT = {
  ...CASE_SELECT,
  reason: true,
  description: true,
  customerName: true,
  customerPhone: true,
  createdAt: true,
  escalatedAt: true,
  closedAt: true,
  autoDecisionRuleId: true,
  returnAddress: true,
  returnSmsNotice: true,
  returnCourier: true,
  returnTrackingNo: true,
  trackingUploadedBy: true,
  rejectionReason: true,
  offlineResolution: true,
  shop: { select: { name: true } },
  order: { select: { ...CASE_SELECT.order.select, itemTitle: true, paidAt: true } },
  buyer: { select: { nickname: true } },
} satisfies Prisma.AfterSalesCaseSelect

export async function loadCaseView(db: Db, actor: Actor, caseNo: string, now: Date, policy: Policy) {
  const found = await db.afterSalesCase.findFirst({ where: { caseNo, ...caseScope(actor) }, select: VIEW_SELECT })
  if (!found) return null
  const loaded = toLoaded(found)
  const party = viewerParty(actor)
  const isAgent = actor.kind === 'AGENT'

  const [rounds, requests, items, logs, negotiation, addresses, refunds, accesses] = await Promise.all([
    db.dispute.findMany({
      where: { caseId: found.id },
      orderBy: { round: 'asc' },
      select: {
        id: true,
        round: true,
        status: true,
        reason: true,
        description: true,
        openedAt: true,
        openedByRole: true,
        assignedAgentId: true,
        ruling: {
          select: { id: true, actorKind: true, ruleId: true, liableParty: true, outcome: true, refundAmountFen: true, rationale: true, internalNote: true, createdAt: true },
        },
      },
    }),
    db.evidenceRequest.findMany({
      where: { caseId: found.id, ...(party ? { party } : {}) },
      orderBy: { createdAt: 'asc' },
      select: { id: true, disputeId: true, party: true, instructions: true, checklist: true, createdAt: true, dueAt: true, status: true, explanation: true, submittedAt: true, reminderSentAt: true },
    }),
    db.evidenceItem.findMany({
      where: { caseId: found.id, ...evidenceScope(actor) },
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
    db.refund.findMany({
      where: { caseId: found.id },
      orderBy: { createdAt: 'asc' },
      select: { id: true, amountFen: true, status: true, attempts: true, failureKind: true, createdAt: true, completedAt: true },
    }),
    // Who opened which file is for agents only; the newest first, capped.
    isAgent
      ? db.evidenceAccess.findMany({
          where: { caseId: found.id },
          orderBy: [{ at: 'desc' }, { id: 'desc' }],
          take: EVIDENCE_ACCESS_LIMIT + 1,
          select: {
            id: true,
            itemId: true,
            at: true,
            kind: true,
            range: true,
            bytes: true,
            actorKind: true,
            item: { select: { fileName: true } },
            user: { select: { displayName: true, email: true } },
          },
        })
      : Promise.resolve([]),
  ])

  const commands = availableCommands(actor, loaded.snapshot, now, policy)
  const may = (intent: CaseIntent) => commands.has(intent)
  const evidence = items.map((item) => ({ ...item, sizeBytes: Number(item.sizeBytes) }))
  const orderRefunds = await db.refund.findMany({ where: { orderId: found.orderId }, select: { amountFen: true, status: true } })
  const latest = rounds.at(-1) ?? null
  const rulings = rounds.flatMap((round) =>
    round.ruling ? [{ ...round.ruling, round: round.round, internalNote: isAgent ? round.ruling.internalNote : null }] : [],
  )
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
      refundableFen: loaded.snapshot.refundableFen,
      returnShippingInsurance: found.order.returnShippingInsurance,
      boundByRuling: loaded.snapshot.boundByRuling,
    },
    /** The order's refunds as a whole (this case's and any other's on the same order). */
    money: { standing: refundStanding(found.order.paidAmountFen, orderRefunds), express: found.expressRefund },
    lifecycle: {
      // The life-cycle state's deadline, labelled with whose it is (evidence deadlines are on their requests).
      deadline: nextDeadline(found),
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
      insuranceWarning: found.state === 'AWAITING_RETURN' && found.order.returnShippingInsurance,
      addresses,
    },
    commands: [...commands],
    negotiation,
    /** The latest round with the platform; earlier rounds are in `rounds`. */
    // Only what the viewer may read: the ruling (with its internal note) is in `rulings`, masked;
    // who holds the dispute inside the platform is the agents' business.
    dispute: latest && {
      id: latest.id,
      round: latest.round,
      status: latest.status,
      reason: latest.reason,
      description: latest.description,
      openedAt: latest.openedAt,
      openedByRole: latest.openedByRole,
      assignedToMe: isAgent && latest.assignedAgentId === actor.userId,
    },
    rounds: rounds.map((round) => ({ id: round.id, round: round.round, status: round.status, openedAt: round.openedAt, openedByRole: round.openedByRole, reason: round.reason })),
    requests: requests.map((request) => ({
      ...request,
      items: evidence.filter((item) => item.requestId === request.id),
      mine: party === request.party,
      open: request.status === 'OPEN' && now < request.dueAt,
      // Ended before its time because the platform ruled (not because the party stayed silent).
      closedByRuling: request.status === 'EXPIRED' && now < request.dueAt,
      current: request.disputeId === latest?.id,
    })),
    escalationFiles: evidence.filter((item) => item.purpose === 'ESCALATION'),
    requestProofs: evidence.filter((item) => item.purpose === 'REQUEST_PROOF'),
    rejectionProofs: evidence.filter((item) => item.purpose === 'REJECTION_PROOF'),
    rulings,
    refunds,
    log: logs,
    /** Agents: the views and downloads of this case's files (null for the parties). */
    evidenceAccess: isAgent
      ? {
          entries: accesses.slice(0, EVIDENCE_ACCESS_LIMIT).map((access) => ({ ...access, bytes: access.bytes === null ? null : Number(access.bytes) })),
          more: accesses.length > EVIDENCE_ACCESS_LIMIT,
        }
      : null,
    viewer: {
      kind: actor.kind,
      party,
      mayEscalate: may('escalate'),
      mayRespond: may('submit-evidence'),
      mayRequestEvidence: may('request-evidence'),
      mayRule: may('rule'),
      mayRetryRefunds: isAgent,
    },
  }
}

/** The most recent evidence accesses the case page lists. */
export const EVIDENCE_ACCESS_LIMIT = 200

export type ReturnAddress = { label: string; contactName: string; phone: string; address: string }

export type CaseView = NonNullable<Awaited<ReturnType<typeof loadCaseView>>>

/** The evidence item if the actor may see it: its own party's, or any for agents. */
export async function findEvidenceItemFor(db: Db, actor: Actor, itemId: string) {
  return db.evidenceItem.findFirst({
    where: { id: itemId, ...evidenceScope(actor) },
    select: { id: true, caseId: true, s3Key: true, fileName: true, contentType: true, sizeBytes: true, sha256: true },
  })
}
