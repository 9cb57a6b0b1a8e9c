// The case page's after-sales forms: each intent's fields are parsed here and handed to the
// lifecycle service, which authorizes and decides. Unknown intents return false.
import { z } from 'zod'
import type { Actor } from '~/domain/actor'
import { COURIERS, OFFLINE_RESOLUTIONS, REJECTION_REASONS } from '~/domain/lifecycle'
import type { StoredFile } from '~/services/disputes.server'
import { ServiceError } from '~/services/errors.server'
import {
  cancelForOfflineResolution,
  confirmReceipt,
  extendReceipt,
  merchantDecide,
  rejectAfterReceipt,
  submitReturnShipment,
  withdrawRequest,
  type LifecycleDeps,
} from '~/services/lifecycle.server'

/** Intents whose form carries proof files (multipart). */
export const LIFECYCLE_FILE_INTENTS = ['reject', 'reject-after-receipt'] as const

const Approve = z.object({ addressId: z.string().uuid().optional(), smsNotice: z.literal('on').optional(), message: z.string().max(2000).default('') })
const Reject = z.object({ reason: z.enum(REJECTION_REASONS), message: z.string().trim().min(1).max(2000) })
const Ship = z.object({ courier: z.enum(COURIERS), trackingNo: z.string().trim().min(1).max(40) })
const Receipt = z.object({ insuranceWarningAccepted: z.literal('yes').optional() })
const Offline = z.object({ resolution: z.enum(OFFLINE_RESOLUTIONS), message: z.string().max(2000).default('') })

function parse<T extends z.ZodType>(schema: T, form: FormData): z.infer<T> {
  const result = schema.safeParse(Object.fromEntries([...form].filter(([, v]) => typeof v === 'string' && v !== '')))
  if (!result.success) throw new ServiceError('INVALID_INPUT', { field: String(result.error.issues[0]?.path[0] ?? '') })
  return result.data
}

function asMerchant(actor: Actor) {
  if (actor.kind !== 'MERCHANT') throw new ServiceError('FORBIDDEN')
  return actor
}

export async function runLifecycleIntent(deps: LifecycleDeps, actor: Actor, caseId: string, intent: string, form: FormData, files: StoredFile[] = []): Promise<boolean> {
  switch (intent) {
    case 'approve': {
      const input = parse(Approve, form)
      await merchantDecide(deps, asMerchant(actor), caseId, { kind: 'APPROVE', addressId: input.addressId, smsNotice: input.smsNotice === 'on', message: input.message })
      return true
    }
    case 'direct-refund':
      await merchantDecide(deps, asMerchant(actor), caseId, { kind: 'DIRECT_REFUND' })
      return true
    case 'reject': {
      const input = parse(Reject, form)
      await merchantDecide(deps, asMerchant(actor), caseId, { kind: 'REJECT', reason: input.reason, message: input.message, files })
      return true
    }
    case 'reject-after-receipt': {
      const input = parse(Reject, form)
      await rejectAfterReceipt(deps, asMerchant(actor), caseId, { reason: input.reason, message: input.message, files })
      return true
    }
    case 'ship-return': {
      if (actor.kind === 'AGENT') throw new ServiceError('FORBIDDEN')
      const input = parse(Ship, form)
      await submitReturnShipment(deps, actor, caseId, input)
      return true
    }
    case 'confirm-receipt': {
      const input = parse(Receipt, form)
      const [result] = await confirmReceipt(deps, asMerchant(actor), { caseIds: [caseId], insuranceWarningAccepted: input.insuranceWarningAccepted === 'yes' })
      if (result && !result.ok) throw new ServiceError(result.error)
      return true
    }
    case 'extend-receipt':
      await extendReceipt(deps, asMerchant(actor), caseId)
      return true
    case 'offline-resolution': {
      const input = parse(Offline, form)
      await cancelForOfflineResolution(deps, asMerchant(actor), caseId, input)
      return true
    }
    case 'withdraw':
      if (actor.kind !== 'BUYER') throw new ServiceError('FORBIDDEN')
      await withdrawRequest(deps, actor, caseId)
      return true
    default:
      return false
  }
}
