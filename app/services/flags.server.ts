// 插旗 and notes. A flag lives on the order and is copied to every case of that order in the same
// transaction, so a flag set on the order shows on its cases and vice versa. The order note is the
// order module's note (shared); the after-sales note belongs to the case. Both record who and when.
import type { MerchantActor } from '~/domain/actor'
import { merchantCan } from '~/domain/actor'
import type { FlagColor } from '~/generated/prisma/client'
import type { Clock } from '~/infra/clock.server'
import type { Db } from '~/infra/db.server'
import { writeCaseLog } from './case-log.server'
import { ServiceError } from './errors.server'

export type FlagDeps = { db: Db; clock: Clock }
export const NOTE_MAX_CHARS = 500

function requireHandler(actor: MerchantActor) {
  if (!merchantCan(actor, 'HANDLE_AFTER_SALES')) throw new ServiceError('FORBIDDEN')
}

async function caseOfShop(deps: FlagDeps, actor: MerchantActor, caseId: string) {
  const found = await deps.db.afterSalesCase.findFirst({ where: { id: caseId, shopId: actor.shopId }, select: { id: true, orderId: true } })
  if (!found) throw new ServiceError('NOT_FOUND')
  return found
}

export async function setFlag(deps: FlagDeps, actor: MerchantActor, caseId: string, color: FlagColor | null) {
  requireHandler(actor)
  const target = await caseOfShop(deps, actor, caseId)
  const now = deps.clock.now()
  await deps.db.$transaction(async (tx) => {
    await tx.order.update({ where: { id: target.orderId }, data: { flagColor: color, flagUpdatedAt: now, flagUpdatedById: actor.userId } })
    await tx.afterSalesCase.updateMany({ where: { orderId: target.orderId }, data: { flagColor: color } })
    await writeCaseLog(tx, { caseId: target.id, at: now, actor, action: 'case.flagged', details: { color } })
  })
}

function cleanNote(text: string): string | null {
  const note = text.trim()
  if ([...note].length > NOTE_MAX_CHARS) throw new ServiceError('INVALID_INPUT', { field: 'note' })
  return note || null
}

/** The order's note, shared with the order module. */
export async function setOrderNote(deps: FlagDeps, actor: MerchantActor, caseId: string, text: string) {
  requireHandler(actor)
  const target = await caseOfShop(deps, actor, caseId)
  await deps.db.order.update({ where: { id: target.orderId }, data: { note: cleanNote(text), noteUpdatedAt: deps.clock.now(), noteUpdatedById: actor.userId } })
}

export async function setCaseNote(deps: FlagDeps, actor: MerchantActor, caseId: string, text: string) {
  requireHandler(actor)
  const target = await caseOfShop(deps, actor, caseId)
  await deps.db.afterSalesCase.update({ where: { id: target.id }, data: { note: cleanNote(text), noteUpdatedAt: deps.clock.now(), noteUpdatedById: actor.userId } })
}

/** Flag and both notes, with who changed them: for the shop's own members only. */
export async function loadFlagsAndNotes(db: Db, actor: MerchantActor, caseId: string) {
  const found = await db.afterSalesCase.findFirst({
    where: { id: caseId, shopId: actor.shopId },
    select: {
      note: true,
      noteUpdatedAt: true,
      noteUpdatedById: true,
      order: { select: { flagColor: true, flagUpdatedAt: true, flagUpdatedById: true, note: true, noteUpdatedAt: true, noteUpdatedById: true } },
    },
  })
  if (!found) return null
  const userIds = [found.noteUpdatedById, found.order.noteUpdatedById, found.order.flagUpdatedById].filter((id): id is string => Boolean(id))
  const users = await db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, displayName: true } })
  const nameOf = (id: string | null) => users.find((u) => u.id === id)?.displayName ?? null
  return {
    flag: { color: found.order.flagColor, at: found.order.flagUpdatedAt, by: nameOf(found.order.flagUpdatedById) },
    orderNote: { text: found.order.note, at: found.order.noteUpdatedAt, by: nameOf(found.order.noteUpdatedById) },
    caseNote: { text: found.note, at: found.noteUpdatedAt, by: nameOf(found.noteUpdatedById) },
  }
}
