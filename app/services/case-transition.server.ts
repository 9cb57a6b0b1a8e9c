// The one place a case changes state. `loadCase` reads the snapshot the machine decides on;
// `applyTransition` carries a Transition out inside the caller's transaction: the case row (claimed
// by the version read, so of two racing writers exactly one proceeds), then every effect in order
// (disputes, evidence requests, rulings, refunds through the ledger, notices), then the case-log
// row. Nothing else in the app writes AfterSalesCase.state.
import { nextDeadline, type CaseSnapshot, type CaseState, type Effect, type Notice, type Party, type Transition } from '~/domain/case-machine'
import { Prisma } from '~/generated/prisma/client'
import type { Tx } from '~/infra/db.server'
import { writeCaseLog, type LogActor } from './case-log.server'
import type { ServiceDeps } from './deps'
import { evidenceRow, type StoredFile } from './evidence-intake.server'
import { ServiceError } from './errors.server'
import { agentRecipient, buyerRecipient, merchantRecipients, notify, type Recipient } from './notify.server'
import { reserveRefund } from './refund-ledger.server'
import { emitWebhookEvent } from './webhooks.server'

export const CASE_SELECT = {
  id: true,
  caseNo: true,
  orderNo: true,
  type: true,
  state: true,
  version: true,
  shopId: true,
  buyerId: true,
  orderId: true,
  requestedAmountFen: true,
  merchantRespondBy: true,
  buyerShipBy: true,
  merchantReceiveBy: true,
  trackingUploadedAt: true,
  parcelSignedAt: true,
  receiptExtensions: true,
  rejectedAt: true,
  bindingRulingId: true,
  expressRefund: true,
  returnAddress: true,
  order: {
    select: {
      paidAmountFen: true,
      refundReservedFen: true,
      returnShippingInsurance: true,
      cases: { where: { state: { in: ['PENDING_MERCHANT', 'AWAITING_RETURN', 'AWAITING_RECEIPT', 'IN_DISPUTE'] } }, select: { id: true } },
    },
  },
  disputes: {
    where: { status: 'OPEN' },
    select: {
      id: true,
      round: true,
      assignedAgentId: true,
      evidenceRequests: { select: { id: true, party: true, status: true, dueAt: true, reminderSentAt: true } },
    },
  },
  _count: { select: { disputes: true } },
} satisfies Prisma.AfterSalesCaseSelect

type CaseRow = Prisma.AfterSalesCaseGetPayload<{ select: typeof CASE_SELECT }>
export type LoadedCase = CaseRow & { snapshot: CaseSnapshot; openDispute: CaseRow['disputes'][number] | null }

export function toLoaded(row: CaseRow): LoadedCase {
  const openDispute = row.disputes[0] ?? null
  return {
    ...row,
    openDispute,
    snapshot: {
      type: row.type,
      state: row.state,
      requestedAmountFen: row.requestedAmountFen,
      refundableFen: row.order.paidAmountFen - row.order.refundReservedFen,
      merchantRespondBy: row.merchantRespondBy,
      buyerShipBy: row.buyerShipBy,
      merchantReceiveBy: row.merchantReceiveBy,
      trackingUploadedAt: row.trackingUploadedAt,
      parcelSignedAt: row.parcelSignedAt,
      receiptExtensions: row.receiptExtensions,
      returnShippingInsurance: row.order.returnShippingInsurance,
      rejectedAt: row.rejectedAt,
      boundByRuling: row.bindingRulingId !== null,
      rounds: row._count.disputes,
      otherOpenRequest: row.order.cases.some((c) => c.id !== row.id),
      dispute: openDispute && { holderId: openDispute.assignedAgentId, requests: openDispute.evidenceRequests },
    },
  }
}

/** The case within `where` (the actor's scope), as the machine sees it; NOT_FOUND otherwise. */
export async function loadCase(tx: Tx, where: Prisma.AfterSalesCaseWhereInput): Promise<LoadedCase> {
  const row = await tx.afterSalesCase.findFirst({ where, select: CASE_SELECT })
  if (!row) throw new ServiceError('NOT_FOUND')
  return toLoaded(row)
}

/** What a command hands over besides the transition: its text, files and extra columns. */
export type ApplyInput = {
  actor: LogActor
  action: string
  now: Date
  /** Extra case columns the command sets (a return address, a tracking number, …). */
  data?: Prisma.AfterSalesCaseUpdateManyMutationInput
  details?: Prisma.InputJsonObject
  negotiation?: { kind: string; message?: string; details?: Prisma.InputJsonObject }
  /** For OPEN_DISPUTE: the party's reason, words and files. */
  escalation?: { reason: string; description: string; files: StoredFile[] }
  /** For OPEN_EVIDENCE_REQUEST. */
  evidenceAsk?: { instructions: string; checklist: string[] }
  /** For a SUBMITTED evidence request. */
  submission?: { explanation: string }
  /** For an agent's RECORD_RULING. */
  ruling?: { rationale: string; internalNote: string | null; reliedEvidenceIds: string[] }
  /** Words a notice for this case (an exchange or a repair); a ruling's notice is worded by its outcome. */
  noticeVariant?: string
}

export type Applied = { caseId: string; to: CaseState; disputeId: string | null; requestId: string | null; rulingId: string | null; refundIds: string[] }

export async function applyTransition(tx: Tx, deps: ServiceDeps, found: LoadedCase, transition: Transition, input: ApplyInput): Promise<Applied> {
  const { now } = input
  const deadlines = {
    state: transition.to,
    merchantRespondBy: found.merchantRespondBy,
    buyerShipBy: found.buyerShipBy,
    merchantReceiveBy: found.merchantReceiveBy,
    ...transition.deadlines,
  }
  const closes = transition.to === 'REFUNDED' || transition.to === 'CLOSED'
  const { count } = await tx.afterSalesCase.updateMany({
    where: { id: found.id, version: found.version },
    data: {
      ...input.data,
      ...transition.deadlines,
      state: transition.to,
      rejectedAt: transition.to === 'REJECTED' ? now : undefined,
      escalatedAt: transition.effects.some((e) => e.kind === 'OPEN_DISPUTE') ? now : undefined,
      closedAt: closes ? now : undefined,
      version: { increment: 1 },
    },
  })
  if (count === 0) throw new ServiceError('CONFLICT_CHANGED')

  const applied: Applied = { caseId: found.id, to: transition.to, disputeId: found.openDispute?.id ?? null, requestId: null, rulingId: null, refundIds: [] }
  // Evidence deadlines of the open dispute after this transition, for the case's sort column.
  let openRequests: { id: string; party: Party; status: 'OPEN'; dueAt: Date }[] = (found.openDispute?.evidenceRequests ?? []).flatMap((r) =>
    r.status === 'OPEN' ? [{ ...r, status: 'OPEN' as const }] : [],
  )
  let agentId = found.openDispute?.assignedAgentId ?? null
  let rulingOutcome: string | undefined
  const refundFen: number[] = []
  const actorUserId = input.actor.kind === 'SYSTEM' ? null : input.actor.userId

  for (const effect of transition.effects) {
    switch (effect.kind) {
      case 'OPEN_DISPUTE': {
        const escalation = input.escalation
        if (!escalation && !effect.reason) throw new Error('OPEN_DISPUTE needs the escalation input')
        if (input.actor.kind !== 'BUYER' && input.actor.kind !== 'MERCHANT') throw new Error('only a party opens a dispute')
        // A later round goes back to the agent who ruled the round before (who knows the case);
        // the first round waits in the queue to be claimed.
        const previous = effect.round > 1 ? await tx.dispute.findFirst({ where: { caseId: found.id, round: effect.round - 1 }, select: { assignedAgentId: true } }) : null
        const dispute = await tx.dispute.create({
          data: {
            caseId: found.id,
            shopId: found.shopId,
            round: effect.round,
            assignedAgentId: previous?.assignedAgentId ?? null,
            openedByRole: effect.openedBy,
            openedById: input.actor.userId,
            reason: effect.reason ?? escalation!.reason,
            description: escalation?.description.trim() ?? '',
            openedAt: now,
          },
        })
        applied.disputeId = dispute.id
        agentId = dispute.assignedAgentId
        openRequests = []
        if (escalation?.files.length) {
          await tx.evidenceItem.createMany({
            data: escalation.files.map((file) => evidenceRow(file, { caseId: found.id, actor: input.actor as never, purpose: 'ESCALATION', status: 'SUBMITTED', at: now })),
          })
        }
        break
      }
      case 'OPEN_EVIDENCE_REQUEST': {
        if (input.actor.kind !== 'AGENT' || !input.evidenceAsk || !applied.disputeId) throw new Error('an agent asks for evidence in an open dispute')
        const request = await tx.evidenceRequest.create({
          data: {
            disputeId: applied.disputeId,
            caseId: found.id,
            party: effect.party,
            instructions: input.evidenceAsk.instructions,
            checklist: input.evidenceAsk.checklist,
            requestedById: input.actor.userId,
            createdAt: now,
            dueAt: effect.dueAt,
            reminderSentAt: effect.remindAtOnce ? now : null,
          },
        })
        applied.requestId = request.id
        openRequests.push({ id: request.id, party: effect.party, status: 'OPEN', dueAt: effect.dueAt })
        break
      }
      case 'HOLD_DISPUTE': {
        if (input.actor.kind !== 'AGENT' || !applied.disputeId) throw new Error('an agent holds an open dispute')
        // Row-locks the dispute: of an agent acting and another claiming or taking it over at
        // once, exactly one wins; the loser decides again on what is there (CONFLICT_CHANGED).
        const held = await tx.dispute.updateMany({
          where: { id: applied.disputeId, status: 'OPEN', assignedAgentId: effect.claim ? null : effect.agentId },
          data: { assignedAgentId: effect.agentId },
        })
        if (held.count === 0) throw new ServiceError('CONFLICT_CHANGED')
        if (effect.claim) {
          agentId = effect.agentId
          await writeCaseLog(tx, { caseId: found.id, at: now, actor: input.actor, action: 'dispute.claimed', details: { agent: input.actor.displayName } })
        }
        break
      }
      case 'CLOSE_EVIDENCE_REQUEST': {
        applied.requestId = effect.requestId
        openRequests = openRequests.filter((r) => r.id !== effect.requestId)
        if (effect.status === 'SUBMITTED') {
          if (!input.submission || !actorUserId) throw new Error('a submission needs its explanation')
          const closed = await tx.evidenceRequest.updateMany({
            where: { id: effect.requestId, status: 'OPEN', dueAt: { gt: now } },
            data: { status: 'SUBMITTED', explanation: input.submission.explanation, submittedAt: now, submittedById: actorUserId },
          })
          if (closed.count === 0) throw new ServiceError('ALREADY_SUBMITTED')
          const files = await tx.evidenceItem.updateMany({ where: { requestId: effect.requestId, status: 'DRAFT' }, data: { status: 'SUBMITTED' } })
          if (files.count === 0 && !input.submission.explanation) throw new ServiceError('INVALID_INPUT', { field: 'explanation' })
        } else {
          await tx.evidenceRequest.updateMany({ where: { id: effect.requestId, status: 'OPEN' }, data: { status: 'EXPIRED' } })
          await tx.evidenceItem.updateMany({ where: { requestId: effect.requestId, status: 'DRAFT' }, data: { status: 'REMOVED', removedAt: now } })
        }
        break
      }
      case 'MARK_REMINDED': {
        const marked = await tx.evidenceRequest.updateMany({ where: { id: effect.requestId, status: 'OPEN', reminderSentAt: null }, data: { reminderSentAt: now } })
        if (marked.count === 0) throw new ServiceError('ALREADY_REMINDED')
        applied.requestId = effect.requestId
        break
      }
      case 'CONVERT_TO_RETURN':
        await tx.afterSalesCase.update({ where: { id: found.id }, data: { type: 'RETURN_AND_REFUND' } })
        break
      case 'RECORD_RULING': {
        const disputeId = applied.disputeId
        if (!disputeId) throw new ServiceError('NOT_IN_DISPUTE')
        // Exactly one ruling per dispute: the second of two racing agents updates no row here.
        const ruled = await tx.dispute.updateMany({ where: { id: disputeId, status: 'OPEN' }, data: { status: 'RULED', ruledAt: now } })
        if (ruled.count === 0) throw new ServiceError('CONFLICT_ALREADY_RULED')
        const byAgent = effect.by === 'AGENT' && input.actor.kind === 'AGENT'
        const ruling = await tx.ruling.create({
          data: {
            caseId: found.id,
            disputeId,
            actorKind: byAgent ? 'AGENT' : 'SYSTEM',
            agentId: byAgent ? actorUserId : null,
            ruleId: byAgent ? null : (transition.ruleId ?? null),
            liableParty: effect.liableParty,
            outcome: effect.outcome,
            refundAmountFen: effect.refundAmountFen,
            // A system ruling's reason is its rule, rendered in each reader's language.
            rationale: input.ruling?.rationale.trim() ?? '',
            internalNote: input.ruling?.internalNote?.trim() || null,
            reliedEvidenceIds: input.ruling?.reliedEvidenceIds ?? [],
            createdAt: now,
          },
        })
        applied.rulingId = ruling.id
        rulingOutcome = effect.outcome
        // Nothing more is asked of anyone once the ruling stands.
        await tx.evidenceRequest.updateMany({ where: { disputeId, status: 'OPEN' }, data: { status: 'EXPIRED' } })
        await tx.evidenceItem.updateMany({ where: { caseId: found.id, status: 'DRAFT' }, data: { status: 'REMOVED', removedAt: now } })
        openRequests = []
        await tx.afterSalesCase.update({ where: { id: found.id }, data: { bindingRulingId: effect.binds ? ruling.id : null } })
        await emitWebhookEvent(tx, {
          shopId: found.shopId,
          type: 'dispute.ruled',
          eventId: ruling.id,
          at: now,
          data: { caseNo: found.caseNo, liableParty: effect.liableParty, outcome: effect.outcome, refundAmountFen: effect.refundAmountFen, byTimeout: !byAgent },
        })
        break
      }
      case 'REFUND': {
        const refund = await reserveRefund(tx, {
          orderId: found.orderId,
          caseId: found.id,
          shopId: found.shopId,
          caseNo: found.caseNo,
          orderNo: found.orderNo,
          amountFen: effect.amountFen,
          at: now,
          actorKind: input.actor.kind,
          actorUserId,
          ruleId: transition.ruleId ?? null,
          rulingId: applied.rulingId,
        })
        applied.refundIds.push(refund.id)
        refundFen.push(effect.amountFen)
        break
      }
      case 'NOTIFY':
        await notifyAudience(tx, deps, found, effect, {
          agentId,
          at: now,
          reason: `${effect.notice}:${found.id}:${found.version + 1}`,
          variant: effect.notice === 'ruled' ? rulingOutcome : input.noticeVariant,
          refundFen,
          dueAt: openRequests,
        })
        break
      default:
        assertEffect(effect)
    }
  }

  // The sort column: the deadline that runs out first now, for either party.
  const next = nextDeadline(deadlines, openRequests)
  await tx.afterSalesCase.update({ where: { id: found.id }, data: { nextDeadlineAt: next } })

  await writeCaseLog(tx, {
    caseId: found.id,
    at: now,
    actor: input.actor,
    action: input.action,
    fromState: found.state,
    toState: transition.to,
    ruleId: transition.ruleId,
    details: {
      ...input.details,
      ...(transition.inputs ?? {}),
      ...(refundFen.length ? { refundFen: refundFen[0]! } : {}),
      ...(applied.rulingId ? { rulingId: applied.rulingId } : {}),
      ...(applied.requestId ? { requestId: applied.requestId } : {}),
    },
  })
  if (input.negotiation) {
    await tx.negotiationEntry.create({
      data: {
        caseId: found.id,
        at: now,
        role: input.actor.kind,
        actorUserId,
        kind: input.negotiation.kind,
        message: input.negotiation.message ?? '',
        amountFen: refundFen[0] ?? null,
        details: input.negotiation.details ?? {},
      },
    })
  }
  return applied
}

function assertEffect(effect: never): never {
  throw new Error(`Unhandled effect ${JSON.stringify(effect)}`)
}

/** Notices that also speak of an evidence deadline: the request's due time and what is left of it. */
const DEADLINE_NOTICES: readonly Notice[] = ['evidenceRequested', 'evidenceReminderMerchant', 'evidenceReminderBuyer']

async function notifyAudience(
  tx: Tx,
  deps: ServiceDeps,
  found: LoadedCase,
  effect: Extract<Effect, { kind: 'NOTIFY' }>,
  context: { agentId: string | null; at: Date; reason: string; variant: string | undefined; refundFen: number[]; dueAt: { party: Party; dueAt: Date }[] },
) {
  const recipients: Recipient[] = []
  for (const audience of effect.to) {
    if (audience === 'BUYER') recipients.push(...(await buyerRecipient(tx, found.buyerId)))
    else if (audience === 'MERCHANT') recipients.push(...(await merchantRecipients(tx, found.shopId)))
    else recipients.push(...(await agentRecipient(tx, context.agentId)))
  }
  const params: Record<string, string | number> = { caseNo: found.caseNo, paidFen: found.order.paidAmountFen }
  if (context.refundFen.length) params.amountFen = context.refundFen[0]!
  if (DEADLINE_NOTICES.includes(effect.notice)) {
    const party: Party = effect.notice === 'evidenceReminderBuyer' ? 'BUYER' : effect.notice === 'evidenceReminderMerchant' ? 'MERCHANT' : (effect.to[0] as Party)
    const due = context.dueAt.find((r) => r.party === party)?.dueAt
    if (due) {
      params.dueAt = due.toISOString()
      params.remainingMs = due.getTime() - context.at.getTime()
    }
  }
  await notify(tx, {
    notice: effect.notice,
    variant: context.variant,
    reason: context.reason,
    recipients,
    caseId: found.id,
    caseNo: found.caseNo,
    params,
    at: context.at,
    appUrl: deps.appUrl,
    policy: deps.policy,
    email: effect.email,
  })
}
