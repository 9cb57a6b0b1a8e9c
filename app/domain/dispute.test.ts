import { describe, expect, it } from 'vitest'
import {
  CASE_STATES,
  decisionOnExpiry,
  refundForRuling,
  reminderDueAt,
  reminderIsDue,
  RULING_OUTCOMES,
  transitionCase,
  transitionEvidenceRequest,
  validateExplanation,
  type CaseState,
  type EvidenceEvent,
  type EvidenceRequestStatus,
  type RulingOutcome,
} from './dispute'
import { defaultPolicy as policy } from './policy'

const HOUR = 3600_000
const now = new Date('2026-11-22T10:00:00Z')

describe('case: ESCALATE, every state', () => {
  const expected: Record<CaseState, CaseState | string> = {
    PENDING_MERCHANT: 'IN_DISPUTE',
    AWAITING_RETURN: 'IN_DISPUTE',
    AWAITING_RECEIPT: 'IN_DISPUTE',
    REJECTED: 'IN_DISPUTE',
    IN_DISPUTE: 'ALREADY_IN_DISPUTE',
    REFUNDED: 'CASE_CLOSED',
    CLOSED: 'CASE_CLOSED',
  }
  it.each(CASE_STATES)('%s', (state) => {
    const result = transitionCase(state, { type: 'ESCALATE', now, rejectedAt: new Date(now.getTime() - HOUR) }, policy)
    expect(result.ok ? result.value : result.error).toBe(expected[state])
  })

  it('allows a rejected case only within 7 days of the rejection, to the millisecond', () => {
    const window = policy.dispute.escalateAfterRejectionMs
    const at = (ms: number) => transitionCase('REJECTED', { type: 'ESCALATE', now, rejectedAt: new Date(now.getTime() - ms) }, policy)
    expect(at(window)).toEqual({ ok: true, value: 'IN_DISPUTE' })
    expect(at(window + 1)).toEqual({ ok: false, error: 'ESCALATION_WINDOW_PASSED' })
    expect(transitionCase('REJECTED', { type: 'ESCALATE', now, rejectedAt: null }, policy)).toEqual({ ok: false, error: 'ESCALATION_WINDOW_PASSED' })
  })
})

describe('case: RULE, every state × outcome', () => {
  const after: Record<RulingOutcome, CaseState> = {
    FULL_REFUND: 'REFUNDED',
    PARTIAL_REFUND: 'REFUNDED',
    RETURN_THEN_REFUND: 'AWAITING_RETURN',
    REJECT_REQUEST: 'CLOSED',
  }
  for (const state of CASE_STATES) {
    it.each(RULING_OUTCOMES)(`${state} × %s`, (outcome) => {
      const result = transitionCase(state, { type: 'RULE', outcome }, policy)
      if (state === 'IN_DISPUTE') expect(result).toEqual({ ok: true, value: after[outcome] })
      else expect(result).toEqual({ ok: false, error: state === 'REFUNDED' || state === 'CLOSED' ? 'CASE_CLOSED' : 'NOT_IN_DISPUTE' })
    })
  }
})

describe('evidence request, every status × event', () => {
  const dueAt = new Date(now.getTime() + 24 * HOUR)
  const statuses: EvidenceRequestStatus[] = ['OPEN', 'SUBMITTED', 'EXPIRED']
  const events: EvidenceEvent[] = [{ type: 'UPLOAD' }, { type: 'REMOVE_FILE' }, { type: 'SUBMIT' }, { type: 'REMIND', reminderSentAt: null }, { type: 'EXPIRE' }]
  const table: Record<EvidenceRequestStatus, string[]> = {
    // at 11 h 59 min 59 s before the due time: uploads allowed, the reminder due, not expired
    OPEN: ['OPEN', 'OPEN', 'SUBMITTED', 'OPEN', 'NOT_DUE'],
    SUBMITTED: ['ALREADY_SUBMITTED', 'ALREADY_SUBMITTED', 'ALREADY_SUBMITTED', 'REQUEST_NOT_OPEN', 'REQUEST_NOT_OPEN'],
    EXPIRED: ['EVIDENCE_WINDOW_CLOSED', 'EVIDENCE_WINDOW_CLOSED', 'EVIDENCE_WINDOW_CLOSED', 'REQUEST_NOT_OPEN', 'REQUEST_NOT_OPEN'],
  }
  const at = new Date(dueAt.getTime() - 12 * HOUR + 1000)
  for (const status of statuses) {
    it.each(events.map((e, i) => [e.type, e, i] as const))(`${status} × %s`, (_name, event, i) => {
      const result = transitionEvidenceRequest(status, event, { now: at, dueAt }, policy)
      expect(result.ok ? result.value : result.error).toBe(table[status][i])
    })
  }

  it('closes the window at the due time exactly', () => {
    const ctx = (ms: number) => ({ now: new Date(dueAt.getTime() + ms), dueAt })
    expect(transitionEvidenceRequest('OPEN', { type: 'SUBMIT' }, ctx(-1), policy)).toEqual({ ok: true, value: 'SUBMITTED' })
    expect(transitionEvidenceRequest('OPEN', { type: 'SUBMIT' }, ctx(0), policy)).toEqual({ ok: false, error: 'EVIDENCE_WINDOW_CLOSED' })
    expect(transitionEvidenceRequest('OPEN', { type: 'UPLOAD' }, ctx(0), policy)).toEqual({ ok: false, error: 'EVIDENCE_WINDOW_CLOSED' })
    expect(transitionEvidenceRequest('OPEN', { type: 'EXPIRE' }, ctx(-1), policy)).toEqual({ ok: false, error: 'NOT_DUE' })
    expect(transitionEvidenceRequest('OPEN', { type: 'EXPIRE' }, ctx(0), policy)).toEqual({ ok: true, value: 'EXPIRED' })
  })

  it('reminds once, only when fewer than 12 hours remain', () => {
    const remind = (remainingMs: number, reminderSentAt: Date | null = null) =>
      transitionEvidenceRequest('OPEN', { type: 'REMIND', reminderSentAt }, { now: new Date(dueAt.getTime() - remainingMs), dueAt }, policy)
    expect(remind(12 * HOUR)).toEqual({ ok: false, error: 'REMINDER_NOT_DUE' })
    expect(remind(12 * HOUR - 1)).toEqual({ ok: true, value: 'OPEN' })
    expect(remind(1)).toEqual({ ok: true, value: 'OPEN' })
    expect(remind(0)).toEqual({ ok: false, error: 'REMINDER_NOT_DUE' })
    expect(remind(HOUR, now)).toEqual({ ok: false, error: 'ALREADY_REMINDED' })
    expect(reminderIsDue(reminderDueAt(dueAt, policy), dueAt, policy)).toBe(true)
    expect(reminderIsDue(new Date(reminderDueAt(dueAt, policy).getTime() - 1), dueAt, policy)).toBe(false)
  })
})

describe('expiry', () => {
  it('rules for the buyer when the merchant stays silent, and hands a buyer request back to the agent', () => {
    expect(decisionOnExpiry('MERCHANT')).toMatchObject({ kind: 'RULE_FOR_BUYER', outcome: 'FULL_REFUND', liableParty: 'MERCHANT' })
    expect(decisionOnExpiry('BUYER')).toMatchObject({ kind: 'BACK_TO_AGENT' })
  })
})

describe('ruling refunds', () => {
  const amounts = { paidAmountFen: 100_00, requestedAmountFen: 80_00 }
  const ruling = (outcome: RulingOutcome, refundAmountFen: number | null = null, rationale = 'because') =>
    refundForRuling({ liableParty: 'MERCHANT', outcome, refundAmountFen, rationale }, amounts)

  it('refunds what the buyer asked for in full', () => expect(ruling('FULL_REFUND')).toEqual({ ok: true, value: 80_00 }))
  it('accepts a partial refund up to the paid amount', () => {
    expect(ruling('PARTIAL_REFUND', 100_00)).toEqual({ ok: true, value: 100_00 })
    expect(ruling('PARTIAL_REFUND', 1)).toEqual({ ok: true, value: 1 })
  })
  it.each([[100_01], [0], [-5], [null], [12.5]])('refuses a partial refund of %s', (amount) => {
    expect(ruling('PARTIAL_REFUND', amount)).toEqual({ ok: false, error: 'REFUND_AMOUNT_INVALID' })
  })
  it('refunds nothing now on reject or return-then-refund', () => {
    expect(ruling('REJECT_REQUEST')).toEqual({ ok: true, value: null })
    expect(ruling('RETURN_THEN_REFUND')).toEqual({ ok: true, value: null })
  })
  it('needs a rationale both parties can read', () => expect(ruling('FULL_REFUND', null, '  ')).toEqual({ ok: false, error: 'RATIONALE_REQUIRED' }))
})

describe('explanation', () => {
  it('allows 2,000 characters, counted as characters not bytes', () => {
    expect(validateExplanation('茶'.repeat(2000), policy).ok).toBe(true)
    expect(validateExplanation('茶'.repeat(2001), policy)).toEqual({ ok: false, error: 'EXPLANATION_TOO_LONG' })
  })
})
