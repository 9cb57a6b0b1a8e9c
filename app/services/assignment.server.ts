// Who works a dispute: an agent claims an unassigned one, or hands one to another agent. A claim is
// one conditional UPDATE, so of two agents clicking at once exactly one gets it.
import type { AgentActor } from '~/domain/actor'
import type { Clock } from '~/infra/clock.server'
import type { Db } from '~/infra/db.server'
import { writeCaseLog } from './case-log.server'
import { ServiceError } from './errors.server'
import { isUuid } from '~/domain/ids'

type Deps = { db: Db; clock: Clock }

export async function claimDispute(deps: Deps, agent: AgentActor, disputeId: string) {
  if (!isUuid(disputeId)) throw new ServiceError('NOT_FOUND')
  const now = deps.clock.now()
  return deps.db.$transaction(async (tx) => {
    const { count } = await tx.dispute.updateMany({ where: { id: disputeId, status: 'OPEN', assignedAgentId: null }, data: { assignedAgentId: agent.userId } })
    if (count === 0) {
      const dispute = await tx.dispute.findUnique({ where: { id: disputeId }, select: { status: true, assignedAgentId: true } })
      if (!dispute) throw new ServiceError('NOT_FOUND')
      if (dispute.status !== 'OPEN') throw new ServiceError('CONFLICT_ALREADY_RULED')
      if (dispute.assignedAgentId === agent.userId) return { claimed: false as const } // a double click
      const holder = await tx.user.findUniqueOrThrow({ where: { id: dispute.assignedAgentId! }, select: { displayName: true } })
      throw new ServiceError('ALREADY_CLAIMED', { agent: holder.displayName })
    }
    const { caseId } = await tx.dispute.findUniqueOrThrow({ where: { id: disputeId }, select: { caseId: true } })
    await writeCaseLog(tx, { caseId, at: now, actor: agent, action: 'dispute.claimed', details: { agent: agent.displayName } })
    return { claimed: true as const }
  })
}

/** Hands an open dispute to an agent (oneself included); the new holder hears of it in the message box. */
export async function assignDispute(deps: Deps, agent: AgentActor, disputeId: string, toAgentId: string) {
  if (!isUuid(disputeId)) throw new ServiceError('NOT_FOUND')
  if (!isUuid(toAgentId)) throw new ServiceError('INVALID_INPUT', { field: 'agent' })
  const now = deps.clock.now()
  return deps.db.$transaction(async (tx) => {
    const target = await tx.user.findFirst({ where: { id: toAgentId, kind: 'AGENT' }, select: { id: true, displayName: true } })
    if (!target) throw new ServiceError('INVALID_INPUT', { field: 'agent' })
    // Locks the dispute row, so a ruling or another hand-over in flight waits for this one.
    const [dispute] = await tx.$queryRaw<{ caseId: string; assignedAgentId: string | null; status: string }[]>`
      SELECT "caseId", "assignedAgentId", status::text FROM "Dispute" WHERE id = ${disputeId}::uuid FOR UPDATE`
    if (!dispute) throw new ServiceError('NOT_FOUND')
    if (dispute.status !== 'OPEN') throw new ServiceError('CONFLICT_ALREADY_RULED')
    if (dispute.assignedAgentId === target.id) return { assigned: false as const }
    await tx.dispute.update({ where: { id: disputeId }, data: { assignedAgentId: target.id } })
    const before = dispute.assignedAgentId
      ? (await tx.user.findUniqueOrThrow({ where: { id: dispute.assignedAgentId }, select: { displayName: true } })).displayName
      : null
    await writeCaseLog(tx, { caseId: dispute.caseId, at: now, actor: agent, action: 'dispute.assigned', details: { from: before, to: target.displayName } })
    if (target.id !== agent.userId) {
      const { caseNo } = await tx.afterSalesCase.findUniqueOrThrow({ where: { id: dispute.caseId }, select: { caseNo: true } })
      await tx.notification.create({
        data: {
          userId: target.id,
          category: 'DISPUTE',
          messageKey: 'notice.disputeAssigned',
          params: { caseNo, by: agent.displayName },
          caseId: dispute.caseId,
          dedupeKey: `dispute-assigned:${disputeId}:${target.id}:${now.getTime()}`,
          createdAt: now,
        },
      })
    }
    return { assigned: true as const }
  })
}
