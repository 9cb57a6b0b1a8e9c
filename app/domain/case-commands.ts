// The command table: every intent a person can take on a case, declared once — who may take it
// (actor kind, and the permission a merchant member needs), the schema of its input, whether it
// carries files, and the case-machine event it becomes. The case page offers exactly the commands
// `availableCommands` returns; the dispatcher (services/case-commands.server) authorizes through
// `mayIssue` and decides through the machine, so the page, the UI's forms and a future open API
// all go through the same door.
import { z } from 'zod'
import { merchantCan, type Actor, type ShopPermission } from './actor'
import { LIABLE_PARTIES, RULING_OUTCOMES, transition, type CaseError, type CaseEvent, type CaseSnapshot, type Party } from './case-machine'
import { ESCALATION_REASONS } from './dispute'
import { COURIERS, OFFLINE_RESOLUTIONS, REJECTION_REASONS } from './lifecycle'
import type { Policy } from './policy'
import { yuanToFen } from './money'

/** What only the service can know when it turns an input into an event. */
export type CommandFacts = { party: Party | null; agentId: string | null; hasReturnAddress: boolean; proofFiles: number }

export type FileKind = 'REJECTION_PROOF' | 'ESCALATION'

type CommandSpec<S extends z.ZodType> = {
  actors: readonly Actor['kind'][]
  /** What a merchant member needs; buyers and agents act by kind. */
  permission?: ShopPermission
  schema: S
  /** Multipart forms: the files stream to S3 as this purpose before the command runs. */
  files?: FileKind
  event(input: z.infer<S>, facts: CommandFacts): CaseEvent
  /** The events to try for "may this be offered now?" (with facts as the form would supply them). */
  probes(c: CaseSnapshot, facts: CommandFacts): CaseEvent[]
}

const text = (max: number) => z.string().trim().max(max)
const required = (max: number) => z.string().trim().min(1).max(max)
/** A form's repeated field arrives as a string or a list. */
const list = <T extends z.ZodType>(item: T) => z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(item))
/** Yuan as typed, to fen; empty is "no amount". */
const yuan = z
  .string()
  .trim()
  .transform((value, ctx) => {
    if (value === '') return null
    const fen = yuanToFen(value)
    if (fen === null) {
      ctx.addIssue({ code: 'custom', message: 'amount' })
      return z.NEVER
    }
    return fen
  })

const define = <S extends z.ZodType>(spec: CommandSpec<S>) => spec
const rejection = z.object({ reason: z.enum(REJECTION_REASONS), message: required(2000) })

export const CASE_COMMANDS = {
  approve: define({
    actors: ['MERCHANT'],
    permission: 'AGREE_REFUND',
    schema: z.object({ addressId: z.string().uuid().optional(), smsNotice: z.literal('on').optional(), message: text(2000).default('') }),
    event: (_, facts) => ({ type: 'APPROVE', hasReturnAddress: facts.hasReturnAddress }),
    probes: () => [{ type: 'APPROVE', hasReturnAddress: true }],
  }),
  'direct-refund': define({
    actors: ['MERCHANT'],
    permission: 'AGREE_REFUND',
    schema: z.object({ message: text(2000).default('') }),
    event: () => ({ type: 'DIRECT_REFUND' }),
    probes: () => [{ type: 'DIRECT_REFUND' }],
  }),
  reject: define({
    actors: ['MERCHANT'],
    permission: 'HANDLE_AFTER_SALES',
    schema: rejection,
    files: 'REJECTION_PROOF',
    event: (_, facts) => ({ type: 'REJECT', proofFiles: facts.proofFiles }),
    probes: () => [{ type: 'REJECT', proofFiles: 1 }],
  }),
  'ship-return': define({
    actors: ['BUYER', 'MERCHANT'],
    // 帮买家上传退货单号 needs 同意退款.
    permission: 'AGREE_REFUND',
    schema: z.object({ courier: z.enum(COURIERS), trackingNo: z.string().trim().toUpperCase().regex(/^[A-Z0-9-]{6,40}$/) }),
    event: () => ({ type: 'SHIP_RETURN' }),
    probes: () => [{ type: 'SHIP_RETURN' }],
  }),
  'confirm-receipt': define({
    actors: ['MERCHANT'],
    permission: 'AGREE_REFUND',
    schema: z.object({ insuranceWarningAccepted: z.literal('yes').optional() }),
    event: (input) => ({ type: 'CONFIRM_RECEIPT', insuranceWarningAccepted: input.insuranceWarningAccepted === 'yes' }),
    probes: () => [{ type: 'CONFIRM_RECEIPT', insuranceWarningAccepted: true }],
  }),
  'reject-after-receipt': define({
    actors: ['MERCHANT'],
    permission: 'HANDLE_AFTER_SALES',
    schema: rejection,
    files: 'REJECTION_PROOF',
    event: (_, facts) => ({ type: 'REJECT_AFTER_RECEIPT', proofFiles: facts.proofFiles }),
    probes: () => [{ type: 'REJECT_AFTER_RECEIPT', proofFiles: 1 }],
  }),
  'extend-receipt': define({
    actors: ['MERCHANT'],
    permission: 'HANDLE_AFTER_SALES',
    schema: z.object({}),
    event: () => ({ type: 'EXTEND_RECEIPT' }),
    probes: () => [{ type: 'EXTEND_RECEIPT' }],
  }),
  'offline-resolution': define({
    actors: ['MERCHANT'],
    permission: 'HANDLE_AFTER_SALES',
    schema: z.object({ resolution: z.enum(OFFLINE_RESOLUTIONS), message: text(2000).default('') }),
    event: () => ({ type: 'CANCEL_FOR_OFFLINE_RESOLUTION' }),
    probes: () => [{ type: 'CANCEL_FOR_OFFLINE_RESOLUTION' }],
  }),
  withdraw: define({
    actors: ['BUYER'],
    schema: z.object({}),
    event: () => ({ type: 'BUYER_WITHDRAW' }),
    probes: () => [{ type: 'BUYER_WITHDRAW' }],
  }),
  escalate: define({
    actors: ['BUYER', 'MERCHANT'],
    permission: 'AGREE_REFUND',
    schema: z.object({ reason: z.enum(ESCALATION_REASONS), description: text(2000).default('') }),
    files: 'ESCALATION',
    event: (_, facts) => ({ type: 'ESCALATE', by: facts.party! }),
    probes: (_, facts) => (facts.party ? [{ type: 'ESCALATE', by: facts.party }] : []),
  }),
  'request-evidence': define({
    actors: ['AGENT'],
    schema: z.object({
      party: z.enum(['BUYER', 'MERCHANT']),
      instructions: required(2000),
      checklist: z
        .string()
        .max(4000)
        .prefault('')
        .transform((lines) => lines.split('\n').map((line) => line.trim()).filter(Boolean).slice(0, 20)),
    }),
    event: (input, facts) => ({ type: 'REQUEST_EVIDENCE', party: input.party, by: facts.agentId! }),
    probes: (_, facts) =>
      facts.agentId
        ? [
            { type: 'REQUEST_EVIDENCE', party: 'MERCHANT', by: facts.agentId },
            { type: 'REQUEST_EVIDENCE', party: 'BUYER', by: facts.agentId },
          ]
        : [],
  }),
  'submit-evidence': define({
    actors: ['BUYER', 'MERCHANT'],
    permission: 'HANDLE_AFTER_SALES',
    schema: z.object({ requestId: z.string().uuid(), explanation: text(100_000).default('') }),
    event: (input) => ({ type: 'SUBMIT_EVIDENCE', requestId: input.requestId }),
    probes: (c, facts) => (c.dispute?.requests ?? []).filter((r) => r.party === facts.party).map((r) => ({ type: 'SUBMIT_EVIDENCE', requestId: r.id })),
  }),
  rule: define({
    actors: ['AGENT'],
    schema: z.object({
      liableParty: z.enum(LIABLE_PARTIES),
      outcome: z.enum(RULING_OUTCOMES),
      refundAmount: yuan.prefault(''),
      rationale: required(4000),
      internalNote: text(4000).default(''),
      reliedEvidenceIds: list(z.string().uuid()),
      convertToReturn: z.literal('on').optional(),
    }),
    event: (input, facts) => ({
      type: 'RULE',
      liableParty: input.liableParty,
      outcome: input.outcome,
      refundAmountFen: input.outcome === 'PARTIAL_REFUND' ? input.refundAmount : null,
      by: facts.agentId!,
      convertToReturn: input.convertToReturn === 'on',
    }),
    // Rejecting is always possible in an open dispute the agent holds or may claim; the amount is checked when it is entered.
    probes: (_, facts) => (facts.agentId ? [{ type: 'RULE', liableParty: 'BUYER', outcome: 'REJECT_REQUEST', refundAmountFen: null, by: facts.agentId, convertToReturn: false }] : []),
  }),
} as const

export type CaseIntent = keyof typeof CASE_COMMANDS
export const CASE_INTENTS = Object.keys(CASE_COMMANDS) as CaseIntent[]
export const isCaseIntent = (value: string): value is CaseIntent => Object.hasOwn(CASE_COMMANDS, value)
export type CommandInput<I extends CaseIntent> = z.infer<(typeof CASE_COMMANDS)[I]['schema']>

/** Whether this actor may issue the command at all (kind, and a merchant member's permission). */
export function mayIssue(actor: Actor, intent: CaseIntent): boolean {
  const spec: CommandSpec<z.ZodType> = CASE_COMMANDS[intent]
  if (!spec.actors.includes(actor.kind)) return false
  if (actor.kind === 'MERCHANT' && spec.permission) return merchantCan(actor, spec.permission)
  return true
}

export const partyOf = (actor: Actor): Party | null => (actor.kind === 'BUYER' ? 'BUYER' : actor.kind === 'MERCHANT' ? 'MERCHANT' : null)

/** What the actor brings to every command: its side, or the agent it is. */
export const actorFacts = (actor: Actor): Pick<CommandFacts, 'party' | 'agentId'> => ({ party: partyOf(actor), agentId: actor.kind === 'AGENT' ? actor.userId : null })

/**
 * Why the actor may not take this command on this case now (kind, permission, the case's state),
 * or null when it may: probed with facts as the form would supply them, before its input is read.
 */
export function commandRefusal(actor: Actor, c: CaseSnapshot, intent: CaseIntent, now: Date, policy: Policy): CaseError | 'FORBIDDEN' | null {
  if (!mayIssue(actor, intent)) return 'FORBIDDEN'
  const facts: CommandFacts = { ...actorFacts(actor), hasReturnAddress: true, proofFiles: 1 }
  const spec: CommandSpec<z.ZodType> = CASE_COMMANDS[intent]
  let refusal: CaseError | undefined
  for (const event of spec.probes(c, facts)) {
    const result = transition(c, event, now, policy)
    if (result.ok) return null
    refusal ??= result.error
  }
  return refusal ?? 'FORBIDDEN'
}

/** The commands the actor may take on this case now: what the case page offers, and nothing else. */
export function availableCommands(actor: Actor, c: CaseSnapshot, now: Date, policy: Policy): Set<CaseIntent> {
  return new Set(CASE_INTENTS.filter((intent) => commandRefusal(actor, c, intent, now, policy) === null))
}

export type ParsedCommand = { ok: true; input: unknown } | { ok: false; field: string }

/** Parses a form's fields (a repeated field as a list) with the command's schema. */
export function parseCommand(intent: CaseIntent, fields: Record<string, string | string[]>): ParsedCommand {
  const spec: CommandSpec<z.ZodType> = CASE_COMMANDS[intent]
  const present = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== ''))
  const result = spec.schema.safeParse(present)
  return result.success ? { ok: true, input: result.data } : { ok: false, field: String(result.error.issues[0]?.path[0] ?? '') }
}
