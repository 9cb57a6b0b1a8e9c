// The case dispatcher: every command a person takes on a case (from the case page, the workbench,
// later the open API) and every event a deadline fires runs here, in one transaction: authorize
// through the command table → parse → load the case within the actor's scope → look up what only
// the database knows → the case machine decides → applyTransition carries it out.
import type { Actor, MerchantActor } from '~/domain/actor'
import { actorFacts, CASE_COMMANDS, commandRefusal, isCaseIntent, mayIssue, parseCommand, type CaseIntent, type CommandFacts, type CommandInput, type FileKind } from '~/domain/case-commands'
import { nextDeadline, transition, type CaseEvent, type Transition } from '~/domain/case-machine'
import { ESCALATION_REASONS_BY_PARTY, validateExplanation } from '~/domain/dispute'
import { isUuid } from '~/domain/ids'
import { RETURN_SMS_NOTICE } from '~/domain/lifecycle'
import { Prisma } from '~/generated/prisma/client'
import type { Tx } from '~/infra/db.server'
import { caseScope } from '~/models/scopes.server'
import { applyTransition, loadCase, type Applied, type ApplyInput, type LoadedCase } from './case-transition.server'
import type { ServiceDeps } from './deps'
import { ServiceError, type ServiceErrorCode } from './errors.server'
import { evidenceRow, type StoredFile } from './evidence-intake.server'
import { defaultReturnAddress } from './shop-settings.server'

export type CommandRequest = { caseId: string; intent: CaseIntent; fields: Record<string, string | string[]>; files?: StoredFile[] }

/** Runs one command as the actor. Refusals are ServiceErrors with the machine's or the schema's name. */
export async function runCaseCommand(deps: ServiceDeps, actor: Actor, command: CommandRequest): Promise<Applied> {
  if (!mayIssue(actor, command.intent)) throw new ServiceError('FORBIDDEN')
  const parsed = parseCommand(command.intent, command.fields)
  if (!parsed.ok) throw new ServiceError(command.intent === 'rule' && parsed.field === 'refundAmount' ? 'REFUND_AMOUNT_INVALID' : 'INVALID_INPUT', { field: parsed.field })
  const files = command.files ?? []
  if (files.length && !CASE_COMMANDS[command.intent].files) throw new ServiceError('INVALID_INPUT', { field: 'files' })
  if (!isUuid(command.caseId)) throw new ServiceError('NOT_FOUND')
  const now = deps.clock.now()
  const attempt = () =>
    deps.db.$transaction(async (tx) => {
      const found = await loadCase(tx, { id: command.caseId, ...caseScope(actor) })
      const prepared = await prepare(tx, deps, actor, found, command.intent, parsed.input as never, files, now)
      const event = CASE_COMMANDS[command.intent].event(parsed.input as never, prepared.facts)
      const decided = decide(found, event, now, deps)
      const applied = await applyTransition(tx, deps, found, decided, { actor: actor as ApplyInput['actor'], now, ...prepared.apply, action: prepared.action(decided) })
      await prepared.after?.(applied)
      return applied
    })
  try {
    return await attempt()
  } catch (error) {
    // Someone changed the case between our read and our write (a double click, another agent):
    // decide once more on what is there now, so the refusal names what happened.
    if (error instanceof ServiceError && error.code === 'CONFLICT_CHANGED') return attempt()
    throw error
  }
}

/**
 * Before a file of a multipart command is read: the intent carries files, and the actor may issue
 * it on this case now (kind, permission, the case within the actor's scope, its state). Returns
 * what its files are stored as. Files stream to S3 only after this; the command checks everything
 * again in its own transaction.
 */
export async function authorizeFileCommand(deps: ServiceDeps, actor: Actor, command: { caseId: string; intent: string }): Promise<FileKind> {
  const { caseId, intent } = command
  if (!isCaseIntent(intent)) throw new ServiceError('INVALID_INPUT', { field: 'intent' })
  const purpose = CASE_COMMANDS[intent].files
  if (!purpose) throw new ServiceError('INVALID_INPUT', { field: 'files' })
  if (!mayIssue(actor, intent)) throw new ServiceError('FORBIDDEN')
  if (!isUuid(caseId)) throw new ServiceError('NOT_FOUND')
  const found = await loadCase(deps.db, { id: caseId, ...caseScope(actor) })
  const refusal = commandRefusal(actor, found.snapshot, intent, deps.clock.now(), deps.policy)
  if (refusal) throw new ServiceError(refusal)
  return purpose
}

/** The machine's verdict, or its named refusal. */
function decide(found: LoadedCase, event: CaseEvent, now: Date, deps: ServiceDeps): Transition {
  const result = transition(found.snapshot, event, now, deps.policy)
  if (!result.ok) throw new ServiceError(result.error)
  return result.value
}

type Prepared = {
  facts: CommandFacts
  apply: Omit<ApplyInput, 'actor' | 'now' | 'action'>
  action: (decided: Transition) => string
  after?: (applied: Applied) => Promise<void>
}

/** Per intent: the facts the machine needs, the columns and words the command adds, its log action. */
async function prepare<I extends CaseIntent>(
  tx: Tx,
  deps: ServiceDeps,
  actor: Actor,
  found: LoadedCase,
  intent: I,
  input: CommandInput<I>,
  files: StoredFile[],
  now: Date,
): Promise<Prepared> {
  const facts: CommandFacts = { ...actorFacts(actor), hasReturnAddress: false, proofFiles: files.length }
  const fixed = (action: string) => () => action
  switch (intent) {
    case 'approve': {
      const { addressId, smsNotice, message } = input as CommandInput<'approve'>
      const address =
        found.type === 'RETURN_AND_REFUND' && addressId
          ? await tx.shopAddress.findFirst({ where: { id: addressId, shopId: found.shopId, archivedAt: null }, select: { label: true, contactName: true, phone: true, address: true } })
          : null
      const sms = smsNotice === 'on'
      return {
        facts: { ...facts, hasReturnAddress: address !== null },
        apply: {
          data: address ? { returnAddress: address, returnSmsNotice: sms } : {},
          details: address ? { addressLabel: address.label, smsNotice: sms ? RETURN_SMS_NOTICE : null } : {},
          negotiation: { kind: 'approve', message, details: address ? { returnAddress: address, smsNotice: sms } : {} },
        },
        action: fixed('case.approved'),
      }
    }
    case 'direct-refund':
      return { facts, apply: { negotiation: { kind: 'direct-refund', message: (input as CommandInput<'direct-refund'>).message } }, action: fixed('case.direct-refund') }
    case 'reject':
    case 'reject-after-receipt': {
      const { reason, message } = input as CommandInput<'reject'>
      const merchant = actor as MerchantActor
      return {
        facts,
        apply: {
          data: { rejectionReason: reason },
          details: { reason, files: files.length },
          negotiation: { kind: intent, message, details: { reason } },
          escalation: { reason, description: message, files: [] },
        },
        // A rejection of a return the platform ordered goes back to the platform (a new round).
        action: (decided) => (intent === 'reject' ? 'case.rejected' : decided.to === 'IN_DISPUTE' ? 'return.rejected-after-ruling' : 'return.rejected-after-receipt'),
        after: async () => {
          await tx.evidenceItem.createMany({ data: files.map((file) => evidenceRow(file, { caseId: found.id, actor: merchant, purpose: 'REJECTION_PROOF', status: 'SUBMITTED', at: now })) })
        },
      }
    }
    case 'ship-return': {
      const { courier, trackingNo } = input as CommandInput<'ship-return'>
      return {
        facts,
        apply: {
          data: { returnCourier: courier, returnTrackingNo: trackingNo, trackingUploadedAt: now, trackingUploadedBy: actor.kind as 'BUYER' | 'MERCHANT' },
          details: { courier, trackingNo },
          // Entered by the merchant for the buyer: the history shows it under the merchant.
          negotiation: { kind: 'return-tracking', details: { courier, trackingNo, onBehalfOfBuyer: actor.kind === 'MERCHANT' } },
        },
        action: fixed(actor.kind === 'BUYER' ? 'return.shipped' : 'return.shipped-by-merchant'),
      }
    }
    case 'confirm-receipt':
      return { facts, apply: { details: { beforeTracking: found.state === 'AWAITING_RETURN' }, negotiation: { kind: 'receipt-confirmed' } }, action: fixed('return.received') }
    case 'extend-receipt':
      return {
        facts,
        apply: { data: { receiptExtensions: { increment: 1 } }, negotiation: { kind: 'extend-receipt' } },
        action: fixed('return.receipt-extended'),
      }
    case 'offline-resolution': {
      const { resolution, message } = input as CommandInput<'offline-resolution'>
      return {
        facts,
        apply: {
          data: { offlineResolution: resolution },
          details: { resolution },
          negotiation: { kind: 'offline-resolution', message, details: { resolution } },
          noticeVariant: resolution,
        },
        action: fixed('case.offline-resolution'),
      }
    }
    case 'withdraw':
      return { facts, apply: { negotiation: { kind: 'withdraw' } }, action: fixed('case.withdrawn') }
    case 'escalate': {
      const { reason, description } = input as CommandInput<'escalate'>
      if (!facts.party || !(ESCALATION_REASONS_BY_PARTY[facts.party] as readonly string[]).includes(reason)) throw new ServiceError('INVALID_INPUT', { field: 'reason' })
      return {
        facts,
        apply: {
          escalation: { reason, description, files },
          details: { reason, files: files.length },
          negotiation: { kind: 'escalation', message: description.trim() },
        },
        action: fixed('dispute.escalated'),
      }
    }
    case 'request-evidence': {
      const { party, instructions, checklist } = input as CommandInput<'request-evidence'>
      return { facts, apply: { evidenceAsk: { instructions, checklist }, details: { party } }, action: fixed('evidence.requested') }
    }
    case 'submit-evidence': {
      const { requestId, explanation } = input as CommandInput<'submit-evidence'>
      // Only the party asked may answer; another's request is not found.
      const mine = found.openDispute?.evidenceRequests.find((r) => r.id === requestId && r.party === facts.party)
      if (!mine) {
        const exists = await tx.evidenceRequest.findFirst({ where: { id: requestId, caseId: found.id, party: facts.party ?? undefined }, select: { status: true } })
        if (!exists) throw new ServiceError('NOT_FOUND')
      }
      const checked = validateExplanation(explanation, deps.policy)
      if (!checked.ok) throw new ServiceError(checked.error)
      const drafts = await tx.evidenceItem.count({ where: { requestId, status: 'DRAFT' } })
      return { facts, apply: { submission: { explanation: checked.value }, details: { files: drafts } }, action: fixed('evidence.submitted') }
    }
    case 'rule': {
      const { rationale, internalNote, reliedEvidenceIds } = input as CommandInput<'rule'>
      if (reliedEvidenceIds.length) {
        const known = await tx.evidenceItem.count({ where: { id: { in: reliedEvidenceIds }, caseId: found.id, status: 'SUBMITTED' } })
        if (known !== new Set(reliedEvidenceIds).size) throw new ServiceError('INVALID_INPUT', { field: 'reliedEvidenceIds' })
      }
      const { liableParty, outcome } = input as CommandInput<'rule'>
      // "Return then refund" on a case that never had a return address: the shop's default one.
      const address = outcome === 'RETURN_THEN_REFUND' && found.returnAddress === null ? await defaultReturnAddress(tx, found.shopId) : null
      return {
        facts,
        apply: {
          ruling: { rationale, internalNote: internalNote || null, reliedEvidenceIds },
          details: { liableParty, outcome, ...(outcome === 'RETURN_THEN_REFUND' && found.type === 'REFUND_ONLY' ? { convertedToReturn: true } : {}) },
          data: address ? { returnAddress: address } : {},
        },
        action: fixed('dispute.ruled'),
      }
    }
    default:
      throw new Error(`no preparation for ${intent satisfies never}`)
  }
}

// ─── events the system fires ───────────────────────────────────────────────────

/**
 * Fires a deadline's event on a case. Idempotent: a case that no longer qualifies, or that another
 * worker changed first, is left alone (false). A case listed as due whose own column says otherwise
 * gets its sort column set right, so it is not read again at every sweep.
 */
export async function fireSystemEvent(deps: ServiceDeps, caseId: string, event: CaseEvent): Promise<boolean> {
  try {
    return await fireInTx(deps, caseId, event)
  } catch (error) {
    // Another worker got there first: its transition stands, ours rolled back whole.
    if (error instanceof ServiceError && (error.code === 'CONFLICT_CHANGED' || error.code === 'ALREADY_REMINDED')) return false
    throw error
  }
}

function fireInTx(deps: ServiceDeps, caseId: string, event: CaseEvent): Promise<boolean> {
  const now = deps.clock.now()
  return deps.db.$transaction(async (tx) => {
    const found = await loadCase(tx, { id: caseId }).catch((error) => {
      if (error instanceof ServiceError && error.code === 'NOT_FOUND') return null
      throw error
    })
    if (!found) return false
    const result = transition(found.snapshot, event, now, deps.policy)
    if (!result.ok) {
      if (result.error === 'NOT_DUE') {
        const requests = found.openDispute?.evidenceRequests ?? []
        await tx.afterSalesCase.updateMany({ where: { id: found.id, version: found.version }, data: { nextDeadlineAt: nextDeadline(found, requests) } })
      }
      return false
    }
    const decided = result.value
    // 48 h passed on a return: approved with the shop's default address (or none: the buyer is
    // shown to ask the shop).
    const data: Prisma.AfterSalesCaseUpdateManyMutationInput =
      event.type === 'MERCHANT_TIMEOUT' && decided.to === 'AWAITING_RETURN' ? { returnAddress: (await defaultReturnAddress(tx, found.shopId)) ?? Prisma.DbNull } : {}
    await applyTransition(tx, deps, found, decided, {
      actor: { kind: 'SYSTEM' },
      action: systemAction(event, decided),
      now,
      data,
      negotiation: event.type === 'REMIND_EVIDENCE' ? undefined : { kind: 'system-decision', details: { ruleId: decided.ruleId ?? null } },
    })
    return true
  })
}

function systemAction(event: CaseEvent, decided: Transition): string {
  switch (event.type) {
    case 'REMIND_EVIDENCE':
      return 'evidence.reminded'
    case 'EXPIRE_EVIDENCE':
      return decided.effects.some((e) => e.kind === 'RECORD_RULING') ? 'dispute.ruled-by-timeout' : 'evidence.expired'
    default:
      return `deadline.${decided.ruleId}`
  }
}


export type BulkResult = { caseId: string; ok: true } | { caseId: string; ok: false; error: ServiceErrorCode }

/** 批量确认收货: the same command per case; each case stands or fails on its own. */
export async function confirmReceiptInBulk(deps: ServiceDeps, merchant: MerchantActor, input: { caseIds: string[]; insuranceWarningAccepted: boolean }): Promise<BulkResult[]> {
  const results: BulkResult[] = []
  for (const caseId of new Set(input.caseIds)) {
    try {
      await runCaseCommand(deps, merchant, { caseId, intent: 'confirm-receipt', fields: input.insuranceWarningAccepted ? { insuranceWarningAccepted: 'yes' } : {} })
      results.push({ caseId, ok: true })
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error
      results.push({ caseId, ok: false, error: error.code })
    }
  }
  return results
}
