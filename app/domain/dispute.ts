// Platform intervention (平台介入) besides the case machine: the reasons a party escalates with, the
// case-log actions only agents see, and the rules of an evidence response. The states and events
// themselves are the case machine's (case-machine.ts).
import { fail, ok, type Result } from './case-machine'
import type { Policy } from './policy'

/** Why a party escalates; shown as a list. */
export const ESCALATION_REASONS = [
  'MERCHANT_REJECTED_UNFAIRLY',
  'MERCHANT_NOT_RESPONDING',
  'NEGOTIATION_FAILED',
  'BUYER_CLAIM_UNFOUNDED',
  'OTHER',
] as const
export type EscalationReason = (typeof ESCALATION_REASONS)[number]

/** The reasons each party may give: a merchant does not complain that the merchant rejected. */
export const ESCALATION_REASONS_BY_PARTY = {
  BUYER: ['MERCHANT_REJECTED_UNFAIRLY', 'MERCHANT_NOT_RESPONDING', 'NEGOTIATION_FAILED', 'OTHER'],
  MERCHANT: ['BUYER_CLAIM_UNFOUNDED', 'NEGOTIATION_FAILED', 'OTHER'],
} as const satisfies Record<'BUYER' | 'MERCHANT', readonly EscalationReason[]>

/** Case-log actions only agents see: how the platform shares out its work. */
export const AGENT_ONLY_LOG_ACTIONS = ['dispute.claimed', 'dispute.assigned'] as const

export type EvidenceResponseError = 'EXPLANATION_TOO_LONG' | 'TOO_MANY_FILES'

export function validateExplanation(text: string, policy: Policy): Result<string, EvidenceResponseError> {
  const trimmed = text.trim()
  return [...trimmed].length > policy.dispute.explanationMaxChars ? fail('EXPLANATION_TOO_LONG') : ok(trimmed)
}
