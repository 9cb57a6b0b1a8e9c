// The agent console's queue of escalated cases (平台介入). Every open dispute has a breach time: the
// earlier of its case's next deadline (an evidence request running out) and the platform's ruling
// target after escalation. The queue sorts by it or by age and pages by keyset on (key, dispute id).
import type { AgentActor } from '~/domain/actor'
import type { Policy } from '~/domain/policy'
import { Prisma, type CaseType, type PartyRole } from '~/generated/prisma/client'
import type { Db } from '~/infra/db.server'
import type { QueueScope, QueueSort, QueueStage } from './list-filters'
import { decodeCursor, pageOf, PAGE_SIZE } from './pagination'

export type QueueQuery = { scope: QueueScope; stage: QueueStage; sort: QueueSort; search?: string; after?: string | null }

export type QueueRow = {
  id: string
  caseNo: string
  orderNo: string
  type: CaseType
  requestedAmountFen: number
  shopName: string
  openedAt: Date
  breachAt: Date
  evidenceDueAt: Date | null
  evidenceParty: PartyRole | null
  assignedAgentId: string | null
  assignedAgentName: string | null
}

/** The breach time as SQL, for a dispute `d` on case `c`. */
const breachSql = (policy: Policy) =>
  Prisma.sql`LEAST(c."nextDeadlineAt", d."openedAt" + make_interval(secs => ${policy.dispute.agentRulingTargetMs / 1000}::int))`

function scopeSql(agent: AgentActor, scope: QueueScope) {
  if (scope === 'unassigned') return Prisma.sql`d."assignedAgentId" IS NULL`
  if (scope === 'mine') return Prisma.sql`d."assignedAgentId" = ${agent.userId}::uuid`
  return Prisma.sql`TRUE`
}

const openMerchantOrBuyerRequest = Prisma.sql`EXISTS (SELECT 1 FROM "EvidenceRequest" r WHERE r."disputeId" = d.id AND r.status = 'OPEN')`

function stageSql(stage: QueueStage) {
  if (stage === 'awaitingEvidence') return openMerchantOrBuyerRequest
  if (stage === 'readyToRule') return Prisma.sql`NOT ${openMerchantOrBuyerRequest}`
  return Prisma.sql`TRUE`
}

/** Search by case number or order number, exactly (both are what agents paste from tickets). */
function searchSql(search?: string) {
  const term = search?.trim()
  if (!term) return Prisma.sql`TRUE`
  return Prisma.sql`(c."caseNo" = ${term} OR c."orderNo" = ${term})`
}

export async function listAgentQueue(db: Db, policy: Policy, agent: AgentActor, query: QueueQuery) {
  const breach = breachSql(policy)
  const key = query.sort === 'breach' ? breach : Prisma.sql`d."openedAt"`
  const cursor = decodeCursor(query.after)
  const after = cursor ? Prisma.sql`(${key}, d.id) > (${new Date(cursor.at)}, ${cursor.id}::uuid)` : Prisma.sql`TRUE`
  const rows = await db.$queryRaw<QueueRow[]>`
    SELECT d.id, c."caseNo", c."orderNo", c.type, c."requestedAmountFen", s.name AS "shopName", d."openedAt", ${breach} AS "breachAt",
           er."dueAt" AS "evidenceDueAt", er.party AS "evidenceParty", d."assignedAgentId", u."displayName" AS "assignedAgentName"
    FROM "Dispute" d
    JOIN "AfterSalesCase" c ON c.id = d."caseId"
    JOIN "Shop" s ON s.id = c."shopId"
    LEFT JOIN "User" u ON u.id = d."assignedAgentId"
    LEFT JOIN LATERAL (SELECT r."dueAt", r.party FROM "EvidenceRequest" r WHERE r."disputeId" = d.id AND r.status = 'OPEN' ORDER BY r."dueAt" LIMIT 1) er ON TRUE
    WHERE d.status = 'OPEN' AND ${scopeSql(agent, query.scope)} AND ${stageSql(query.stage)} AND ${searchSql(query.search)} AND ${after}
    ORDER BY ${key} ASC, d.id ASC
    LIMIT ${PAGE_SIZE + 1}`
  return pageOf(rows, (row) => (query.sort === 'breach' ? row.breachAt : row.openedAt))
}

export type AgentSla = {
  unassigned: number
  mineOpen: number
  mineBreachingSoon: number
  mineOverdue: number
  ruledToday: number
  medianHoursToRuling7d: number | null
}

/**
 * The agent's service counters: open disputes on the agent's desk, how many breach within the warning
 * window or already have, what the agent ruled today (Beijing day), and the median time from
 * escalation to the agent's ruling over the last 7 days.
 */
export async function agentSla(db: Db, policy: Policy, agent: AgentActor, now: Date): Promise<AgentSla> {
  const breach = breachSql(policy)
  const soon = new Date(now.getTime() + policy.dispute.agentBreachSoonMs)
  const weekAgo = new Date(now.getTime() - 7 * 24 * 3600_000)
  const [row] = await db.$queryRaw<AgentSla[]>`
    SELECT
      (SELECT count(*)::int FROM "Dispute" d WHERE d.status = 'OPEN' AND d."assignedAgentId" IS NULL) AS unassigned,
      count(*)::int AS "mineOpen",
      count(*) FILTER (WHERE ${breach} >= ${now} AND ${breach} < ${soon})::int AS "mineBreachingSoon",
      count(*) FILTER (WHERE ${breach} < ${now})::int AS "mineOverdue",
      (SELECT count(*)::int FROM "Ruling" r WHERE r."agentId" = ${agent.userId}::uuid
         AND r."createdAt" >= date_trunc('day', ${now}::timestamptz AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai') AS "ruledToday",
      (SELECT round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r."createdAt" - d2."openedAt")) / 3600)::numeric, 1)::float8
         FROM "Ruling" r JOIN "Dispute" d2 ON d2.id = r."disputeId"
         WHERE r."agentId" = ${agent.userId}::uuid AND r."createdAt" >= ${weekAgo}) AS "medianHoursToRuling7d"
    FROM "Dispute" d JOIN "AfterSalesCase" c ON c.id = d."caseId"
    WHERE d.status = 'OPEN' AND d."assignedAgentId" = ${agent.userId}::uuid`
  return row!
}
