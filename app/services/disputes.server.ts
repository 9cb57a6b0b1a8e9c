// Platform intervention commands: escalate, request evidence, submit, rule, and the two deadline
// handlers (reminder, expiry). Each is one transaction: authorize → load (scoped) → transition →
// write state, case log, notifications and timers together. Work after commit: none needed; the
// worker delivers emails and refunds from their tables.
import type { Actor, AgentActor, BuyerActor, MerchantActor } from '~/domain/actor'
import { merchantCan } from '~/domain/actor'
import {
  decisionOnExpiry,
  evidenceWindowMs,
  refundForRuling,
  reminderIsDue,
  transitionCase,
  transitionEvidenceRequest,
  validateExplanation,
  type CaseState,
  type EscalationReason,
  type LiableParty,
  type Party,
  type RulingOutcome,
} from '~/domain/dispute'
import { hoursOf, type Policy } from '~/domain/policy'
import { translate } from '~/i18n/messages'
import type { EvidencePurpose, Prisma } from '~/generated/prisma/client'
import type { Clock } from '~/infra/clock.server'
import type { Db, Tx } from '~/infra/db.server'
import { writeCaseLog, type LogActor } from './case-log.server'
import { ServiceError } from './errors.server'
import { agentRecipient, buyerRecipient, merchantRecipients, notify } from './notify.server'
import { recordRefund } from './refunds.server'
import { defaultReturnAddress } from './shop-settings.server'
import { emitWebhookEvent } from './webhooks.server'

export type DisputeDeps = { db: Db; clock: Clock; policy: Policy; appUrl: string }

/** Files stored in S3 before the transaction that records them (see evidence-upload.server). */
export type StoredFile = { key: string; fileName: string; sizeBytes: number; mime: string; sha256: string }

/** The evidence row for a stored file: where it came from, who sent it, and its checked bytes. */
export function evidenceRow(
  file: StoredFile,
  input: { caseId: string; actor: BuyerActor | MerchantActor; purpose: EvidencePurpose; status: 'DRAFT' | 'SUBMITTED'; at: Date; requestId?: string },
) {
  return {
    caseId: input.caseId,
    requestId: input.requestId ?? null,
    purpose: input.purpose,
    uploadedById: input.actor.userId,
    uploadedByRole: partyOf(input.actor),
    s3Key: file.key,
    fileName: file.fileName,
    sizeBytes: file.sizeBytes,
    contentType: file.mime,
    sha256: file.sha256,
    status: input.status,
    createdAt: input.at,
  }
}

const partyOf = (actor: BuyerActor | MerchantActor): Party => (actor.kind === 'BUYER' ? 'BUYER' : 'MERCHANT')

/** Due times in emails and notifications: the marketplace's zone, unambiguous. */
export function formatDue(date: Date): string {
  const text = new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(date)
  return `${text} (UTC+8)`
}

/** The case as the actor may see it; null when it is not theirs (callers answer 404). */
function caseScope(actor: Actor, caseId: string): Prisma.AfterSalesCaseWhereInput {
  switch (actor.kind) {
    case 'BUYER':
      return { id: caseId, buyerId: actor.buyerId }
    case 'MERCHANT':
      return { id: caseId, shopId: actor.shopId }
    case 'AGENT':
      return { id: caseId, disputes: { some: {} } }
  }
}

function requireCanActForShop(actor: MerchantActor) {
  if (!merchantCan(actor, 'HANDLE_AFTER_SALES')) throw new ServiceError('FORBIDDEN')
}

/** The earliest open evidence deadline, kept on the case for sorting lists. */
async function refreshCaseDeadline(tx: Tx, caseId: string) {
  const next = await tx.evidenceRequest.findFirst({ where: { caseId, status: 'OPEN' }, orderBy: { dueAt: 'asc' }, select: { dueAt: true } })
  await tx.afterSalesCase.update({ where: { id: caseId }, data: { nextDeadlineAt: next?.dueAt ?? null } })
}

// ─── escalation ────────────────────────────────────────────────────────────────

export async function escalate(
  deps: DisputeDeps,
  actor: BuyerActor | MerchantActor,
  input: { caseId: string; reason: EscalationReason; description: string; files?: StoredFile[] },
) {
  if (actor.kind === 'MERCHANT' && !merchantCan(actor, 'AGREE_REFUND')) throw new ServiceError('FORBIDDEN')
  const now = deps.clock.now()
  return deps.db.$transaction(async (tx) => {
    const found = await tx.afterSalesCase.findFirst({
      where: caseScope(actor, input.caseId),
      select: { id: true, caseNo: true, state: true, rejectedAt: true, version: true, shopId: true, buyerId: true },
    })
    if (!found) throw new ServiceError('NOT_FOUND')
    const next = transitionCase(found.state, { type: 'ESCALATE', now, rejectedAt: found.rejectedAt }, deps.policy)
    if (!next.ok) throw new ServiceError(next.error)
    // Conditional on the version read: a double click or a racing party finds it already changed.
    const { count } = await tx.afterSalesCase.updateMany({
      where: { id: found.id, version: found.version },
      data: { state: next.value, escalatedAt: now, nextDeadlineAt: null, version: { increment: 1 } },
    })
    if (count === 0) throw new ServiceError('ALREADY_IN_DISPUTE')
    const dispute = await tx.dispute.create({
      data: {
        caseId: found.id,
        shopId: found.shopId,
        openedByRole: partyOf(actor),
        openedById: actor.userId,
        reason: input.reason,
        description: input.description.trim(),
        openedAt: now,
      },
    })
    if (input.files?.length) {
      await tx.evidenceItem.createMany({
        data: input.files.map((file) => evidenceRow(file, { caseId: found.id, actor, purpose: 'ESCALATION', status: 'SUBMITTED', at: now })),
      })
    }
    await writeCaseLog(tx, {
      caseId: found.id,
      at: now,
      actor,
      action: 'dispute.escalated',
      fromState: found.state,
      toState: next.value,
      details: { reason: input.reason, files: input.files?.length ?? 0 },
    })
    await tx.negotiationEntry.create({
      data: { caseId: found.id, at: now, role: actor.kind, actorUserId: actor.userId, kind: 'escalation', message: input.description.trim() },
    })
    const recipients = [...(await buyerRecipient(tx, found.buyerId)), ...(await merchantRecipients(tx, found.shopId))]
    await notify(tx, {
      kind: 'disputeOpened',
      reason: `dispute-opened:${dispute.id}`,
      recipients,
      caseId: found.id,
      caseNo: found.caseNo,
      params: {},
      at: now,
      appUrl: deps.appUrl,
      email: true,
    })
    return dispute
  })
}

// ─── evidence requests ─────────────────────────────────────────────────────────

export async function requestEvidence(
  deps: DisputeDeps,
  agent: AgentActor,
  input: { caseId: string; party: Party; instructions: string; checklist: string[] },
) {
  const instructions = input.instructions.trim()
  if (!instructions) throw new ServiceError('INVALID_INPUT', { field: 'instructions' })
  const now = deps.clock.now()
  return deps.db.$transaction(async (tx) => {
    const dispute = await tx.dispute.findFirst({
      where: { caseId: input.caseId, status: 'OPEN', case: { state: 'IN_DISPUTE' } },
      select: { id: true, assignedAgentId: true, case: { select: { id: true, caseNo: true, shopId: true, buyerId: true } } },
    })
    if (!dispute) {
      const exists = await tx.afterSalesCase.findFirst({ where: caseScope(agent, input.caseId), select: { id: true } })
      throw new ServiceError(exists ? 'NOT_IN_DISPUTE' : 'NOT_FOUND')
    }
    const open = await tx.evidenceRequest.count({ where: { disputeId: dispute.id, party: input.party, status: 'OPEN' } })
    if (open > 0) throw new ServiceError('CONFLICT_CHANGED', { reason: 'request already open for this party' })
    const dueAt = new Date(now.getTime() + evidenceWindowMs(input.party, deps.policy))
    const request = await tx.evidenceRequest.create({
      data: {
        disputeId: dispute.id,
        caseId: dispute.case.id,
        party: input.party,
        instructions,
        checklist: input.checklist.map((item) => item.trim()).filter(Boolean).slice(0, 20),
        requestedById: agent.userId,
        createdAt: now,
        dueAt,
      },
    })
    if (!dispute.assignedAgentId) await tx.dispute.update({ where: { id: dispute.id }, data: { assignedAgentId: agent.userId } })
    await refreshCaseDeadline(tx, dispute.case.id)
    await writeCaseLog(tx, {
      caseId: dispute.case.id,
      at: now,
      actor: agent,
      action: 'evidence.requested',
      details: { requestId: request.id, party: input.party, dueAt: dueAt.toISOString() },
    })
    const recipients = input.party === 'MERCHANT' ? await merchantRecipients(tx, dispute.case.shopId) : await buyerRecipient(tx, dispute.case.buyerId)
    await notify(tx, {
      kind: 'evidenceRequested',
      reason: `evidence-requested:${request.id}`,
      recipients,
      caseId: dispute.case.id,
      caseNo: dispute.case.caseNo,
      params: { due: formatDue(dueAt) },
      at: now,
      appUrl: deps.appUrl,
      email: true,
    })
    // A request made with less than 12 hours left reminds at once, in this same transaction.
    if (reminderIsDue(now, dueAt, deps.policy)) await remindInTx(tx, deps, request.id, now)
    return request
  })
}

/** Loads an evidence request the actor must answer, or throws NOT_FOUND. */
async function requestForParty(tx: Tx, actor: BuyerActor | MerchantActor, requestId: string) {
  const request = await tx.evidenceRequest.findFirst({
    where: { id: requestId, party: partyOf(actor), case: actor.kind === 'BUYER' ? { buyerId: actor.buyerId } : { shopId: actor.shopId } },
    select: { id: true, status: true, dueAt: true, caseId: true, disputeId: true, case: { select: { caseNo: true, state: true } } },
  })
  if (!request) throw new ServiceError('NOT_FOUND')
  return request
}

/** Checks, before any byte is stored, that the actor may upload to this request now. */
export async function assertCanUpload(deps: DisputeDeps, actor: BuyerActor | MerchantActor, requestId: string) {
  if (actor.kind === 'MERCHANT') requireCanActForShop(actor)
  const request = await requestForParty(deps.db, actor, requestId)
  const allowed = transitionEvidenceRequest(request.status, { type: 'UPLOAD' }, { now: deps.clock.now(), dueAt: request.dueAt }, deps.policy)
  if (!allowed.ok) throw new ServiceError(allowed.error)
  const drafts = await deps.db.evidenceItem.count({ where: { requestId, status: 'DRAFT' } })
  if (drafts >= deps.policy.dispute.maxFilesPerResponse) throw new ServiceError('TOO_MANY_FILES')
  return request
}

/** Records a stored file as a draft of the response. Re-checks the deadline at commit time. */
export async function attachDraftFile(deps: DisputeDeps, actor: BuyerActor | MerchantActor, requestId: string, file: StoredFile) {
  return deps.db.$transaction(async (tx) => {
    // Lock the request so that a concurrent submit cannot slip between the check and the insert.
    await tx.$queryRaw`SELECT 1 FROM "EvidenceRequest" WHERE "id" = ${requestId}::uuid FOR UPDATE`
    const request = await requestForParty(tx, actor, requestId)
    const now = deps.clock.now()
    const allowed = transitionEvidenceRequest(request.status, { type: 'UPLOAD' }, { now, dueAt: request.dueAt }, deps.policy)
    if (!allowed.ok) throw new ServiceError(allowed.error)
    const drafts = await tx.evidenceItem.count({ where: { requestId, status: 'DRAFT' } })
    if (drafts >= deps.policy.dispute.maxFilesPerResponse) throw new ServiceError('TOO_MANY_FILES')
    const item = await tx.evidenceItem.create({
      data: evidenceRow(file, { caseId: request.caseId, requestId, actor, purpose: 'DISPUTE_EVIDENCE', status: 'DRAFT', at: now }),
    })
    await writeCaseLog(tx, {
      caseId: request.caseId,
      at: now,
      actor,
      action: 'evidence.uploaded',
      details: { requestId, itemId: item.id, fileName: file.fileName, sizeBytes: file.sizeBytes, sha256: file.sha256 },
    })
    return item
  })
}

/** Removes a draft file; returns its S3 key for deletion after commit. Submitted files never change. */
export async function removeDraftFile(deps: DisputeDeps, actor: BuyerActor | MerchantActor, itemId: string): Promise<string> {
  if (actor.kind === 'MERCHANT') requireCanActForShop(actor)
  return deps.db.$transaction(async (tx) => {
    const item = await tx.evidenceItem.findFirst({
      where: {
        id: itemId,
        uploadedByRole: partyOf(actor),
        case: actor.kind === 'BUYER' ? { buyerId: actor.buyerId } : { shopId: actor.shopId },
      },
      select: { id: true, status: true, requestId: true, caseId: true, s3Key: true, fileName: true },
    })
    if (!item || !item.requestId || item.status === 'REMOVED') throw new ServiceError('NOT_FOUND')
    if (item.status === 'SUBMITTED') throw new ServiceError('ALREADY_SUBMITTED')
    const request = await requestForParty(tx, actor, item.requestId)
    const now = deps.clock.now()
    const allowed = transitionEvidenceRequest(request.status, { type: 'REMOVE_FILE' }, { now, dueAt: request.dueAt }, deps.policy)
    if (!allowed.ok) throw new ServiceError(allowed.error)
    const { count } = await tx.evidenceItem.updateMany({ where: { id: item.id, status: 'DRAFT' }, data: { status: 'REMOVED', removedAt: now } })
    if (count === 0) throw new ServiceError('ALREADY_SUBMITTED')
    await writeCaseLog(tx, { caseId: item.caseId, at: now, actor, action: 'evidence.removed', details: { itemId: item.id, fileName: item.fileName } })
    return item.s3Key
  })
}

/** The one irreversible submit: the explanation and the drafted files become fixed evidence. */
export async function submitEvidence(deps: DisputeDeps, actor: BuyerActor | MerchantActor, input: { requestId: string; explanation: string }) {
  if (actor.kind === 'MERCHANT') requireCanActForShop(actor)
  const explanation = validateExplanation(input.explanation, deps.policy)
  if (!explanation.ok) throw new ServiceError(explanation.error)
  return deps.db.$transaction(async (tx) => {
    const request = await requestForParty(tx, actor, input.requestId)
    const now = deps.clock.now()
    const allowed = transitionEvidenceRequest(request.status, { type: 'SUBMIT' }, { now, dueAt: request.dueAt }, deps.policy)
    if (!allowed.ok) throw new ServiceError(allowed.error)
    const { count } = await tx.evidenceRequest.updateMany({
      where: { id: request.id, status: 'OPEN', dueAt: { gt: now } },
      data: { status: 'SUBMITTED', explanation: explanation.value, submittedAt: now, submittedById: actor.userId },
    })
    if (count === 0) throw new ServiceError('ALREADY_SUBMITTED')
    const files = await tx.evidenceItem.updateMany({ where: { requestId: request.id, status: 'DRAFT' }, data: { status: 'SUBMITTED' } })
    if (files.count === 0 && !explanation.value) throw new ServiceError('INVALID_INPUT', { field: 'explanation' })
    await refreshCaseDeadline(tx, request.caseId)
    await writeCaseLog(tx, {
      caseId: request.caseId,
      at: now,
      actor,
      action: 'evidence.submitted',
      details: { requestId: request.id, files: files.count },
    })
    const dispute = await tx.dispute.findUniqueOrThrow({ where: { id: request.disputeId }, select: { assignedAgentId: true } })
    await notify(tx, {
      kind: 'evidenceSubmitted',
      reason: `evidence-submitted:${request.id}`,
      recipients: await agentRecipient(tx, dispute.assignedAgentId),
      caseId: request.caseId,
      caseNo: request.case.caseNo,
      params: {},
      at: now,
      appUrl: deps.appUrl,
      email: false,
    })
    return { files: files.count }
  })
}

// ─── the ruling ────────────────────────────────────────────────────────────────

type RulingActor = AgentActor | { kind: 'SYSTEM'; ruleId: string }

async function ruleInTx(
  tx: Tx,
  deps: DisputeDeps,
  actor: RulingActor,
  input: {
    caseId: string
    liableParty: LiableParty
    outcome: RulingOutcome
    refundAmountFen: number | null
    rationale: string
    internalNote?: string
    reliedEvidenceIds: string[]
  },
  now: Date,
) {
  const target = await tx.afterSalesCase.findFirst({
    where: { id: input.caseId, disputes: { some: {} } },
    select: {
      id: true,
      caseNo: true,
      state: true,
      shopId: true,
      buyerId: true,
      requestedAmountFen: true,
      order: { select: { paidAmountFen: true } },
      disputes: { where: { status: 'OPEN' }, select: { id: true, assignedAgentId: true } },
    },
  })
  if (!target) throw new ServiceError('NOT_FOUND')
  const dispute = target.disputes[0]
  if (target.state !== 'IN_DISPUTE' || !dispute) {
    const ruled = await tx.ruling.findUnique({ where: { caseId: target.id }, select: { id: true } })
    throw new ServiceError(ruled ? 'CONFLICT_ALREADY_RULED' : 'NOT_IN_DISPUTE')
  }
  const next = transitionCase(target.state, { type: 'RULE', outcome: input.outcome }, deps.policy)
  if (!next.ok) throw new ServiceError(next.error)
  const refund = refundForRuling(input, { paidAmountFen: target.order.paidAmountFen, requestedAmountFen: target.requestedAmountFen })
  if (!refund.ok) throw new ServiceError(refund.error)
  if (input.reliedEvidenceIds.length) {
    const known = await tx.evidenceItem.count({ where: { id: { in: input.reliedEvidenceIds }, caseId: target.id, status: 'SUBMITTED' } })
    if (known !== new Set(input.reliedEvidenceIds).size) throw new ServiceError('INVALID_INPUT', { field: 'reliedEvidenceIds' })
  }
  // Exactly one ruling stands: the second of two racing agents updates no row here.
  const { count } = await tx.dispute.updateMany({ where: { id: dispute.id, status: 'OPEN' }, data: { status: 'RULED', ruledAt: now } })
  if (count === 0) throw new ServiceError('CONFLICT_ALREADY_RULED')
  const isAgent = actor.kind === 'AGENT'
  const ruling = await tx.ruling.create({
    data: {
      caseId: target.id,
      disputeId: dispute.id,
      actorKind: actor.kind,
      agentId: isAgent ? actor.userId : null,
      ruleId: isAgent ? null : actor.ruleId,
      liableParty: input.liableParty,
      outcome: input.outcome,
      refundAmountFen: refund.value,
      rationale: input.rationale.trim(),
      internalNote: input.internalNote?.trim() || null,
      reliedEvidenceIds: input.reliedEvidenceIds,
      createdAt: now,
    },
  })
  const toState: CaseState = next.value
  const closes = toState === 'REFUNDED' || toState === 'CLOSED'
  // "Return then refund": the buyer ships to the shop's default return address within the policy's days.
  const buyerShipBy = toState === 'AWAITING_RETURN' ? new Date(now.getTime() + deps.policy.returnAndRefund.buyerShipMs) : null
  const returnAddress = toState === 'AWAITING_RETURN' ? await defaultReturnAddress(tx, target.shopId) : null
  await tx.afterSalesCase.update({
    where: { id: target.id },
    data: {
      state: toState,
      closedAt: closes ? now : null,
      buyerShipBy,
      nextDeadlineAt: buyerShipBy,
      ...(returnAddress ? { returnAddress } : {}),
      version: { increment: 1 },
    },
  })
  // Nothing more is asked of anyone once the ruling stands.
  await tx.evidenceRequest.updateMany({ where: { disputeId: dispute.id, status: 'OPEN' }, data: { status: 'EXPIRED' } })
  await tx.evidenceItem.updateMany({ where: { caseId: target.id, status: 'DRAFT' }, data: { status: 'REMOVED', removedAt: now } })
  if (refund.value !== null) {
    await recordRefund(tx, {
      caseId: target.id,
      amountFen: refund.value,
      at: now,
      actorKind: actor.kind,
      actorUserId: isAgent ? actor.userId : null,
      ruleId: isAgent ? null : actor.ruleId,
    })
  }
  await emitWebhookEvent(tx, {
    shopId: target.shopId,
    type: 'dispute.ruled',
    eventId: ruling.id,
    at: now,
    data: { caseNo: target.caseNo, liableParty: input.liableParty, outcome: input.outcome, refundAmountFen: refund.value, byTimeout: !isAgent },
  })
  const logActor: LogActor = isAgent ? actor : { kind: 'SYSTEM' }
  await writeCaseLog(tx, {
    caseId: target.id,
    at: now,
    actor: logActor,
    action: isAgent ? 'dispute.ruled' : 'dispute.ruled-by-timeout',
    fromState: target.state,
    toState,
    ruleId: isAgent ? undefined : actor.ruleId,
    details: { rulingId: ruling.id, liableParty: input.liableParty, outcome: input.outcome, refundAmountFen: refund.value },
  })
  const recipients = [...(await buyerRecipient(tx, target.buyerId)), ...(await merchantRecipients(tx, target.shopId))]
  await notify(tx, {
    kind: 'ruled',
    reason: `ruled:${ruling.id}`,
    recipients,
    caseId: target.id,
    caseNo: target.caseNo,
    params: {},
    at: now,
    appUrl: deps.appUrl,
    email: true,
  })
  return ruling
}

export async function recordRuling(
  deps: DisputeDeps,
  agent: AgentActor,
  input: {
    caseId: string
    liableParty: LiableParty
    outcome: RulingOutcome
    refundAmountFen: number | null
    rationale: string
    internalNote: string
    reliedEvidenceIds: string[]
  },
) {
  return deps.db.$transaction((tx) => ruleInTx(tx, deps, agent, input, deps.clock.now()))
}

// ─── deadlines ─────────────────────────────────────────────────────────────────

async function remindInTx(tx: Tx, deps: DisputeDeps, requestId: string, now: Date): Promise<boolean> {
  // The conditional update is the claim: of two workers, one sets reminderSentAt, the other sees 0 rows.
  const { count } = await tx.evidenceRequest.updateMany({
    where: {
      id: requestId,
      status: 'OPEN',
      reminderSentAt: null,
      dueAt: { gt: now, lt: new Date(now.getTime() + deps.policy.dispute.reminderBeforeDueMs) },
    },
    data: { reminderSentAt: now },
  })
  if (count === 0) return false
  const request = await tx.evidenceRequest.findUniqueOrThrow({
    where: { id: requestId },
    select: { party: true, dueAt: true, caseId: true, case: { select: { caseNo: true, shopId: true, buyerId: true } } },
  })
  const recipients = request.party === 'MERCHANT' ? await merchantRecipients(tx, request.case.shopId) : await buyerRecipient(tx, request.case.buyerId)
  await notify(tx, {
    kind: 'evidenceReminder',
    reason: `evidence-reminder:${requestId}`,
    recipients,
    caseId: request.caseId,
    caseNo: request.case.caseNo,
    params: { due: formatDue(request.dueAt), reminderHours: hoursOf(deps.policy.dispute.reminderBeforeDueMs) },
    at: now,
    appUrl: deps.appUrl,
    email: true,
  })
  await writeCaseLog(tx, {
    caseId: request.caseId,
    at: now,
    actor: { kind: 'SYSTEM' },
    action: 'evidence.reminded',
    ruleId: 'dispute.evidence-reminder',
    details: { requestId, recipients: recipients.length, dueAt: request.dueAt.toISOString() },
  })
  return true
}

/** Deadline handler: one reminder once fewer than 12 hours remain. Idempotent. */
export async function sendEvidenceReminder(deps: DisputeDeps, requestId: string): Promise<boolean> {
  return deps.db.$transaction((tx) => remindInTx(tx, deps, requestId, deps.clock.now()))
}

/** Deadline handler: an unanswered request expires; a silent merchant loses the dispute. Idempotent. */
export async function expireEvidenceRequest(deps: DisputeDeps, requestId: string): Promise<boolean> {
  return deps.db.$transaction(async (tx) => {
    const now = deps.clock.now()
    const { count } = await tx.evidenceRequest.updateMany({ where: { id: requestId, status: 'OPEN', dueAt: { lte: now } }, data: { status: 'EXPIRED' } })
    if (count === 0) return false
    const request = await tx.evidenceRequest.findUniqueOrThrow({
      where: { id: requestId },
      select: { party: true, caseId: true, disputeId: true, dueAt: true, case: { select: { caseNo: true } }, dispute: { select: { assignedAgentId: true } } },
    })
    await tx.evidenceItem.updateMany({ where: { requestId, status: 'DRAFT' }, data: { status: 'REMOVED', removedAt: now } })
    const decision = decisionOnExpiry(request.party)
    await writeCaseLog(tx, {
      caseId: request.caseId,
      at: now,
      actor: { kind: 'SYSTEM' },
      action: 'evidence.expired',
      ruleId: decision.ruleId,
      details: { requestId, party: request.party, dueAt: request.dueAt.toISOString() },
    })
    if (decision.kind === 'RULE_FOR_BUYER') {
      await ruleInTx(
        tx,
        deps,
        { kind: 'SYSTEM', ruleId: decision.ruleId },
        {
          caseId: request.caseId,
          liableParty: decision.liableParty,
          outcome: decision.outcome,
          refundAmountFen: null,
          rationale: TIMEOUT_RATIONALE,
          reliedEvidenceIds: [],
        },
        now,
      )
    } else {
      await refreshCaseDeadline(tx, request.caseId)
      await notify(tx, {
        kind: 'buyerEvidenceExpired',
        reason: `buyer-evidence-expired:${requestId}`,
        recipients: await agentRecipient(tx, request.dispute.assignedAgentId),
        caseId: request.caseId,
        caseNo: request.case.caseNo,
        params: {},
        at: now,
        appUrl: deps.appUrl,
        email: false,
      })
    }
    return true
  })
}

/** Stored as the system ruling's rationale, in both languages, since both parties read it. */
export const TIMEOUT_RATIONALE = `${translate('zh-CN', 'ruling.timeoutRationale')}\n${translate('en', 'ruling.timeoutRationale')}`
