// The case commands as the tests call them: each goes through the real dispatcher with the fields a
// form would post (the command table parses, authorizes and decides), so a test exercises exactly
// the door the case page and the API use.
import type { Actor, AgentActor, BuyerActor, MerchantActor } from '~/domain/actor'
import type { CaseIntent } from '~/domain/case-commands'
import type { LiableParty, Party, RulingOutcome } from '~/domain/case-machine'
import type { EscalationReason } from '~/domain/dispute'
import type { Courier, OfflineResolution, RejectionReason } from '~/domain/lifecycle'
import { confirmReceiptInBulk, runCaseCommand } from '~/services/case-commands.server'
import { attachDraftFiles } from '~/services/evidence-drafts.server'
import type { ServiceDeps } from '~/services/deps'
import type { StoredFile } from '~/services/evidence-intake.server'

export { removeDraftFile } from '~/services/evidence-drafts.server'
export { openRequest } from '~/services/open-request.server'

const run = (deps: ServiceDeps, actor: Actor, caseId: string, intent: CaseIntent, fields: Record<string, string | string[]> = {}, files: StoredFile[] = []) =>
  runCaseCommand(deps, actor, { caseId, intent, fields, files })

/** One stored file as a draft, as the uploader sends them (one file per POST). */
export const attachDraftFile = async (deps: ServiceDeps, actor: BuyerActor | MerchantActor, requestId: string, file: StoredFile) =>
  (await attachDraftFiles(deps, actor, requestId, [file]))[0]!

const yuan = (fen: number | null) => (fen === null ? '' : (fen / 100).toFixed(2))

export async function escalate(deps: ServiceDeps, actor: BuyerActor | MerchantActor, input: { caseId: string; reason: EscalationReason; description: string; files?: StoredFile[] }) {
  const applied = await run(deps, actor, input.caseId, 'escalate', { reason: input.reason, description: input.description }, input.files)
  return deps.db.dispute.findUniqueOrThrow({ where: { id: applied.disputeId! } })
}

export async function requestEvidence(deps: ServiceDeps, agent: AgentActor, input: { caseId: string; party: Party; instructions: string; checklist: string[] }) {
  const applied = await run(deps, agent, input.caseId, 'request-evidence', { party: input.party, instructions: input.instructions, checklist: input.checklist.join('\n') })
  return deps.db.evidenceRequest.findUniqueOrThrow({ where: { id: applied.requestId! } })
}

export async function submitEvidence(deps: ServiceDeps, actor: BuyerActor | MerchantActor, input: { requestId: string; explanation: string }) {
  const request = await deps.db.evidenceRequest.findUnique({ where: { id: input.requestId }, select: { caseId: true } })
  await run(deps, actor, request?.caseId ?? '00000000-0000-4000-8000-000000000000', 'submit-evidence', { requestId: input.requestId, explanation: input.explanation })
  return { files: await deps.db.evidenceItem.count({ where: { requestId: input.requestId, status: 'SUBMITTED' } }) }
}

export type RulingInput = {
  caseId: string
  liableParty: LiableParty
  outcome: RulingOutcome
  refundAmountFen: number | null
  rationale: string
  internalNote?: string
  reliedEvidenceIds?: string[]
}

export async function recordRuling(deps: ServiceDeps, agent: AgentActor, input: RulingInput) {
  const applied = await run(deps, agent, input.caseId, 'rule', {
    liableParty: input.liableParty,
    outcome: input.outcome,
    refundAmount: yuan(input.refundAmountFen),
    rationale: input.rationale,
    internalNote: input.internalNote ?? '',
    reliedEvidenceIds: input.reliedEvidenceIds ?? [],
  })
  return deps.db.ruling.findUniqueOrThrow({ where: { id: applied.rulingId! } })
}

export type MerchantDecision =
  | { kind: 'APPROVE'; addressId?: string; smsNotice?: boolean; message?: string }
  | { kind: 'REJECT'; reason: RejectionReason; message: string; files: StoredFile[] }
  | { kind: 'DIRECT_REFUND'; message?: string }

export async function merchantDecide(deps: ServiceDeps, merchant: MerchantActor, caseId: string, decision: MerchantDecision) {
  switch (decision.kind) {
    case 'APPROVE':
      return (await run(deps, merchant, caseId, 'approve', { addressId: decision.addressId ?? '', smsNotice: decision.smsNotice ? 'on' : '', message: decision.message ?? '' })).to
    case 'REJECT':
      return (await run(deps, merchant, caseId, 'reject', { reason: decision.reason, message: decision.message }, decision.files)).to
    case 'DIRECT_REFUND':
      return (await run(deps, merchant, caseId, 'direct-refund', { message: decision.message ?? '' })).to
  }
}

export const submitReturnShipment = async (deps: ServiceDeps, actor: BuyerActor | MerchantActor, caseId: string, input: { courier: Courier; trackingNo: string }) =>
  (await run(deps, actor, caseId, 'ship-return', input)).to

export const confirmReceipt = confirmReceiptInBulk

export const rejectAfterReceipt = async (deps: ServiceDeps, merchant: MerchantActor, caseId: string, input: { reason: RejectionReason; message: string; files: StoredFile[] }) =>
  (await run(deps, merchant, caseId, 'reject-after-receipt', { reason: input.reason, message: input.message }, input.files)).to

export async function extendReceipt(deps: ServiceDeps, merchant: MerchantActor, caseId: string) {
  await run(deps, merchant, caseId, 'extend-receipt')
  return (await deps.db.afterSalesCase.findUniqueOrThrow({ where: { id: caseId } })).merchantReceiveBy!
}

export const cancelForOfflineResolution = (deps: ServiceDeps, merchant: MerchantActor, caseId: string, input: { resolution: OfflineResolution; message: string }) =>
  run(deps, merchant, caseId, 'offline-resolution', input)

export const withdrawRequest = (deps: ServiceDeps, buyer: BuyerActor, caseId: string) => run(deps, buyer, caseId, 'withdraw')
