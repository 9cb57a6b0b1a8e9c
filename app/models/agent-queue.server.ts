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

const hasOpenEvidenceRequest = Prisma.sql`EXISTS (SELECT 1 FROM "EvidenceRequest" r WHERE r."disputeId" = d.id AND r.status = 'OPEN')`

function stageSql(stage: QueueStage) {
  if (stage === 'awaitingEvidence') return hasOpenEvidenceRequest
  if (stage === 'readyToRule') return Prisma.sql`NOT ${hasOpenEvidenceRequest}`
  return Prisma.sql`TRUE`
}

/** Search by case number or order number, exactly (both are what agents paste from tickets). */
function searchSql(search?: string) {
  const term = search?.trim()
  if (!term) return Prisma.sql`TRUE`
  return Prisma.sql`(c."caseNo" = ${term} OR c."orderNo" = ${term})`
}

const rowColumns = (breach: Prisma.Sql) => Prisma.sql`
  d.id, c."caseNo", c."orderNo", c.type, c."requestedAmountFen", s.name AS "shopName", d."openedAt", ${breach} AS "breachAt",
  er."dueAt" AS "evidenceDueAt", er.party AS "evidenceParty", d."assignedAgentId", u."displayName" AS "assignedAgentName"`

const rowJoins = Prisma.sql`
  JOIN "Shop" s ON s.id = c."shopId"
  LEFT JOIN "User" u ON u.id = d."assignedAgentId"
  LEFT JOIN LATERAL (SELECT r."dueAt", r.party FROM "EvidenceRequest" r WHERE r."disputeId" = d.id AND r.status = 'OPEN' ORDER BY r."dueAt" LIMIT 1) er ON TRUE`

export async function listAgentQueue(db: Db, policy: Policy, agent: AgentActor, query: QueueQuery) {
  const breach = breachSql(policy)
  const cursor = decodeCursor(query.after)
  const filters = Prisma.sql`d.status = 'OPEN' AND ${scopeSql(agent, query.scope)} AND ${stageSql(query.stage)} AND ${searchSql(query.search)}`
  const limit = PAGE_SIZE + 1
  let rows: QueueRow[]
  if (query.sort === 'age') {
    const after = cursor ? Prisma.sql`(d."openedAt", d.id) > (${cursor.at}, ${cursor.id}::uuid)` : Prisma.sql`TRUE`
    rows = await db.$queryRaw<QueueRow[]>`
      SELECT ${rowColumns(breach)} FROM "Dispute" d JOIN "AfterSalesCase" c ON c.id = d."caseId" ${rowJoins}
      WHERE ${filters} AND ${after}
      ORDER BY d."openedAt", d.id LIMIT ${limit}`
  } else {
    // The breach is the earlier of two keys, each with its own index: the case's next deadline and
    // the escalation time. The first page by the earlier key is inside the union of the first page
    // by each key (whatever ranks ahead of a row in either stream also ranks ahead of it overall), so
    // two short index scans replace a sort of every open dispute.
    const at = cursor?.at ?? null
    const after = cursor ? Prisma.sql`(${breach}, d.id) > (${at}, ${cursor.id}::uuid)` : Prisma.sql`TRUE`
    const deadlineFrom = at ? Prisma.sql`c."nextDeadlineAt" >= ${at}` : Prisma.sql`TRUE`
    const openedFrom = at ? Prisma.sql`d."openedAt" >= ${new Date(at.getTime() - policy.dispute.agentRulingTargetMs)}` : Prisma.sql`TRUE`
    rows = await db.$queryRaw<QueueRow[]>`
      WITH candidates AS (
        (SELECT d.id FROM "AfterSalesCase" c JOIN "Dispute" d ON d."caseId" = c.id
         WHERE c.state = 'IN_DISPUTE' AND c."nextDeadlineAt" IS NOT NULL AND ${deadlineFrom} AND ${filters} AND ${after}
         ORDER BY c."nextDeadlineAt", d.id LIMIT ${limit})
        UNION
        (SELECT d.id FROM "Dispute" d JOIN "AfterSalesCase" c ON c.id = d."caseId"
         WHERE ${openedFrom} AND ${filters} AND ${after}
         ORDER BY d."openedAt", d.id LIMIT ${limit}))
      SELECT ${rowColumns(breach)} FROM candidates x JOIN "Dispute" d ON d.id = x.id JOIN "AfterSalesCase" c ON c.id = d."caseId" ${rowJoins}
      ORDER BY ${breach}, d.id LIMIT ${limit}`
  }
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
