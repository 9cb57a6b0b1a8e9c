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

/**
 * Hands an open dispute to an agent (oneself included: taking it over). The new holder hears of it
 * in the message box, and so does a previous holder who did not hand it over themselves.
 */
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
    const told = [
      ...(target.id !== agent.userId ? [{ userId: target.id, messageKey: 'notice.disputeAssigned', params: { by: agent.displayName } }] : []),
      ...(dispute.assignedAgentId && dispute.assignedAgentId !== agent.userId
        ? [
            {
              userId: dispute.assignedAgentId,
              messageKey: target.id === agent.userId ? 'notice.disputeTakenOver' : 'notice.disputeReassigned',
              params: { by: agent.displayName, to: target.displayName },
            },
          ]
        : []),
    ]
    if (told.length) {
      const { caseNo } = await tx.afterSalesCase.findUniqueOrThrow({ where: { id: dispute.caseId }, select: { caseNo: true } })
      await tx.notification.createMany({
        data: told.map((notice) => ({
          userId: notice.userId,
          category: 'DISPUTE' as const,
          messageKey: notice.messageKey,
          params: { caseNo, ...notice.params },
          caseId: dispute.caseId,
          dedupeKey: `${notice.messageKey}:${disputeId}:${notice.userId}:${now.getTime()}`,
          createdAt: now,
        })),
      })
    }
    return { assigned: true as const }
  })
}

/** The case's open dispute, for the case page's claim and take-over (agents see every case). */
async function openDisputeOf(deps: Deps, caseId: string): Promise<string> {
  if (!isUuid(caseId)) throw new ServiceError('NOT_FOUND')
  const dispute = await deps.db.dispute.findFirst({ where: { caseId, status: 'OPEN' }, select: { id: true } })
  if (!dispute) throw new ServiceError('NOT_IN_DISPUTE')
  return dispute.id
}

export const claimCaseDispute = async (deps: Deps, agent: AgentActor, caseId: string) => claimDispute(deps, agent, await openDisputeOf(deps, caseId))

/** 接手: the agent takes a colleague's dispute (logged; the colleague is told). */
export const takeOverCaseDispute = async (deps: Deps, agent: AgentActor, caseId: string) => assignDispute(deps, agent, await openDisputeOf(deps, caseId), agent.userId)
