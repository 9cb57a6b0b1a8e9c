// The one case machine: every event of the after-sales life cycle and of platform intervention,
// over one CaseState. `transition` is pure: it reads a snapshot of the case (with its open dispute,
// that dispute's evidence requests and the order's refundable balance) and returns what happens
// next as one Transition shape — next state, deadlines to set or clear, effects (refunds, disputes,
// evidence requests, rulings, notices) and, for automatic decisions, the rule id and its inputs —
// or a named error. Services carry a Transition out in one transaction (applyTransition).
// A deadline is met while now < deadline; at the deadline exactly the time is up.
import { assertNever } from './actor'
import type { Policy } from './policy'

export type CaseState = 'PENDING_MERCHANT' | 'AWAITING_RETURN' | 'AWAITING_RECEIPT' | 'REJECTED' | 'IN_DISPUTE' | 'REFUNDED' | 'CLOSED'
export const CASE_STATES = [
  'PENDING_MERCHANT',
  'AWAITING_RETURN',
  'AWAITING_RECEIPT',
  'REJECTED',
  'IN_DISPUTE',
  'REFUNDED',
  'CLOSED',
] as const satisfies readonly CaseState[]

export type CaseType = 'REFUND_ONLY' | 'RETURN_AND_REFUND'
export type Party = 'BUYER' | 'MERCHANT'
export type LiableParty = 'MERCHANT' | 'BUYER' | 'BOTH' | 'PLATFORM' | 'LOGISTICS'
export type RulingOutcome = 'FULL_REFUND' | 'PARTIAL_REFUND' | 'RETURN_THEN_REFUND' | 'REJECT_REQUEST'
export type EvidenceRequestStatus = 'OPEN' | 'SUBMITTED' | 'EXPIRED'
export const LIABLE_PARTIES = ['MERCHANT', 'BUYER', 'BOTH', 'PLATFORM', 'LOGISTICS'] as const satisfies readonly LiableParty[]
export const RULING_OUTCOMES = ['FULL_REFUND', 'PARTIAL_REFUND', 'RETURN_THEN_REFUND', 'REJECT_REQUEST'] as const satisfies readonly RulingOutcome[]

/** Ids of every automatic decision, recorded on case log rows, rulings and refunds; shown as words. */
export const RULE_IDS = {
  refundOnlyTimeout: 'refund-only.merchant-timeout',
  returnReviewTimeout: 'return.merchant-review-timeout',
  buyerShipTimeout: 'return.buyer-ship-timeout',
  merchantReceiveTimeout: 'return.merchant-receive-timeout',
  expressRefundCurrent: 'express-refund.2023-09-13',
  expressRefundOld: 'express-refund.before-2023-09-13',
  autoRefundStrategy: 'merchant-strategy.auto-refund-only',
  merchantEvidenceTimeout: 'dispute.merchant-evidence-timeout',
  buyerEvidenceTimeout: 'dispute.buyer-evidence-timeout',
  evidenceReminder: 'dispute.evidence-reminder',
  rejectionAfterRuling: 'dispute.rejection-after-binding-ruling',
} as const
export type RuleId = (typeof RULE_IDS)[keyof typeof RULE_IDS]
export const ALL_RULE_IDS = Object.values(RULE_IDS) as RuleId[]

/** Why a dispute was opened when no party chose a reason: the machine opened it. */
export const SYSTEM_ESCALATION_REASON = 'MERCHANT_REJECTED_AFTER_RULING'

export type CaseError =
  | 'NOT_PENDING_MERCHANT'
  | 'NOT_AWAITING_RETURN'
  | 'NOT_AWAITING_RECEIPT'
  | 'NOT_RETURN_CASE'
  | 'CASE_CLOSED'
  | 'IN_DISPUTE'
  | 'DEADLINE_PASSED'
  | 'NOT_DUE'
  | 'RETURN_ADDRESS_REQUIRED'
  | 'PROOF_REQUIRED'
  | 'INSURANCE_WARNING'
  | 'EXTENSION_NOT_YET'
  | 'EXTENSION_USED'
  | 'PARCEL_SIGNED'
  | 'BOUND_BY_RULING'
  | 'ALREADY_IN_DISPUTE'
  | 'ESCALATION_WINDOW_PASSED'
  | 'NOTHING_LEFT_TO_REFUND'
  | 'NOT_IN_DISPUTE'
  | 'EVIDENCE_ALREADY_REQUESTED'
  | 'REQUEST_NOT_OPEN'
  | 'EVIDENCE_WINDOW_CLOSED'
  | 'ALREADY_SUBMITTED'
  | 'REMINDER_NOT_DUE'
  | 'ALREADY_REMINDED'
  | 'REFUND_AMOUNT_INVALID'
  | 'REFUND_ABOVE_REQUEST'
  | 'REFUND_ABOVE_BALANCE'
  | 'CONFLICT_ALREADY_RULED'
  | 'OPEN_REQUEST_EXISTS'
  | 'HELD_BY_ANOTHER_AGENT'

export type Result<T, E = CaseError> = { ok: true; value: T } | { ok: false; error: E }
export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value })
export const fail = <E>(error: E): { ok: false; error: E } => ({ ok: false, error })

export const isBefore = (now: Date, deadline: Date) => now.getTime() < deadline.getTime()
const plus = (at: Date, ms: number) => new Date(at.getTime() + ms)

// ─── the snapshot the machine reads ────────────────────────────────────────────

export type EvidenceRequestSnapshot = { id: string; party: Party; status: EvidenceRequestStatus; dueAt: Date; reminderSentAt: Date | null }

export type CaseSnapshot = {
  type: CaseType
  state: CaseState
  requestedAmountFen: number
  /** The order's refundable balance now: paid − every refund that has not failed. */
  refundableFen: number
  merchantRespondBy: Date | null
  buyerShipBy: Date | null
  merchantReceiveBy: Date | null
  trackingUploadedAt: Date | null
  parcelSignedAt: Date | null
  receiptExtensions: number
  returnShippingInsurance: boolean
  rejectedAt: Date | null
  /** A platform ruling ordered the return: the merchant may no longer reject or cancel on its own. */
  boundByRuling: boolean
  /** Disputes the case has had so far (each a round). */
  rounds: number
  /** Another request on the same order is open (one open request per order, also for escalating). */
  otherOpenRequest: boolean
  /** The open dispute with its evidence requests and the agent holding it, when the case is with the platform. */
  dispute: { holderId: string | null; requests: readonly EvidenceRequestSnapshot[] } | null
}

// ─── events ────────────────────────────────────────────────────────────────────

export type CaseEvent =
  | { type: 'APPROVE'; hasReturnAddress: boolean }
  | { type: 'REJECT'; proofFiles: number }
  | { type: 'DIRECT_REFUND' }
  | { type: 'SHIP_RETURN' }
  | { type: 'CONFIRM_RECEIPT'; insuranceWarningAccepted: boolean }
  | { type: 'REJECT_AFTER_RECEIPT'; proofFiles: number }
  | { type: 'EXTEND_RECEIPT' }
  | { type: 'CANCEL_FOR_OFFLINE_RESOLUTION' }
  | { type: 'BUYER_WITHDRAW' }
  /** Express refund or the shop's strategy approved the request as it was opened. */
  | { type: 'AUTO_REFUND'; ruleId: RuleId; inputs: Record<string, string | number | boolean> }
  | { type: 'MERCHANT_TIMEOUT' }
  | { type: 'BUYER_SHIP_TIMEOUT' }
  | { type: 'RECEIVE_TIMEOUT' }
  | { type: 'ESCALATE'; by: Party }
  /** `by`: the acting agent's user id (only the dispute's holder acts in it). */
  | { type: 'REQUEST_EVIDENCE'; party: Party; by: string }
  | { type: 'SUBMIT_EVIDENCE'; requestId: string }
  | { type: 'REMIND_EVIDENCE'; requestId: string }
  | { type: 'EXPIRE_EVIDENCE'; requestId: string }
  /** `convertToReturn`: the agent turns a refund-only request into a return (the only way a return ruling fits one). */
  | { type: 'RULE'; liableParty: LiableParty; outcome: RulingOutcome; refundAmountFen: number | null; by: string; convertToReturn: boolean }

export type CaseEventType = CaseEvent['type']

// ─── what a transition does ────────────────────────────────────────────────────

/** Deadlines a transition sets; `null` clears one, absent leaves it. */
export type DeadlineChange = { merchantRespondBy?: Date | null; buyerShipBy?: Date | null; merchantReceiveBy?: Date | null }

/** Who hears of a transition. AGENT is the agent holding the dispute (nobody while none does: it waits in the queue). */
export type Audience = 'BUYER' | 'MERCHANT' | 'AGENT'

export const NOTICES = [
  'caseOpened',
  'caseAutoRefunded',
  'caseRefundApproved',
  'caseReturnApproved',
  'caseRejected',
  'returnShipped',
  'receiptExtended',
  'caseOffline',
  'caseWithdrawn',
  'caseClosedNoReturn',
  'caseClosedNothingToRefund',
  'disputeOpened',
  'disputeReopenedByRejection',
  'evidenceRequested',
  'evidenceReminderMerchant',
  'evidenceReminderBuyer',
  'evidenceSubmitted',
  'buyerEvidenceExpired',
  'ruled',
] as const
export type Notice = (typeof NOTICES)[number]

export type Effect =
  /** The acting agent holds the dispute (`claim`: it was unassigned and is now theirs). */
  | { kind: 'HOLD_DISPUTE'; agentId: string; claim: boolean }
  | { kind: 'REFUND'; amountFen: number }
  /** A refund-only request becomes a return and refund (an agent's explicit choice in a ruling). */
  | { kind: 'CONVERT_TO_RETURN' }
  /** A new round with the platform; `reason` is set when the machine, not the party, chose it. */
  | { kind: 'OPEN_DISPUTE'; round: number; openedBy: Party; reason: typeof SYSTEM_ESCALATION_REASON | null }
  | { kind: 'OPEN_EVIDENCE_REQUEST'; party: Party; dueAt: Date; remindAtOnce: boolean }
  | { kind: 'CLOSE_EVIDENCE_REQUEST'; requestId: string; status: 'SUBMITTED' | 'EXPIRED' }
  | { kind: 'MARK_REMINDED'; requestId: string }
  /** Closes the open dispute with its ruling; every request still open in it expires, drafts are dropped. */
  | { kind: 'RECORD_RULING'; by: 'AGENT' | 'SYSTEM'; liableParty: LiableParty; outcome: RulingOutcome; refundAmountFen: number | null; binds: boolean }
  | { kind: 'NOTIFY'; notice: Notice; to: readonly Audience[]; email: boolean }

export type Transition = {
  to: CaseState
  deadlines: DeadlineChange
  effects: Effect[]
  /** Set for automatic decisions, with what the rule saw. */
  ruleId?: RuleId
  inputs?: Record<string, string | number | boolean | null>
}

const CLEAR_ALL: DeadlineChange = { merchantRespondBy: null, buyerShipBy: null, merchantReceiveBy: null }
const notify = (notice: Notice, to: readonly Audience[], email = false): Effect => ({ kind: 'NOTIFY', notice, to, email })
const refund = (amountFen: number): Effect => ({ kind: 'REFUND', amountFen })

// ─── the machine ───────────────────────────────────────────────────────────────

/**
 * A person approving a refund: the requested amount, and never more than the balance (a refund
 * pending or paid on the same order may have taken it).
 */
function refundByPerson(c: CaseSnapshot): Result<number> {
  return c.requestedAmountFen > c.refundableFen ? fail('REFUND_ABOVE_BALANCE') : ok(c.requestedAmountFen)
}

/** A rule refunding on a timeout refunds what the balance still allows; with nothing left, it closes. */
function refundByRule(c: CaseSnapshot, ruleId: RuleId, inputs: Transition['inputs'] = {}): Transition {
  const amountFen = Math.min(c.requestedAmountFen, c.refundableFen)
  const seen = { ...inputs, requestedAmountFen: c.requestedAmountFen, refundableFen: c.refundableFen }
  if (amountFen <= 0) return { to: 'CLOSED', deadlines: CLEAR_ALL, effects: [notify('caseClosedNothingToRefund', ['BUYER', 'MERCHANT'])], ruleId, inputs: seen }
  return { to: 'REFUNDED', deadlines: CLEAR_ALL, effects: [refund(amountFen), notify('caseAutoRefunded', ['BUYER', 'MERCHANT'])], ruleId, inputs: seen }
}

function blockedByState(state: CaseState): CaseError | null {
  if (state === 'REFUNDED' || state === 'CLOSED') return 'CASE_CLOSED'
  if (state === 'IN_DISPUTE') return 'IN_DISPUTE'
  return null
}

/** Each party is told what really happens when its time runs out. */
const reminderNotice = (party: Party): Notice => (party === 'MERCHANT' ? 'evidenceReminderMerchant' : 'evidenceReminderBuyer')

function openRequest(c: CaseSnapshot, requestId: string): EvidenceRequestSnapshot | null {
  return c.dispute?.requests.find((r) => r.id === requestId) ?? null
}

/** "Fewer than 12 hours remain": strictly less, and the window still open. */
export function reminderIsDue(now: Date, dueAt: Date, policy: Policy): boolean {
  const remaining = dueAt.getTime() - now.getTime()
  return remaining > 0 && remaining < policy.dispute.reminderBeforeDueMs
}

function evidenceWindowMs(party: Party, policy: Policy): number {
  return party === 'MERCHANT' ? policy.dispute.merchantEvidenceMs : policy.dispute.buyerEvidenceMs
}

/** May files be added to or removed from this request now (before it is submitted)? */
export function canChangeEvidence(request: Pick<EvidenceRequestSnapshot, 'status' | 'dueAt'>, now: Date): Result<true> {
  if (request.status === 'SUBMITTED') return fail('ALREADY_SUBMITTED')
  if (request.status === 'EXPIRED' || !isBefore(now, request.dueAt)) return fail('EVIDENCE_WINDOW_CLOSED')
  return ok(true)
}

/** The amount a ruling refunds now, or null when it refunds nothing now. */
function rulingRefund(c: CaseSnapshot, outcome: RulingOutcome, amountFen: number | null): Result<number | null> {
  switch (outcome) {
    case 'FULL_REFUND':
      return refundByPerson(c)
    case 'PARTIAL_REFUND':
      if (amountFen === null || !Number.isInteger(amountFen) || amountFen <= 0) return fail('REFUND_AMOUNT_INVALID')
      if (amountFen > c.requestedAmountFen) return fail('REFUND_ABOVE_REQUEST')
      if (amountFen > c.refundableFen) return fail('REFUND_ABOVE_BALANCE')
      return ok(amountFen)
    case 'RETURN_THEN_REFUND':
    case 'REJECT_REQUEST':
      return ok(null)
    default:
      return assertNever(outcome)
  }
}

export function transition(c: CaseSnapshot, event: CaseEvent, now: Date, policy: Policy): Result<Transition> {
  const blocked = blockedByState(c.state)
  const returnCase = c.type === 'RETURN_AND_REFUND'
  const shipWindow = () => plus(now, policy.returnAndRefund.buyerShipMs)
  const receiveWindow = () => plus(now, policy.returnAndRefund.merchantReceiveMs)
  switch (event.type) {
    case 'APPROVE': {
      if (blocked) return fail(blocked)
      if (c.state !== 'PENDING_MERCHANT') return fail('NOT_PENDING_MERCHANT')
      if (c.merchantRespondBy && !isBefore(now, c.merchantRespondBy)) return fail('DEADLINE_PASSED')
      if (!returnCase) {
        const amount = refundByPerson(c)
        if (!amount.ok) return amount
        return ok({ to: 'REFUNDED', deadlines: CLEAR_ALL, effects: [refund(amount.value), notify('caseRefundApproved', ['BUYER'])] })
      }
      if (!event.hasReturnAddress) return fail('RETURN_ADDRESS_REQUIRED')
      return ok({ to: 'AWAITING_RETURN', deadlines: { ...CLEAR_ALL, buyerShipBy: shipWindow() }, effects: [notify('caseReturnApproved', ['BUYER'])] })
    }
    case 'REJECT':
      if (blocked) return fail(blocked)
      if (c.state !== 'PENDING_MERCHANT') return fail('NOT_PENDING_MERCHANT')
      if (c.merchantRespondBy && !isBefore(now, c.merchantRespondBy)) return fail('DEADLINE_PASSED')
      if (event.proofFiles < 1) return fail('PROOF_REQUIRED')
      return ok({ to: 'REJECTED', deadlines: CLEAR_ALL, effects: [notify('caseRejected', ['BUYER'])] })
    case 'DIRECT_REFUND': {
      if (blocked) return fail(blocked)
      if (!returnCase) return fail('NOT_RETURN_CASE')
      if (c.state !== 'PENDING_MERCHANT' && c.state !== 'AWAITING_RETURN') return fail('NOT_PENDING_MERCHANT')
      const amount = refundByPerson(c)
      if (!amount.ok) return amount
      return ok({ to: 'REFUNDED', deadlines: CLEAR_ALL, effects: [refund(amount.value), notify('caseRefundApproved', ['BUYER'])] })
    }
    case 'SHIP_RETURN':
      if (blocked) return fail(blocked)
      if (c.state !== 'AWAITING_RETURN') return fail('NOT_AWAITING_RETURN')
      if (c.buyerShipBy && !isBefore(now, c.buyerShipBy)) return fail('DEADLINE_PASSED')
      return ok({ to: 'AWAITING_RECEIPT', deadlines: { ...CLEAR_ALL, merchantReceiveBy: receiveWindow() }, effects: [notify('returnShipped', ['MERCHANT'])] })
    case 'CONFIRM_RECEIPT': {
      if (blocked) return fail(blocked)
      // A parcel may arrive before the buyer enters its tracking number; with return-shipping
      // insurance the buyer's claim needs that number, so the merchant is warned first.
      if (c.state === 'AWAITING_RETURN') {
        if (c.returnShippingInsurance && !event.insuranceWarningAccepted) return fail('INSURANCE_WARNING')
      } else if (c.state !== 'AWAITING_RECEIPT') return fail('NOT_AWAITING_RECEIPT')
      const amount = refundByPerson(c)
      if (!amount.ok) return amount
      return ok({ to: 'REFUNDED', deadlines: CLEAR_ALL, effects: [refund(amount.value), notify('caseRefundApproved', ['BUYER'])] })
    }
    case 'REJECT_AFTER_RECEIPT': {
      if (blocked) return fail(blocked)
      if (c.state !== 'AWAITING_RECEIPT') return fail('NOT_AWAITING_RECEIPT')
      if (c.merchantReceiveBy && !isBefore(now, c.merchantReceiveBy)) return fail('DEADLINE_PASSED')
      if (event.proofFiles < 1) return fail('PROOF_REQUIRED')
      if (!c.boundByRuling) return ok({ to: 'REJECTED', deadlines: CLEAR_ALL, effects: [notify('caseRejected', ['BUYER'])] })
      // The platform ordered this return: the merchant cannot overrule it, so its objection goes
      // back to the platform as a new round, never closing the case.
      return ok({
        to: 'IN_DISPUTE',
        deadlines: CLEAR_ALL,
        effects: [
          { kind: 'OPEN_DISPUTE', round: c.rounds + 1, openedBy: 'MERCHANT', reason: SYSTEM_ESCALATION_REASON },
          // The agent of the round before hears of it; the merchant, who objected, knows.
          notify('disputeReopenedByRejection', ['BUYER', 'AGENT'], true),
        ],
        ruleId: RULE_IDS.rejectionAfterRuling,
        inputs: { round: c.rounds + 1 },
      })
    }
    case 'EXTEND_RECEIPT':
      if (blocked) return fail(blocked)
      if (c.state !== 'AWAITING_RECEIPT' || !c.merchantReceiveBy || !c.trackingUploadedAt) return fail('NOT_AWAITING_RECEIPT')
      if (!isBefore(now, c.merchantReceiveBy)) return fail('DEADLINE_PASSED')
      if (c.parcelSignedAt) return fail('PARCEL_SIGNED')
      if (c.receiptExtensions >= policy.returnAndRefund.maxReceiptExtensions) return fail('EXTENSION_USED')
      if (now.getTime() - c.trackingUploadedAt.getTime() < policy.returnAndRefund.extendReceiptAfterMs) return fail('EXTENSION_NOT_YET')
      const extended = plus(c.merchantReceiveBy, policy.returnAndRefund.extendReceiptByMs)
      return ok({
        to: 'AWAITING_RECEIPT',
        deadlines: { merchantReceiveBy: extended },
        effects: [notify('receiptExtended', ['BUYER'])],
        inputs: { from: c.merchantReceiveBy.toISOString(), to: extended.toISOString() },
      })
    case 'CANCEL_FOR_OFFLINE_RESOLUTION':
      if (blocked) return fail(blocked)
      if (c.state === 'REJECTED') return fail('NOT_PENDING_MERCHANT')
      if (c.boundByRuling) return fail('BOUND_BY_RULING')
      return ok({ to: 'CLOSED', deadlines: CLEAR_ALL, effects: [notify('caseOffline', ['BUYER'])] })
    case 'BUYER_WITHDRAW':
      if (blocked) return fail(blocked)
      return ok({ to: 'CLOSED', deadlines: CLEAR_ALL, effects: [notify('caseWithdrawn', ['MERCHANT'])] })
    case 'AUTO_REFUND': {
      if (c.state !== 'PENDING_MERCHANT') return fail('NOT_PENDING_MERCHANT')
      const amount = refundByPerson(c)
      if (!amount.ok) return amount
      return ok({
        to: 'REFUNDED',
        deadlines: CLEAR_ALL,
        effects: [refund(amount.value), notify('caseAutoRefunded', ['MERCHANT'])],
        ruleId: event.ruleId,
        inputs: event.inputs,
      })
    }
    case 'MERCHANT_TIMEOUT':
      if (c.state !== 'PENDING_MERCHANT') return fail('NOT_PENDING_MERCHANT')
      if (!c.merchantRespondBy || isBefore(now, c.merchantRespondBy)) return fail('NOT_DUE')
      if (!returnCase) return ok(refundByRule(c, RULE_IDS.refundOnlyTimeout, { deadline: c.merchantRespondBy.toISOString() }))
      // Approved with the shop's default return address (the service attaches it).
      return ok({
        to: 'AWAITING_RETURN',
        deadlines: { ...CLEAR_ALL, buyerShipBy: shipWindow() },
        effects: [notify('caseReturnApproved', ['BUYER', 'MERCHANT'])],
        ruleId: RULE_IDS.returnReviewTimeout,
        inputs: { deadline: c.merchantRespondBy.toISOString() },
      })
    case 'BUYER_SHIP_TIMEOUT':
      if (c.state !== 'AWAITING_RETURN') return fail('NOT_AWAITING_RETURN')
      if (!c.buyerShipBy || isBefore(now, c.buyerShipBy)) return fail('NOT_DUE')
      return ok({
        to: 'CLOSED',
        deadlines: CLEAR_ALL,
        effects: [notify('caseClosedNoReturn', ['BUYER', 'MERCHANT'])],
        ruleId: RULE_IDS.buyerShipTimeout,
        inputs: { deadline: c.buyerShipBy.toISOString() },
      })
    case 'RECEIVE_TIMEOUT':
      if (c.state !== 'AWAITING_RECEIPT') return fail('NOT_AWAITING_RECEIPT')
      if (!c.merchantReceiveBy || isBefore(now, c.merchantReceiveBy)) return fail('NOT_DUE')
      return ok(refundByRule(c, RULE_IDS.merchantReceiveTimeout, { deadline: c.merchantReceiveBy.toISOString() }))

    // ─── platform intervention ───
    case 'ESCALATE': {
      switch (c.state) {
        case 'PENDING_MERCHANT':
        case 'AWAITING_RETURN':
        case 'AWAITING_RECEIPT':
          break
        case 'REJECTED': {
          const since = c.rejectedAt ? now.getTime() - c.rejectedAt.getTime() : Infinity
          if (since > policy.dispute.escalateAfterRejectionMs) return fail('ESCALATION_WINDOW_PASSED')
          break
        }
        case 'IN_DISPUTE':
          return fail('ALREADY_IN_DISPUTE')
        case 'REFUNDED':
        case 'CLOSED':
          return fail('CASE_CLOSED')
        default:
          return assertNever(c.state)
      }
      // An old, rejected request cannot come back while a newer one on the order is open.
      if (c.otherOpenRequest) return fail('OPEN_REQUEST_EXISTS')
      // Nothing the platform could award: another request on the order took the whole balance.
      if (c.refundableFen <= 0) return fail('NOTHING_LEFT_TO_REFUND')
      return ok({
        to: 'IN_DISPUTE',
        // The life-cycle clocks stop while the platform decides; the ruling sets what follows.
        deadlines: CLEAR_ALL,
        effects: [{ kind: 'OPEN_DISPUTE', round: c.rounds + 1, openedBy: event.by, reason: null }, notify('disputeOpened', ['BUYER', 'MERCHANT', 'AGENT'], true)],
      })
    }
    case 'REQUEST_EVIDENCE': {
      if (c.state !== 'IN_DISPUTE' || !c.dispute) return fail(blocked === 'CASE_CLOSED' ? 'CASE_CLOSED' : 'NOT_IN_DISPUTE')
      const hold = holdDispute(c.dispute, event.by)
      if (!hold.ok) return hold
      if (c.dispute.requests.some((r) => r.party === event.party && r.status === 'OPEN')) return fail('EVIDENCE_ALREADY_REQUESTED')
      const dueAt = plus(now, evidenceWindowMs(event.party, policy))
      // A window shorter than the reminder line (an operator's policy) reminds at once, exactly once.
      const remindAtOnce = reminderIsDue(now, dueAt, policy)
      return ok({
        to: 'IN_DISPUTE',
        deadlines: {},
        effects: [
          hold.value,
          { kind: 'OPEN_EVIDENCE_REQUEST', party: event.party, dueAt, remindAtOnce },
          notify('evidenceRequested', [event.party], true),
          ...(remindAtOnce ? [notify(reminderNotice(event.party), [event.party], true)] : []),
        ],
      })
    }
    case 'SUBMIT_EVIDENCE': {
      if (c.state !== 'IN_DISPUTE') return fail('NOT_IN_DISPUTE')
      const request = openRequest(c, event.requestId)
      if (!request) return fail('REQUEST_NOT_OPEN')
      const allowed = canChangeEvidence(request, now)
      if (!allowed.ok) return allowed
      return ok({
        to: 'IN_DISPUTE',
        deadlines: {},
        effects: [{ kind: 'CLOSE_EVIDENCE_REQUEST', requestId: request.id, status: 'SUBMITTED' }, notify('evidenceSubmitted', ['AGENT'])],
      })
    }
    case 'REMIND_EVIDENCE': {
      const request = c.state === 'IN_DISPUTE' ? openRequest(c, event.requestId) : null
      if (!request || request.status !== 'OPEN') return fail('REQUEST_NOT_OPEN')
      if (request.reminderSentAt) return fail('ALREADY_REMINDED')
      if (!reminderIsDue(now, request.dueAt, policy)) return fail('REMINDER_NOT_DUE')
      return ok({
        to: 'IN_DISPUTE',
        deadlines: {},
        effects: [
          { kind: 'MARK_REMINDED', requestId: request.id },
          notify(reminderNotice(request.party), [request.party], true),
        ],
        ruleId: RULE_IDS.evidenceReminder,
        inputs: { dueAt: request.dueAt.toISOString(), remainingMs: request.dueAt.getTime() - now.getTime() },
      })
    }
    case 'EXPIRE_EVIDENCE': {
      const request = c.state === 'IN_DISPUTE' ? openRequest(c, event.requestId) : null
      if (!request || request.status !== 'OPEN') return fail('REQUEST_NOT_OPEN')
      if (isBefore(now, request.dueAt)) return fail('NOT_DUE')
      const close: Effect = { kind: 'CLOSE_EVIDENCE_REQUEST', requestId: request.id, status: 'EXPIRED' }
      const inputs = { party: request.party, dueAt: request.dueAt.toISOString() }
      if (request.party === 'BUYER') {
        // A silent buyer loses nothing by itself: the agent decides on what there is.
        return ok({ to: 'IN_DISPUTE', deadlines: {}, effects: [close, notify('buyerEvidenceExpired', ['AGENT'])], ruleId: RULE_IDS.buyerEvidenceTimeout, inputs })
      }
      // A silent merchant: the system supports the buyer's request (rules.md, platform intervention 5).
      const decided = refundByRule(c, RULE_IDS.merchantEvidenceTimeout, inputs)
      const refundFen = decided.effects.find((e): e is Extract<Effect, { kind: 'REFUND' }> => e.kind === 'REFUND')?.amountFen ?? 0
      // What the ruling really awards: all that was asked, or what the balance still allowed.
      const awarded = refundFen >= c.requestedAmountFen ? 'FULL_REFUND' : 'PARTIAL_REFUND'
      return ok({
        ...decided,
        effects: [
          close,
          { kind: 'RECORD_RULING', by: 'SYSTEM', liableParty: 'MERCHANT', outcome: awarded, refundAmountFen: refundFen, binds: false },
          ...decided.effects.filter((e) => e.kind === 'REFUND'),
          notify('ruled', ['BUYER', 'MERCHANT', 'AGENT'], true),
        ],
      })
    }
    case 'RULE': {
      if (c.state !== 'IN_DISPUTE' || !c.dispute) {
        // The last round was ruled (by another agent, or this one a moment ago): say so.
        if (c.rounds > 0 && !c.dispute) return fail('CONFLICT_ALREADY_RULED')
        return fail(blocked === 'CASE_CLOSED' ? 'CASE_CLOSED' : 'NOT_IN_DISPUTE')
      }
      const hold = holdDispute(c.dispute, event.by)
      if (!hold.ok) return hold
      // A return on a refund-only request only when the agent converts it, knowingly.
      if (event.outcome === 'RETURN_THEN_REFUND' && !returnCase && !event.convertToReturn) return fail('NOT_RETURN_CASE')
      const amount = rulingRefund(c, event.outcome, event.refundAmountFen)
      if (!amount.ok) return amount
      const binds = event.outcome === 'RETURN_THEN_REFUND'
      const ruling: Effect = { kind: 'RECORD_RULING', by: 'AGENT', liableParty: event.liableParty, outcome: event.outcome, refundAmountFen: amount.value, binds }
      const told = notify('ruled', ['BUYER', 'MERCHANT'], true)
      switch (event.outcome) {
        case 'FULL_REFUND':
        case 'PARTIAL_REFUND':
          return ok({ to: 'REFUNDED', deadlines: CLEAR_ALL, effects: [hold.value, ruling, refund(amount.value!), told] })
        case 'RETURN_THEN_REFUND': {
          const converted: Effect[] = returnCase ? [] : [{ kind: 'CONVERT_TO_RETURN' }]
          // A parcel already on its way (escalated after the buyer shipped) is awaited, not asked for again.
          return c.trackingUploadedAt
            ? ok({ to: 'AWAITING_RECEIPT', deadlines: { ...CLEAR_ALL, merchantReceiveBy: receiveWindow() }, effects: [hold.value, ...converted, ruling, told] })
            : ok({ to: 'AWAITING_RETURN', deadlines: { ...CLEAR_ALL, buyerShipBy: shipWindow() }, effects: [hold.value, ...converted, ruling, told] })
        }
        case 'REJECT_REQUEST':
          return ok({ to: 'CLOSED', deadlines: CLEAR_ALL, effects: [hold.value, ruling, told] })
        default:
          return assertNever(event.outcome)
      }
    }
    default:
      return assertNever(event)
  }
}

/**
 * Only the agent holding a dispute asks for evidence or rules in it; another agent must take it
 * over first (a logged hand-over), and acting on an unassigned dispute claims it.
 */
function holdDispute(dispute: { holderId: string | null }, by: string): Result<Effect> {
  if (dispute.holderId !== null && dispute.holderId !== by) return fail('HELD_BY_ANOTHER_AGENT')
  return ok({ kind: 'HOLD_DISPUTE', agentId: by, claim: dispute.holderId === null })
}

// ─── deadlines as lists show them ──────────────────────────────────────────────

type Deadlines = Pick<CaseSnapshot, 'state' | 'merchantRespondBy' | 'buyerShipBy' | 'merchantReceiveBy'>
type OpenDueDates = readonly Pick<EvidenceRequestSnapshot, 'party' | 'status' | 'dueAt'>[]

/** The deadline a party must meet now, if any: what that party's lists and pages count down. */
export function partyDeadline(party: Party, c: Deadlines, requests: OpenDueDates = []): Date | null {
  switch (c.state) {
    case 'PENDING_MERCHANT':
      return party === 'MERCHANT' ? c.merchantRespondBy : null
    case 'AWAITING_RETURN':
      return party === 'BUYER' ? c.buyerShipBy : null
    case 'AWAITING_RECEIPT':
      return party === 'MERCHANT' ? c.merchantReceiveBy : null
    case 'IN_DISPUTE':
      return earliest(requests.filter((r) => r.party === party && r.status === 'OPEN').map((r) => r.dueAt))
    case 'REJECTED':
    case 'REFUNDED':
    case 'CLOSED':
      return null
    default:
      return assertNever(c.state)
  }
}

/** The deadline that runs out first on the case, for either party: what the worker and agents sort by. */
export function nextDeadline(c: Deadlines, requests: OpenDueDates = []): Date | null {
  return earliest([partyDeadline('MERCHANT', c, requests), partyDeadline('BUYER', c, requests)])
}

function earliest(dates: readonly (Date | null)[]): Date | null {
  let first: Date | null = null
  for (const date of dates) if (date && (!first || date < first)) first = date
  return first
}
