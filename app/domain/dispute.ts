// Platform intervention (平台介入): the case states a dispute moves through, the evidence request
// life cycle, and the ruling. Pure functions; every refusal is a named error the UI translates.
import { assertNever } from './actor'
import type { Policy } from './policy'

export type CaseState =
  | 'PENDING_MERCHANT'
  | 'AWAITING_RETURN'
  | 'AWAITING_RECEIPT'
  | 'REJECTED'
  | 'IN_DISPUTE'
  | 'REFUNDED'
  | 'CLOSED'
export type Party = 'BUYER' | 'MERCHANT'
export type LiableParty = 'MERCHANT' | 'BUYER' | 'BOTH' | 'PLATFORM' | 'LOGISTICS'
export type RulingOutcome = 'FULL_REFUND' | 'PARTIAL_REFUND' | 'RETURN_THEN_REFUND' | 'REJECT_REQUEST'
export type EvidenceRequestStatus = 'OPEN' | 'SUBMITTED' | 'EXPIRED'

export const CASE_STATES = [
  'PENDING_MERCHANT',
  'AWAITING_RETURN',
  'AWAITING_RECEIPT',
  'REJECTED',
  'IN_DISPUTE',
  'REFUNDED',
  'CLOSED',
] as const satisfies readonly CaseState[]
export const LIABLE_PARTIES = ['MERCHANT', 'BUYER', 'BOTH', 'PLATFORM', 'LOGISTICS'] as const satisfies readonly LiableParty[]
export const RULING_OUTCOMES = ['FULL_REFUND', 'PARTIAL_REFUND', 'RETURN_THEN_REFUND', 'REJECT_REQUEST'] as const satisfies readonly RulingOutcome[]

/** Why a party escalates; shown as a list. */
export const ESCALATION_REASONS = [
  'MERCHANT_REJECTED_UNFAIRLY',
  'MERCHANT_NOT_RESPONDING',
  'NEGOTIATION_FAILED',
  'BUYER_CLAIM_UNFOUNDED',
  'OTHER',
] as const
export type EscalationReason = (typeof ESCALATION_REASONS)[number]

/** Ids of the automatic decisions, recorded on rulings, refunds and case log rows. */
export const RULE_IDS = {
  merchantEvidenceTimeout: 'dispute.merchant-evidence-timeout',
  buyerEvidenceTimeout: 'dispute.buyer-evidence-timeout',
  evidenceReminder: 'dispute.evidence-reminder',
} as const

/** Case-log actions only agents see: how the platform shares out its work. */
export const AGENT_ONLY_LOG_ACTIONS = ['dispute.claimed', 'dispute.assigned'] as const

export const OPEN_CASE_STATES = ['PENDING_MERCHANT', 'AWAITING_RETURN', 'AWAITING_RECEIPT'] as const satisfies readonly CaseState[]
export const CLOSED_CASE_STATES = ['REFUNDED', 'CLOSED'] as const satisfies readonly CaseState[]

export type DisputeError =
  | 'ALREADY_IN_DISPUTE'
  | 'CASE_CLOSED'
  | 'ESCALATION_WINDOW_PASSED'
  | 'NOT_IN_DISPUTE'
  | 'EVIDENCE_WINDOW_CLOSED'
  | 'ALREADY_SUBMITTED'
  | 'REMINDER_NOT_DUE'
  | 'ALREADY_REMINDED'
  | 'NOT_DUE'
  | 'REQUEST_NOT_OPEN'
  | 'REFUND_AMOUNT_INVALID'
  | 'RATIONALE_REQUIRED'
  | 'EXPLANATION_TOO_LONG'
  | 'TOO_MANY_FILES'

export type Result<T> = { ok: true; value: T } | { ok: false; error: DisputeError }
const ok = <T>(value: T): Result<T> => ({ ok: true, value })
const fail = <T>(error: DisputeError): Result<T> => ({ ok: false, error })

// ─── the case ──────────────────────────────────────────────────────────────────

export type CaseEvent =
  | { type: 'ESCALATE'; now: Date; rejectedAt: Date | null }
  | { type: 'RULE'; outcome: RulingOutcome }

/** The dispute part of the case state machine. */
export function transitionCase(state: CaseState, event: CaseEvent, policy: Policy): Result<CaseState> {
  switch (event.type) {
    case 'ESCALATE':
      switch (state) {
        case 'PENDING_MERCHANT':
        case 'AWAITING_RETURN':
        case 'AWAITING_RECEIPT':
          return ok('IN_DISPUTE')
        case 'REJECTED': {
          const since = event.rejectedAt ? event.now.getTime() - event.rejectedAt.getTime() : Infinity
          return since <= policy.dispute.escalateAfterRejectionMs ? ok('IN_DISPUTE') : fail('ESCALATION_WINDOW_PASSED')
        }
        case 'IN_DISPUTE':
          return fail('ALREADY_IN_DISPUTE')
        case 'REFUNDED':
        case 'CLOSED':
          return fail('CASE_CLOSED')
        default:
          return assertNever(state)
      }
    case 'RULE':
      if (state !== 'IN_DISPUTE') return fail(CLOSED_CASE_STATES.includes(state as never) ? 'CASE_CLOSED' : 'NOT_IN_DISPUTE')
      return ok(stateAfterRuling(event.outcome))
    default:
      return assertNever(event)
  }
}

export function stateAfterRuling(outcome: RulingOutcome): CaseState {
  switch (outcome) {
    case 'FULL_REFUND':
    case 'PARTIAL_REFUND':
      return 'REFUNDED'
    case 'RETURN_THEN_REFUND':
      return 'AWAITING_RETURN'
    case 'REJECT_REQUEST':
      return 'CLOSED'
    default:
      return assertNever(outcome)
  }
}

// ─── evidence requests ─────────────────────────────────────────────────────────

export type EvidenceEvent =
  | { type: 'UPLOAD' }
  | { type: 'REMOVE_FILE' }
  | { type: 'SUBMIT' }
  | { type: 'REMIND'; reminderSentAt: Date | null }
  | { type: 'EXPIRE' }

/** The request's window is open while now < dueAt: at dueAt exactly the time is up. */
export const isWithinWindow = (now: Date, dueAt: Date) => now.getTime() < dueAt.getTime()

/** "Fewer than 12 hours remain": strictly less, and the window still open. */
export function reminderIsDue(now: Date, dueAt: Date, policy: Policy): boolean {
  const remaining = dueAt.getTime() - now.getTime()
  return remaining > 0 && remaining < policy.dispute.reminderBeforeDueMs
}

/** The first instant at which a reminder is due. */
export const reminderDueAt = (dueAt: Date, policy: Policy) => new Date(dueAt.getTime() - policy.dispute.reminderBeforeDueMs + 1)

export function transitionEvidenceRequest(
  status: EvidenceRequestStatus,
  event: EvidenceEvent,
  context: { now: Date; dueAt: Date },
  policy: Policy,
): Result<EvidenceRequestStatus> {
  const open = isWithinWindow(context.now, context.dueAt)
  switch (event.type) {
    case 'UPLOAD':
    case 'REMOVE_FILE':
    case 'SUBMIT':
      if (status === 'SUBMITTED') return fail('ALREADY_SUBMITTED')
      if (status === 'EXPIRED' || !open) return fail('EVIDENCE_WINDOW_CLOSED')
      return ok(event.type === 'SUBMIT' ? 'SUBMITTED' : 'OPEN')
    case 'REMIND':
      if (status !== 'OPEN') return fail('REQUEST_NOT_OPEN')
      if (event.reminderSentAt) return fail('ALREADY_REMINDED')
      return reminderIsDue(context.now, context.dueAt, policy) ? ok('OPEN') : fail('REMINDER_NOT_DUE')
    case 'EXPIRE':
      if (status !== 'OPEN') return fail('REQUEST_NOT_OPEN')
      return open ? fail('NOT_DUE') : ok('EXPIRED')
    default:
      return assertNever(event)
  }
}

export function evidenceWindowMs(party: Party, policy: Policy): number {
  return party === 'MERCHANT' ? policy.dispute.merchantEvidenceMs : policy.dispute.buyerEvidenceMs
}

export function validateExplanation(text: string, policy: Policy): Result<string> {
  const trimmed = text.trim()
  return [...trimmed].length > policy.dispute.explanationMaxChars ? fail('EXPLANATION_TOO_LONG') : ok(trimmed)
}

/** What the system decides when a request expires without a submission. */
export type ExpiryDecision =
  | { kind: 'RULE_FOR_BUYER'; ruleId: string; liableParty: 'MERCHANT'; outcome: 'FULL_REFUND' }
  | { kind: 'BACK_TO_AGENT'; ruleId: string }

export function decisionOnExpiry(party: Party): ExpiryDecision {
  switch (party) {
    case 'MERCHANT':
      return { kind: 'RULE_FOR_BUYER', ruleId: RULE_IDS.merchantEvidenceTimeout, liableParty: 'MERCHANT', outcome: 'FULL_REFUND' }
    case 'BUYER':
      return { kind: 'BACK_TO_AGENT', ruleId: RULE_IDS.buyerEvidenceTimeout }
    default:
      return assertNever(party)
  }
}

// ─── the ruling ────────────────────────────────────────────────────────────────

export type RulingInput = {
  liableParty: LiableParty
  outcome: RulingOutcome
  refundAmountFen: number | null
  rationale: string
}

/** The refund a ruling carries out, or null when it refunds nothing now. */
export function refundForRuling(
  input: RulingInput,
  amounts: { paidAmountFen: number; requestedAmountFen: number },
): Result<number | null> {
  if (!input.rationale.trim()) return fail('RATIONALE_REQUIRED')
  switch (input.outcome) {
    case 'FULL_REFUND':
      return ok(amounts.requestedAmountFen)
    case 'PARTIAL_REFUND': {
      const amount = input.refundAmountFen
      if (amount === null || !Number.isInteger(amount) || amount <= 0 || amount > amounts.paidAmountFen) {
        return fail('REFUND_AMOUNT_INVALID')
      }
      return ok(amount)
    }
    case 'RETURN_THEN_REFUND':
    case 'REJECT_REQUEST':
      return ok(null)
    default:
      return assertNever(input.outcome)
  }
}
