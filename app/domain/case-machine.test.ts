import { describe, expect, it } from 'vitest'
import {
  CASE_STATES,
  nextDeadline,
  partyDeadline,
  reminderIsDue,
  RULE_IDS,
  RULING_OUTCOMES,
  transition,
  type CaseEvent,
  type CaseSnapshot,
  type CaseState,
  type Effect,
  type EvidenceRequestSnapshot,
  type Result,
  type Transition,
} from './case-machine'
import { defaultPolicy, douyinOverrides, withOverrides } from './policy'

const SECOND = 1000
const HOUR = 3600 * SECOND
const DAY = 24 * HOUR
const t0 = new Date('2026-11-22T02:00:00Z')
const at = (ms: number) => new Date(t0.getTime() + ms)
const AGENT = 'agent-1'
const COLLEAGUE = 'agent-2'
const policy = defaultPolicy

const base: CaseSnapshot = {
  type: 'REFUND_ONLY',
  state: 'PENDING_MERCHANT',
  requestedAmountFen: 100_00,
  refundableFen: 100_00,
  merchantRespondBy: at(policy.refundOnly.merchantRespondMs),
  buyerShipBy: null,
  merchantReceiveBy: null,
  trackingUploadedAt: null,
  parcelSignedAt: null,
  receiptExtensions: 0,
  returnShippingInsurance: false,
  rejectedAt: null,
  boundByRuling: false,
  rounds: 0,
  otherOpenRequest: false,
  dispute: null,
}
const returnCase = (patch: Partial<CaseSnapshot>): CaseSnapshot => ({ ...base, type: 'RETURN_AND_REFUND', merchantRespondBy: null, ...patch })
const request = (patch: Partial<EvidenceRequestSnapshot> = {}): EvidenceRequestSnapshot => ({ id: 'r1', party: 'MERCHANT', status: 'OPEN', dueAt: at(24 * HOUR), reminderSentAt: null, ...patch })
const disputed = (patch: Partial<CaseSnapshot> = {}, requests: EvidenceRequestSnapshot[] = []): CaseSnapshot => ({
  ...base,
  state: 'IN_DISPUTE',
  merchantRespondBy: null,
  rounds: 1,
  dispute: { holderId: null, requests },
  ...patch,
})

const value = (result: Result<Transition>): Transition => {
  if (!result.ok) throw new Error(`refused: ${result.error}`)
  return result.value
}
const outcome = (result: Result<Transition>) => (result.ok ? result.value.to : result.error)
const refunds = (result: Result<Transition>) => value(result).effects.filter((e): e is Extract<Effect, { kind: 'REFUND' }> => e.kind === 'REFUND').map((e) => e.amountFen)
const kinds = (result: Result<Transition>) => value(result).effects.map((e) => (e.kind === 'NOTIFY' ? `NOTIFY:${e.notice}` : e.kind))

describe('refund-only: 48 hours for the merchant', () => {
  const due = policy.refundOnly.merchantRespondMs
  it('does not time out one second before 48 h, and does at 48 h exactly, refunding what was asked', () => {
    expect(transition(base, { type: 'MERCHANT_TIMEOUT' }, at(due - SECOND), policy)).toEqual({ ok: false, error: 'NOT_DUE' })
    const timedOut = transition(base, { type: 'MERCHANT_TIMEOUT' }, at(due), policy)
    expect(value(timedOut)).toMatchObject({ to: 'REFUNDED', ruleId: RULE_IDS.refundOnlyTimeout, deadlines: { merchantRespondBy: null, buyerShipBy: null, merchantReceiveBy: null } })
    expect(refunds(timedOut)).toEqual([100_00])
    expect(value(timedOut).inputs).toMatchObject({ requestedAmountFen: 100_00, refundableFen: 100_00 })
  })
  it('lets the merchant approve up to the last second, not at 48 h', () => {
    expect(refunds(transition(base, { type: 'APPROVE', hasReturnAddress: false }, at(due - SECOND), policy))).toEqual([100_00])
    expect(transition(base, { type: 'APPROVE', hasReturnAddress: false }, at(due), policy)).toEqual({ ok: false, error: 'DEADLINE_PASSED' })
  })
  it('needs at least one proof file to reject', () => {
    expect(transition(base, { type: 'REJECT', proofFiles: 0 }, at(HOUR), policy)).toEqual({ ok: false, error: 'PROOF_REQUIRED' })
    expect(outcome(transition(base, { type: 'REJECT', proofFiles: 1 }, at(HOUR), policy))).toBe('REJECTED')
  })
  it('has no direct refund (that is for returns)', () => {
    expect(transition(base, { type: 'DIRECT_REFUND' }, at(HOUR), policy)).toEqual({ ok: false, error: 'NOT_RETURN_CASE' })
  })
})

describe('the refund ledger, as the machine sees it', () => {
  it('refuses a person\'s refund above the balance (a refund pending on the same order took it)', () => {
    const partlyTaken = { ...base, refundableFen: 99_99 }
    expect(transition(partlyTaken, { type: 'APPROVE', hasReturnAddress: false }, at(HOUR), policy)).toEqual({ ok: false, error: 'REFUND_ABOVE_BALANCE' })
    expect(transition({ ...partlyTaken, refundableFen: 100_00 }, { type: 'APPROVE', hasReturnAddress: false }, at(HOUR), policy).ok).toBe(true)
  })
  it('a rule refunds what the balance still allows, and closes when nothing is left', () => {
    const due = at(policy.refundOnly.merchantRespondMs)
    expect(refunds(transition({ ...base, refundableFen: 40_00 }, { type: 'MERCHANT_TIMEOUT' }, due, policy))).toEqual([40_00])
    const nothing = transition({ ...base, refundableFen: 0 }, { type: 'MERCHANT_TIMEOUT' }, due, policy)
    expect(value(nothing)).toMatchObject({ to: 'CLOSED', ruleId: RULE_IDS.refundOnlyTimeout, inputs: { refundableFen: 0 } })
    expect(refunds(nothing)).toEqual([])
  })
  it('allows no escalation when nothing is left to award', () => {
    expect(transition({ ...base, refundableFen: 0 }, { type: 'ESCALATE', by: 'BUYER' }, at(HOUR), policy)).toEqual({ ok: false, error: 'NOTHING_LEFT_TO_REFUND' })
  })
  it('auto-refunds (express refund, the strategy) through the same ledger check', () => {
    const auto: CaseEvent = { type: 'AUTO_REFUND', ruleId: RULE_IDS.expressRefundCurrent, inputs: {} }
    expect(refunds(transition(base, auto, at(0), policy))).toEqual([100_00])
    expect(transition({ ...base, refundableFen: 0 }, auto, at(0), policy)).toEqual({ ok: false, error: 'REFUND_ABOVE_BALANCE' })
  })
})

describe('return and refund', () => {
  const review = returnCase({ merchantRespondBy: at(policy.returnAndRefund.merchantReviewMs) })
  it("approval needs a return address and starts the buyer's 10 days", () => {
    expect(transition(review, { type: 'APPROVE', hasReturnAddress: false }, at(HOUR), policy)).toEqual({ ok: false, error: 'RETURN_ADDRESS_REQUIRED' })
    expect(value(transition(review, { type: 'APPROVE', hasReturnAddress: true }, at(HOUR), policy))).toMatchObject({ to: 'AWAITING_RETURN', deadlines: { buyerShipBy: at(HOUR + 10 * DAY) } })
  })
  it('review timeout at 48 h approves the return, not before', () => {
    const due = policy.returnAndRefund.merchantReviewMs
    expect(transition(review, { type: 'MERCHANT_TIMEOUT' }, at(due - SECOND), policy)).toEqual({ ok: false, error: 'NOT_DUE' })
    const timedOut = transition(review, { type: 'MERCHANT_TIMEOUT' }, at(due), policy)
    expect(value(timedOut)).toMatchObject({ to: 'AWAITING_RETURN', ruleId: RULE_IDS.returnReviewTimeout, deadlines: { buyerShipBy: at(due + 10 * DAY) } })
    expect(refunds(timedOut)).toEqual([])
  })
  it('direct refund from review or while awaiting the parcel', () => {
    expect(refunds(transition(review, { type: 'DIRECT_REFUND' }, at(HOUR), policy))).toEqual([100_00])
    expect(outcome(transition(returnCase({ state: 'AWAITING_RETURN', buyerShipBy: at(DAY) }), { type: 'DIRECT_REFUND' }, at(HOUR), policy))).toBe('REFUNDED')
  })

  describe('the buyer ships within 10 days (Douyin preset: 7)', () => {
    const ship = policy.returnAndRefund.buyerShipMs
    const awaiting = returnCase({ state: 'AWAITING_RETURN', buyerShipBy: at(ship) })
    it("accepts the tracking number up to the last second and starts the merchant's 10 days", () => {
      expect(value(transition(awaiting, { type: 'SHIP_RETURN' }, at(ship - SECOND), policy))).toMatchObject({
        to: 'AWAITING_RECEIPT',
        deadlines: { merchantReceiveBy: at(ship - SECOND + 10 * DAY), buyerShipBy: null },
      })
      expect(transition(awaiting, { type: 'SHIP_RETURN' }, at(ship), policy)).toEqual({ ok: false, error: 'DEADLINE_PASSED' })
    })
    it('closes the case at 10 days exactly', () => {
      expect(transition(awaiting, { type: 'BUYER_SHIP_TIMEOUT' }, at(ship - SECOND), policy)).toEqual({ ok: false, error: 'NOT_DUE' })
      expect(value(transition(awaiting, { type: 'BUYER_SHIP_TIMEOUT' }, at(ship), policy))).toMatchObject({ to: 'CLOSED', ruleId: RULE_IDS.buyerShipTimeout })
    })
    it('gives 7 days under the Douyin preset', () => {
      const douyin = withOverrides(douyinOverrides)
      expect(value(transition(review, { type: 'APPROVE', hasReturnAddress: true }, at(0), douyin))).toMatchObject({ deadlines: { buyerShipBy: at(7 * DAY) } })
    })
  })

  describe('the merchant confirms receipt within 10 days of the tracking number', () => {
    const receive = policy.returnAndRefund.merchantReceiveMs
    const inTransit = returnCase({ state: 'AWAITING_RECEIPT', trackingUploadedAt: at(0), merchantReceiveBy: at(receive) })
    it('refunds on receipt; times out into a refund at 10 days exactly', () => {
      expect(refunds(transition(inTransit, { type: 'CONFIRM_RECEIPT', insuranceWarningAccepted: false }, at(DAY), policy))).toEqual([100_00])
      expect(transition(inTransit, { type: 'RECEIVE_TIMEOUT' }, at(receive - SECOND), policy)).toEqual({ ok: false, error: 'NOT_DUE' })
      const timedOut = transition(inTransit, { type: 'RECEIVE_TIMEOUT' }, at(receive), policy)
      expect(value(timedOut)).toMatchObject({ to: 'REFUNDED', ruleId: RULE_IDS.merchantReceiveTimeout })
      expect(refunds(timedOut)).toEqual([100_00])
    })
    it('rejects after receipt only with proof', () => {
      expect(transition(inTransit, { type: 'REJECT_AFTER_RECEIPT', proofFiles: 0 }, at(DAY), policy)).toEqual({ ok: false, error: 'PROOF_REQUIRED' })
      expect(outcome(transition(inTransit, { type: 'REJECT_AFTER_RECEIPT', proofFiles: 2 }, at(DAY), policy))).toBe('REJECTED')
    })
    it('extends receipt by 5 days once the tracking number is 5 days old, once, while unsigned', () => {
      const after = policy.returnAndRefund.extendReceiptAfterMs
      expect(transition(inTransit, { type: 'EXTEND_RECEIPT' }, at(after - SECOND), policy)).toEqual({ ok: false, error: 'EXTENSION_NOT_YET' })
      expect(value(transition(inTransit, { type: 'EXTEND_RECEIPT' }, at(after), policy))).toMatchObject({
        to: 'AWAITING_RECEIPT',
        deadlines: { merchantReceiveBy: at(receive + 5 * DAY) },
        inputs: { from: at(receive).toISOString(), to: at(receive + 5 * DAY).toISOString() },
      })
      expect(transition({ ...inTransit, receiptExtensions: 1 }, { type: 'EXTEND_RECEIPT' }, at(after), policy)).toEqual({ ok: false, error: 'EXTENSION_USED' })
      expect(transition({ ...inTransit, parcelSignedAt: at(DAY) }, { type: 'EXTEND_RECEIPT' }, at(after), policy)).toEqual({ ok: false, error: 'PARCEL_SIGNED' })
    })
  })

  it("warns before confirming receipt on an insured order still awaiting the buyer's tracking number", () => {
    const insured = returnCase({ state: 'AWAITING_RETURN', buyerShipBy: at(DAY), returnShippingInsurance: true })
    expect(transition(insured, { type: 'CONFIRM_RECEIPT', insuranceWarningAccepted: false }, at(HOUR), policy)).toEqual({ ok: false, error: 'INSURANCE_WARNING' })
    expect(outcome(transition(insured, { type: 'CONFIRM_RECEIPT', insuranceWarningAccepted: true }, at(HOUR), policy))).toBe('REFUNDED')
    expect(transition({ ...insured, returnShippingInsurance: false }, { type: 'CONFIRM_RECEIPT', insuranceWarningAccepted: false }, at(HOUR), policy).ok).toBe(true)
  })
})

describe('every state × every event', () => {
  // One snapshot per state, each with its own deadline in the future and one open merchant request
  // when in dispute; "now" is one hour in, so no deadline is due.
  const snapshot = (state: CaseState): CaseSnapshot => {
    switch (state) {
      case 'PENDING_MERCHANT':
        return returnCase({ state, merchantRespondBy: at(2 * DAY) })
      case 'AWAITING_RETURN':
        return returnCase({ state, buyerShipBy: at(2 * DAY) })
      case 'AWAITING_RECEIPT':
        return returnCase({ state, merchantReceiveBy: at(2 * DAY), trackingUploadedAt: at(0) })
      case 'REJECTED':
        return returnCase({ state, rejectedAt: at(0) })
      case 'IN_DISPUTE':
        return disputed({ type: 'RETURN_AND_REFUND' }, [request()])
      case 'REFUNDED':
      case 'CLOSED':
        return returnCase({ state })
    }
  }
  const events: CaseEvent[] = [
    { type: 'APPROVE', hasReturnAddress: true },
    { type: 'REJECT', proofFiles: 1 },
    { type: 'DIRECT_REFUND' },
    { type: 'SHIP_RETURN' },
    { type: 'CONFIRM_RECEIPT', insuranceWarningAccepted: true },
    { type: 'REJECT_AFTER_RECEIPT', proofFiles: 1 },
    { type: 'EXTEND_RECEIPT' },
    { type: 'CANCEL_FOR_OFFLINE_RESOLUTION' },
    { type: 'BUYER_WITHDRAW' },
    { type: 'AUTO_REFUND', ruleId: RULE_IDS.autoRefundStrategy, inputs: {} },
    { type: 'MERCHANT_TIMEOUT' },
    { type: 'BUYER_SHIP_TIMEOUT' },
    { type: 'RECEIVE_TIMEOUT' },
    { type: 'ESCALATE', by: 'BUYER' },
    { type: 'REQUEST_EVIDENCE', party: 'BUYER', by: AGENT },
    { type: 'SUBMIT_EVIDENCE', requestId: 'r1' },
    { type: 'REMIND_EVIDENCE', requestId: 'r1' },
    { type: 'EXPIRE_EVIDENCE', requestId: 'r1' },
    { type: 'RULE', liableParty: 'MERCHANT', outcome: 'FULL_REFUND', refundAmountFen: null, by: AGENT, convertToReturn: false },
  ]
  const C = 'CASE_CLOSED'
  const D = 'IN_DISPUTE'
  // Expected next state or error, per event above, per state.
  const table: Record<CaseState, string[]> = {
    PENDING_MERCHANT: ['AWAITING_RETURN', 'REJECTED', 'REFUNDED', 'NOT_AWAITING_RETURN', 'NOT_AWAITING_RECEIPT', 'NOT_AWAITING_RECEIPT', 'NOT_AWAITING_RECEIPT', 'CLOSED', 'CLOSED', 'REFUNDED', 'NOT_DUE', 'NOT_AWAITING_RETURN', 'NOT_AWAITING_RECEIPT', 'IN_DISPUTE', 'NOT_IN_DISPUTE', 'NOT_IN_DISPUTE', 'REQUEST_NOT_OPEN', 'REQUEST_NOT_OPEN', 'NOT_IN_DISPUTE'],
    AWAITING_RETURN: ['NOT_PENDING_MERCHANT', 'NOT_PENDING_MERCHANT', 'REFUNDED', 'AWAITING_RECEIPT', 'REFUNDED', 'NOT_AWAITING_RECEIPT', 'NOT_AWAITING_RECEIPT', 'CLOSED', 'CLOSED', 'NOT_PENDING_MERCHANT', 'NOT_PENDING_MERCHANT', 'NOT_DUE', 'NOT_AWAITING_RECEIPT', 'IN_DISPUTE', 'NOT_IN_DISPUTE', 'NOT_IN_DISPUTE', 'REQUEST_NOT_OPEN', 'REQUEST_NOT_OPEN', 'NOT_IN_DISPUTE'],
    AWAITING_RECEIPT: ['NOT_PENDING_MERCHANT', 'NOT_PENDING_MERCHANT', 'NOT_PENDING_MERCHANT', 'NOT_AWAITING_RETURN', 'REFUNDED', 'REJECTED', 'EXTENSION_NOT_YET', 'CLOSED', 'CLOSED', 'NOT_PENDING_MERCHANT', 'NOT_PENDING_MERCHANT', 'NOT_AWAITING_RETURN', 'NOT_DUE', 'IN_DISPUTE', 'NOT_IN_DISPUTE', 'NOT_IN_DISPUTE', 'REQUEST_NOT_OPEN', 'REQUEST_NOT_OPEN', 'NOT_IN_DISPUTE'],
    REJECTED: ['NOT_PENDING_MERCHANT', 'NOT_PENDING_MERCHANT', 'NOT_PENDING_MERCHANT', 'NOT_AWAITING_RETURN', 'NOT_AWAITING_RECEIPT', 'NOT_AWAITING_RECEIPT', 'NOT_AWAITING_RECEIPT', 'NOT_PENDING_MERCHANT', 'CLOSED', 'NOT_PENDING_MERCHANT', 'NOT_PENDING_MERCHANT', 'NOT_AWAITING_RETURN', 'NOT_AWAITING_RECEIPT', 'IN_DISPUTE', 'NOT_IN_DISPUTE', 'NOT_IN_DISPUTE', 'REQUEST_NOT_OPEN', 'REQUEST_NOT_OPEN', 'NOT_IN_DISPUTE'],
    IN_DISPUTE: [D, D, D, D, D, D, D, D, D, 'NOT_PENDING_MERCHANT', 'NOT_PENDING_MERCHANT', 'NOT_AWAITING_RETURN', 'NOT_AWAITING_RECEIPT', 'ALREADY_IN_DISPUTE', 'IN_DISPUTE', 'IN_DISPUTE', 'REMINDER_NOT_DUE', 'NOT_DUE', 'REFUNDED'],
    REFUNDED: [C, C, C, C, C, C, C, C, C, 'NOT_PENDING_MERCHANT', 'NOT_PENDING_MERCHANT', 'NOT_AWAITING_RETURN', 'NOT_AWAITING_RECEIPT', C, C, 'NOT_IN_DISPUTE', 'REQUEST_NOT_OPEN', 'REQUEST_NOT_OPEN', C],
    CLOSED: [C, C, C, C, C, C, C, C, C, 'NOT_PENDING_MERCHANT', 'NOT_PENDING_MERCHANT', 'NOT_AWAITING_RETURN', 'NOT_AWAITING_RECEIPT', C, C, 'NOT_IN_DISPUTE', 'REQUEST_NOT_OPEN', 'REQUEST_NOT_OPEN', C],
  }
  for (const state of CASE_STATES) {
    events.forEach((event, i) => {
      it(`${state} × ${event.type}`, () => {
        expect(outcome(transition(snapshot(state), event, at(HOUR), policy))).toBe(table[state][i])
      })
    })
  }
})

describe('platform intervention', () => {
  it('escalates from a rejection only within 7 days of it, to the millisecond', () => {
    const window = policy.dispute.escalateAfterRejectionMs
    const rejected = (ago: number) => returnCase({ state: 'REJECTED', rejectedAt: at(-ago) })
    expect(outcome(transition(rejected(window), { type: 'ESCALATE', by: 'BUYER' }, at(0), policy))).toBe('IN_DISPUTE')
    expect(transition(rejected(window + 1), { type: 'ESCALATE', by: 'BUYER' }, at(0), policy)).toEqual({ ok: false, error: 'ESCALATION_WINDOW_PASSED' })
    expect(transition(returnCase({ state: 'REJECTED', rejectedAt: null }), { type: 'ESCALATE', by: 'BUYER' }, at(0), policy)).toEqual({ ok: false, error: 'ESCALATION_WINDOW_PASSED' })
  })
  it('refuses to bring back a rejected request while a newer one on the order is open', () => {
    const rejected = returnCase({ state: 'REJECTED', rejectedAt: at(-HOUR), otherOpenRequest: true })
    expect(transition(rejected, { type: 'ESCALATE', by: 'BUYER' }, at(0), policy)).toEqual({ ok: false, error: 'OPEN_REQUEST_EXISTS' })
  })
  it('a silent merchant with part of the balance gone: the ruling awards what is left, as a partial refund', () => {
    const open = disputed({ requestedAmountFen: 80_00, refundableFen: 30_00 }, [request()])
    const expired = value(transition(open, { type: 'EXPIRE_EVIDENCE', requestId: 'r1' }, at(24 * HOUR), policy))
    expect(expired.effects[1]).toMatchObject({ kind: 'RECORD_RULING', outcome: 'PARTIAL_REFUND', refundAmountFen: 30_00 })
  })
  it('opens a numbered round, stops the life-cycle clocks, tells both parties by email', () => {
    const escalated = value(transition(returnCase({ state: 'AWAITING_RECEIPT', merchantReceiveBy: at(DAY), rounds: 1 }), { type: 'ESCALATE', by: 'MERCHANT' }, at(0), policy))
    expect(escalated.effects[0]).toEqual({ kind: 'OPEN_DISPUTE', round: 2, openedBy: 'MERCHANT', reason: null })
    expect(escalated.deadlines).toEqual({ merchantRespondBy: null, buyerShipBy: null, merchantReceiveBy: null })
    expect(escalated.effects[1]).toEqual({ kind: 'NOTIFY', notice: 'disputeOpened', to: ['BUYER', 'MERCHANT', 'AGENT'], email: true })
  })
  it('asks each party for evidence once at a time, 24 hours, telling that party', () => {
    const asked = value(transition(disputed(), { type: 'REQUEST_EVIDENCE', party: 'MERCHANT', by: AGENT }, at(0), policy))
    expect(asked.effects).toEqual([
      { kind: 'HOLD_DISPUTE', agentId: AGENT, claim: true },
      { kind: 'OPEN_EVIDENCE_REQUEST', party: 'MERCHANT', dueAt: at(24 * HOUR), remindAtOnce: false },
      { kind: 'NOTIFY', notice: 'evidenceRequested', to: ['MERCHANT'], email: true },
    ])
    expect(transition(disputed({}, [request()]), { type: 'REQUEST_EVIDENCE', party: 'MERCHANT', by: AGENT }, at(0), policy)).toEqual({ ok: false, error: 'EVIDENCE_ALREADY_REQUESTED' })
    expect(transition(disputed({}, [request({ status: 'SUBMITTED' })]), { type: 'REQUEST_EVIDENCE', party: 'MERCHANT', by: AGENT }, at(0), policy).ok).toBe(true)
    expect(transition(disputed({}, [request()]), { type: 'REQUEST_EVIDENCE', party: 'BUYER', by: AGENT }, at(0), policy).ok).toBe(true)
  })
  it('reminds at once when the window is shorter than the reminder line (an operator policy)', () => {
    const short = withOverrides({ dispute: { merchantEvidenceMs: 6 * HOUR } })
    expect(kinds(transition(disputed(), { type: 'REQUEST_EVIDENCE', party: 'MERCHANT', by: AGENT }, at(0), short))).toEqual(['HOLD_DISPUTE', 'OPEN_EVIDENCE_REQUEST', 'NOTIFY:evidenceRequested', 'NOTIFY:evidenceReminderMerchant'])
  })
  it('takes a submission until the due time, exactly', () => {
    const open = disputed({}, [request()])
    expect(kinds(transition(open, { type: 'SUBMIT_EVIDENCE', requestId: 'r1' }, at(24 * HOUR - 1), policy))).toEqual(['CLOSE_EVIDENCE_REQUEST', 'NOTIFY:evidenceSubmitted'])
    expect(transition(open, { type: 'SUBMIT_EVIDENCE', requestId: 'r1' }, at(24 * HOUR), policy)).toEqual({ ok: false, error: 'EVIDENCE_WINDOW_CLOSED' })
    expect(transition(disputed({}, [request({ status: 'SUBMITTED' })]), { type: 'SUBMIT_EVIDENCE', requestId: 'r1' }, at(HOUR), policy)).toEqual({ ok: false, error: 'ALREADY_SUBMITTED' })
    expect(transition(open, { type: 'SUBMIT_EVIDENCE', requestId: 'other' }, at(HOUR), policy)).toEqual({ ok: false, error: 'REQUEST_NOT_OPEN' })
  })
  it('reminds once, only when fewer than 12 hours remain, each party with its own words', () => {
    const remind = (remainingMs: number, patch: Partial<EvidenceRequestSnapshot> = {}) =>
      transition(disputed({}, [request(patch)]), { type: 'REMIND_EVIDENCE', requestId: 'r1' }, at(24 * HOUR - remainingMs), policy)
    expect(remind(12 * HOUR)).toEqual({ ok: false, error: 'REMINDER_NOT_DUE' })
    expect(kinds(remind(12 * HOUR - 1))).toEqual(['MARK_REMINDED', 'NOTIFY:evidenceReminderMerchant'])
    expect(value(remind(12 * HOUR - 1)).inputs).toMatchObject({ remainingMs: 12 * HOUR - 1 })
    expect(kinds(remind(1, { party: 'BUYER' }))).toEqual(['MARK_REMINDED', 'NOTIFY:evidenceReminderBuyer'])
    expect(remind(0)).toEqual({ ok: false, error: 'REMINDER_NOT_DUE' })
    expect(remind(HOUR, { reminderSentAt: at(0) })).toEqual({ ok: false, error: 'ALREADY_REMINDED' })
    expect(reminderIsDue(at(12 * HOUR + 1), at(24 * HOUR), policy)).toBe(true)
  })
  it('a silent merchant: at the due time the system rules for the buyer and refunds', () => {
    const open = disputed({ requestedAmountFen: 80_00 }, [request()])
    expect(transition(open, { type: 'EXPIRE_EVIDENCE', requestId: 'r1' }, at(24 * HOUR - 1), policy)).toEqual({ ok: false, error: 'NOT_DUE' })
    const expired = transition(open, { type: 'EXPIRE_EVIDENCE', requestId: 'r1' }, at(24 * HOUR), policy)
    expect(value(expired)).toMatchObject({ to: 'REFUNDED', ruleId: RULE_IDS.merchantEvidenceTimeout })
    expect(kinds(expired)).toEqual(['CLOSE_EVIDENCE_REQUEST', 'RECORD_RULING', 'REFUND', 'NOTIFY:ruled'])
    expect(value(expired).effects[1]).toMatchObject({ by: 'SYSTEM', liableParty: 'MERCHANT', outcome: 'FULL_REFUND', refundAmountFen: 80_00 })
  })
  it('a silent buyer: back to the agent, nothing decided', () => {
    const expired = transition(disputed({}, [request({ party: 'BUYER' })]), { type: 'EXPIRE_EVIDENCE', requestId: 'r1' }, at(24 * HOUR), policy)
    expect(value(expired)).toMatchObject({ to: 'IN_DISPUTE', ruleId: RULE_IDS.buyerEvidenceTimeout })
    expect(kinds(expired)).toEqual(['CLOSE_EVIDENCE_REQUEST', 'NOTIFY:buyerEvidenceExpired'])
  })
})

describe('the agent holding a dispute', () => {
  const held = (holderId: string | null) => disputed({ dispute: { holderId, requests: [] } })
  const ask = (by: string, holderId: string | null) => transition(held(holderId), { type: 'REQUEST_EVIDENCE', party: 'MERCHANT', by }, at(0), policy)
  const rule = (by: string, holderId: string | null) => transition(held(holderId), { type: 'RULE', liableParty: 'MERCHANT', outcome: 'REJECT_REQUEST', refundAmountFen: null, by, convertToReturn: false }, at(0), policy)
  it('alone asks for evidence and rules', () => {
    expect(value(ask(AGENT, AGENT)).effects[0]).toEqual({ kind: 'HOLD_DISPUTE', agentId: AGENT, claim: false })
    expect(value(rule(AGENT, AGENT)).effects[0]).toEqual({ kind: 'HOLD_DISPUTE', agentId: AGENT, claim: false })
  })
  it("refuses a colleague, before anything else about the act", () => {
    expect(ask(COLLEAGUE, AGENT)).toEqual({ ok: false, error: 'HELD_BY_ANOTHER_AGENT' })
    expect(rule(COLLEAGUE, AGENT)).toEqual({ ok: false, error: 'HELD_BY_ANOTHER_AGENT' })
    // Even where the act itself would be refused for another reason, the colleague hears whose dispute it is.
    expect(transition(disputed({ dispute: { holderId: AGENT, requests: [request()] } }), { type: 'REQUEST_EVIDENCE', party: 'MERCHANT', by: COLLEAGUE }, at(0), policy)).toEqual({
      ok: false,
      error: 'HELD_BY_ANOTHER_AGENT',
    })
  })
  it('claims an unassigned dispute by acting in it', () => {
    expect(value(ask(COLLEAGUE, null)).effects[0]).toEqual({ kind: 'HOLD_DISPUTE', agentId: COLLEAGUE, claim: true })
    expect(value(rule(COLLEAGUE, null)).effects[0]).toEqual({ kind: 'HOLD_DISPUTE', agentId: COLLEAGUE, claim: true })
  })
  it('leaves the system alone: deadlines fire whoever holds the dispute', () => {
    const open = disputed({ dispute: { holderId: AGENT, requests: [request()] } })
    expect(value(transition(open, { type: 'EXPIRE_EVIDENCE', requestId: 'r1' }, at(24 * HOUR), policy)).to).toBe('REFUNDED')
  })
})

describe('the ruling', () => {
  const open = disputed({ requestedAmountFen: 250_00, refundableFen: 300_00 })
  const rule = (outcome: (typeof RULING_OUTCOMES)[number], refundAmountFen: number | null = null, c = open) =>
    transition(c, { type: 'RULE', liableParty: 'MERCHANT', outcome, refundAmountFen, by: AGENT, convertToReturn: false }, at(0), policy)
  it('refunds what the buyer asked for in full', () => expect(refunds(rule('FULL_REFUND'))).toEqual([250_00]))
  it('takes a partial amount above zero, at most what was asked, at most the balance', () => {
    expect(refunds(rule('PARTIAL_REFUND', 250_00))).toEqual([250_00])
    expect(refunds(rule('PARTIAL_REFUND', 1))).toEqual([1])
    expect(rule('PARTIAL_REFUND', 250_01)).toEqual({ ok: false, error: 'REFUND_ABOVE_REQUEST' })
    expect(rule('PARTIAL_REFUND', 300_00)).toEqual({ ok: false, error: 'REFUND_ABOVE_REQUEST' })
    expect(rule('PARTIAL_REFUND', 200_00, { ...open, refundableFen: 199_99 })).toEqual({ ok: false, error: 'REFUND_ABOVE_BALANCE' })
    expect(rule('FULL_REFUND', null, { ...open, refundableFen: 249_99 })).toEqual({ ok: false, error: 'REFUND_ABOVE_BALANCE' })
  })
  it.each([[0], [-5], [null], [12.5]])('refuses a partial refund of %s', (amount) => {
    expect(rule('PARTIAL_REFUND', amount)).toEqual({ ok: false, error: 'REFUND_AMOUNT_INVALID' })
  })
  it('holds the dispute, records the ruling, then the refund (the refund belongs to it), then tells both parties', () => {
    expect(kinds(rule('PARTIAL_REFUND', 50_00))).toEqual(['HOLD_DISPUTE', 'RECORD_RULING', 'REFUND', 'NOTIFY:ruled'])
  })
  it('"return then refund" binds the merchant and waits for the parcel it asks for', () => {
    const returnDispute = { ...open, type: 'RETURN_AND_REFUND' as const }
    const ordered = value(rule('RETURN_THEN_REFUND', null, returnDispute))
    expect(ordered).toMatchObject({ to: 'AWAITING_RETURN', deadlines: { buyerShipBy: at(policy.returnAndRefund.buyerShipMs) } })
    expect(ordered.effects[1]).toMatchObject({ kind: 'RECORD_RULING', binds: true })
    // Escalated after the buyer had shipped: the parcel is awaited, not asked for again.
    const shipped = value(rule('RETURN_THEN_REFUND', null, { ...returnDispute, trackingUploadedAt: at(-DAY) }))
    expect(shipped).toMatchObject({ to: 'AWAITING_RECEIPT', deadlines: { merchantReceiveBy: at(policy.returnAndRefund.merchantReceiveMs), buyerShipBy: null } })
  })
  it('orders a return on a refund-only request only when the agent converts it explicitly', () => {
    expect(rule('RETURN_THEN_REFUND')).toEqual({ ok: false, error: 'NOT_RETURN_CASE' })
    const converted = transition(open, { type: 'RULE', liableParty: 'MERCHANT', outcome: 'RETURN_THEN_REFUND', refundAmountFen: null, by: AGENT, convertToReturn: true }, at(0), policy)
    expect(kinds(converted)).toEqual(['HOLD_DISPUTE', 'CONVERT_TO_RETURN', 'RECORD_RULING', 'NOTIFY:ruled'])
    expect(value(converted).to).toBe('AWAITING_RETURN')
    // Converting means nothing for the other outcomes, nor for a case that already is a return.
    const returnDispute = { ...open, type: 'RETURN_AND_REFUND' as const }
    expect(kinds(transition(returnDispute, { type: 'RULE', liableParty: 'MERCHANT', outcome: 'RETURN_THEN_REFUND', refundAmountFen: null, by: AGENT, convertToReturn: true }, at(0), policy))).not.toContain(
      'CONVERT_TO_RETURN',
    )
    expect(kinds(transition(open, { type: 'RULE', liableParty: 'MERCHANT', outcome: 'FULL_REFUND', refundAmountFen: null, by: AGENT, convertToReturn: true }, at(0), policy))).not.toContain('CONVERT_TO_RETURN')
  })
  it('a ruled round refuses a second ruling by name, whatever state it left', () => {
    for (const state of ['REFUNDED', 'CLOSED', 'AWAITING_RETURN'] as const) {
      expect(rule('FULL_REFUND', null, { ...open, state, dispute: null, rounds: 1 })).toEqual({ ok: false, error: 'CONFLICT_ALREADY_RULED' })
    }
  })
  it('rejecting the request closes the case and binds nobody', () => {
    const rejected = value(rule('REJECT_REQUEST'))
    expect(rejected.to).toBe('CLOSED')
    expect(rejected.effects[1]).toMatchObject({ kind: 'RECORD_RULING', binds: false, refundAmountFen: null })
  })
})

describe('rounds: after "return then refund" the ruling binds the merchant', () => {
  const bound = returnCase({ state: 'AWAITING_RECEIPT', merchantReceiveBy: at(10 * DAY), trackingUploadedAt: at(0), boundByRuling: true, rounds: 1 })
  it('confirming receipt refunds, as the ruling ordered', () => {
    expect(refunds(transition(bound, { type: 'CONFIRM_RECEIPT', insuranceWarningAccepted: false }, at(DAY), policy))).toEqual([100_00])
  })
  it('a rejection after receipt goes back to the platform as round 2, never closing the case', () => {
    const objected = value(transition(bound, { type: 'REJECT_AFTER_RECEIPT', proofFiles: 1 }, at(DAY), policy))
    expect(objected.to).toBe('IN_DISPUTE')
    expect(objected.ruleId).toBe(RULE_IDS.rejectionAfterRuling)
    expect(objected.effects[0]).toEqual({ kind: 'OPEN_DISPUTE', round: 2, openedBy: 'MERCHANT', reason: 'MERCHANT_REJECTED_AFTER_RULING' })
    expect(transition({ ...bound, boundByRuling: false }, { type: 'REJECT_AFTER_RECEIPT', proofFiles: 1 }, at(DAY), policy)).toMatchObject({ ok: true, value: { to: 'REJECTED' } })
  })
  it('the merchant may not cancel it for an offline resolution; the buyer may still withdraw', () => {
    expect(transition(bound, { type: 'CANCEL_FOR_OFFLINE_RESOLUTION' }, at(DAY), policy)).toEqual({ ok: false, error: 'BOUND_BY_RULING' })
    expect(outcome(transition(bound, { type: 'BUYER_WITHDRAW' }, at(DAY), policy))).toBe('CLOSED')
  })
  it('either party may escalate again (round 2); the round after that is 3', () => {
    expect(value(transition(bound, { type: 'ESCALATE', by: 'BUYER' }, at(DAY), policy)).effects[0]).toMatchObject({ kind: 'OPEN_DISPUTE', round: 2 })
    expect(value(transition({ ...bound, rounds: 2 }, { type: 'ESCALATE', by: 'BUYER' }, at(DAY), policy)).effects[0]).toMatchObject({ round: 3 })
  })
  it('the timeouts still apply: the merchant silent on receipt refunds, the buyer not shipping closes', () => {
    expect(outcome(transition(bound, { type: 'RECEIVE_TIMEOUT' }, at(10 * DAY), policy))).toBe('REFUNDED')
    const awaiting = { ...bound, state: 'AWAITING_RETURN' as const, buyerShipBy: at(DAY), merchantReceiveBy: null, trackingUploadedAt: null }
    expect(outcome(transition(awaiting, { type: 'BUYER_SHIP_TIMEOUT' }, at(DAY), policy))).toBe('CLOSED')
  })
  it('a second ruling on round 2 is like the first (one per dispute)', () => {
    const round2 = disputed({ rounds: 2, boundByRuling: true, type: 'RETURN_AND_REFUND' })
    expect(refunds(transition(round2, { type: 'RULE', liableParty: 'MERCHANT', outcome: 'FULL_REFUND', refundAmountFen: null, by: AGENT, convertToReturn: false }, at(DAY), policy))).toEqual([100_00])
  })
})

describe('deadlines as each party sees them', () => {
  const requests = [request({ party: 'BUYER', dueAt: at(5 * HOUR) }), request({ id: 'r2', party: 'MERCHANT', dueAt: at(10 * HOUR) })]
  const inDispute = { state: 'IN_DISPUTE' as const, merchantRespondBy: null, buyerShipBy: null, merchantReceiveBy: null }
  it("shows each party its own evidence deadline, never the other's", () => {
    expect(partyDeadline('MERCHANT', inDispute, requests)).toEqual(at(10 * HOUR))
    expect(partyDeadline('BUYER', inDispute, requests)).toEqual(at(5 * HOUR))
    expect(nextDeadline(inDispute, requests)).toEqual(at(5 * HOUR))
    expect(partyDeadline('MERCHANT', inDispute, [{ ...requests[1]!, status: 'SUBMITTED' }])).toBeNull()
  })
  it('life-cycle deadlines belong to whoever must act', () => {
    const awaitingReturn = { state: 'AWAITING_RETURN' as const, merchantRespondBy: null, buyerShipBy: at(DAY), merchantReceiveBy: null }
    expect(partyDeadline('BUYER', awaitingReturn)).toEqual(at(DAY))
    expect(partyDeadline('MERCHANT', awaitingReturn)).toBeNull()
    expect(nextDeadline(awaitingReturn)).toEqual(at(DAY))
  })
})
