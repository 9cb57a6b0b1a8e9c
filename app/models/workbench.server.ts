// The merchant workbench (售后工作台) at scale: every query is scoped to the member's shop, uses an
// index whose leading columns are (shopId, …), and pages by keyset on (sort key, id). Tabs, search
// and filters combine freely; tab counts come from the trigger-kept ShopCaseCount.
import type { MerchantActor } from '~/domain/actor'
import { Prisma, type CaseState, type CaseType, type FlagColor } from '~/generated/prisma/client'
import { queryPrepared, queryRows, type Db } from '~/infra/db.server'
import type { WorkbenchTab } from './list-filters'
import { maskPhone } from './cases.server'
import { decodeCursor, pageOf, PAGE_SIZE } from './pagination'

export type WorkbenchQuery = {
  tab: WorkbenchTab
  orderNo?: string
  customerName?: string
  phone?: string
  /** Request date range, inclusive, as Asia/Shanghai calendar days (YYYY-MM-DD). */
  from?: string
  to?: string
  express?: boolean
  flag?: FlagColor
  insured?: boolean
  after?: string | null
}

/** The deadline tabs sort by the nearest deadline; all and closed by request time, newest first. */
export const byDeadline = (tab: WorkbenchTab) => tab !== 'all' && tab !== 'closed'

const DAY_START = 'T00:00:00+08:00'
function dayRange(from?: string, to?: string): Prisma.DateTimeFilter | undefined {
  const valid = (d?: string) => (d && /^\d{4}-\d{2}-\d{2}$/.test(d) && !Number.isNaN(Date.parse(d + DAY_START)) ? d : undefined)
  const start = valid(from)
  const end = valid(to)
  if (!start && !end) return undefined
  return {
    ...(start ? { gte: new Date(start + DAY_START) } : {}),
    ...(end ? { lt: new Date(Date.parse(end + DAY_START) + 24 * 3600_000) } : {}),
  }
}

/** Which rows each tab holds. */
function tabSql(tab: WorkbenchTab): Prisma.Sql {
  switch (tab) {
    case 'unshippedRefundPending':
      return Prisma.sql`c.state = 'PENDING_MERCHANT' AND NOT c."orderShipped"`
    case 'shippedRefundOnlyPending':
      return Prisma.sql`c.state = 'PENDING_MERCHANT' AND c.type = 'REFUND_ONLY' AND c."orderShipped"`
    case 'returnPending':
      return Prisma.sql`c.state = 'PENDING_MERCHANT' AND c.type = 'RETURN_AND_REFUND' AND c."orderShipped"`
    case 'awaitingReceipt':
      return Prisma.sql`c.state IN ('AWAITING_RETURN', 'AWAITING_RECEIPT')`
    case 'awaitingEvidence':
      return Prisma.sql`c.state = 'IN_DISPUTE' AND EXISTS (SELECT 1 FROM "EvidenceRequest" r WHERE r."caseId" = c.id AND r.status = 'OPEN' AND r.party = 'MERCHANT')`
    case 'closed':
      return Prisma.sql`c.state IN ('REFUNDED', 'CLOSED')`
    case 'all':
      return Prisma.sql`TRUE`
  }
}

type WorkbenchRow = {
  id: string
  caseNo: string
  orderNo: string
  type: CaseType
  state: CaseState
  requestedAmountFen: number
  customerName: string
  customerPhone: string
  nextDeadlineAt: Date | null
  createdAt: Date
  flagColor: FlagColor | null
  expressRefund: boolean
  returnShippingInsurance: boolean
}

/**
 * One page of the workbench. The list is the hottest query of the portal, so it is written as SQL
 * (one statement, the planner sees exactly the index's shape) and runs on the pool directly
 * (ADR 0009); tests hold it to an independent Prisma filter of the same rows.
 */
export async function listWorkbench(db: Db, merchant: MerchantActor, query: WorkbenchQuery) {
  const deadlineSort = byDeadline(query.tab)
  const key = deadlineSort ? Prisma.sql`c."nextDeadlineAt"` : Prisma.sql`c."createdAt"`
  const created = dayRange(query.from, query.to)
  const cursor = decodeCursor(query.after)
  const conditions: Prisma.Sql[] = [Prisma.sql`c."shopId" = ${merchant.shopId}::uuid`, tabSql(query.tab)]
  if (query.orderNo) conditions.push(Prisma.sql`c."orderNo" = ${query.orderNo.trim()}`)
  if (query.customerName) conditions.push(Prisma.sql`c."customerName" = ${query.customerName.trim()}`)
  if (query.phone) conditions.push(Prisma.sql`c."customerPhone" = ${query.phone.replace(/\s/g, '')}`)
  if (created?.gte) conditions.push(Prisma.sql`c."createdAt" >= ${created.gte}`)
  if (created?.lt) conditions.push(Prisma.sql`c."createdAt" < ${created.lt}`)
  if (query.express) conditions.push(Prisma.sql`c."expressRefund"`)
  if (query.flag) conditions.push(Prisma.sql`c."flagColor" = ${query.flag}::"FlagColor"`)
  if (query.insured) conditions.push(Prisma.sql`c."returnShippingInsurance"`)
  if (deadlineSort) conditions.push(Prisma.sql`${key} IS NOT NULL`)
  if (cursor) {
    conditions.push(deadlineSort ? Prisma.sql`(${key}, c.id) > (${cursor.at}, ${cursor.id}::uuid)` : Prisma.sql`(${key}, c.id) < (${cursor.at}, ${cursor.id}::uuid)`)
  }
  const order = deadlineSort ? Prisma.sql`c."nextDeadlineAt" ASC, c.id ASC` : Prisma.sql`c."createdAt" DESC, c.id DESC`
  // A tab as it opens (and its next pages) is the same statement every time: prepared. Searches and
  // filters are planned for their values (and would multiply the prepared variants).
  const plain = !query.orderNo && !query.customerName && !query.phone && !created && !query.express && !query.flag && !query.insured
  const rows = await (plain ? queryPrepared<WorkbenchRow> : queryRows<WorkbenchRow>)(
    db,
    Prisma.sql`
    SELECT c.id, c."caseNo", c."orderNo", c.type, c.state, c."requestedAmountFen", c."customerName", c."customerPhone",
           c."nextDeadlineAt", c."createdAt", c."flagColor", c."expressRefund", c."returnShippingInsurance"
    FROM "AfterSalesCase" c
    WHERE ${Prisma.join(conditions, ' AND ')}
    ORDER BY ${order}
    LIMIT ${PAGE_SIZE + 1}`,
  )
  const page = pageOf(rows, (row) => (deadlineSort ? row.nextDeadlineAt : row.createdAt))
  return { items: page.items.map(({ customerPhone, ...row }) => ({ ...row, maskedPhone: maskPhone(customerPhone) })), nextCursor: page.nextCursor }
}

export type TabCounts = Record<WorkbenchTab, number>

type CountGroup = { state: CaseState; type: CaseType; orderShipped: boolean; n: number; awaitingEvidence: number }

/** The status tab a (state, type, shipped) group is listed under; the same rows as `tabSql`. */
function statusTabOf(group: CountGroup): WorkbenchTab | null {
  if (group.state === 'PENDING_MERCHANT') {
    if (!group.orderShipped) return 'unshippedRefundPending'
    return group.type === 'REFUND_ONLY' ? 'shippedRefundOnlyPending' : 'returnPending'
  }
  if (group.state === 'AWAITING_RETURN' || group.state === 'AWAITING_RECEIPT') return 'awaitingReceipt'
  if (group.state === 'REFUNDED' || group.state === 'CLOSED') return 'closed'
  return null
}

/**
 * Live counts for every tab in one statement: the shop's (state, type, shipped) groups come from
 * ShopCaseCount, which triggers keep exact on every write (ADR 0009), so a shop with 43,000 cases
 * costs what one with 40 does; only the shop's disputed cases are looked at for 待举证.
 */
export async function workbenchCounts(db: Db, merchant: MerchantActor): Promise<TabCounts> {
  const groups = await queryPrepared<CountGroup>(
    db,
    Prisma.sql`
    SELECT g.state, g.type, g."orderShipped", g.n,
           CASE WHEN g.state = 'IN_DISPUTE' THEN (
             SELECT count(*)::int FROM "AfterSalesCase" c
             WHERE c."shopId" = g."shopId" AND c.state = 'IN_DISPUTE' AND c.type = g.type AND c."orderShipped" = g."orderShipped"
               AND EXISTS (SELECT 1 FROM "EvidenceRequest" r WHERE r."caseId" = c.id AND r.status = 'OPEN' AND r.party = 'MERCHANT'))
           ELSE 0 END AS "awaitingEvidence"
    FROM "ShopCaseCount" g
    WHERE g."shopId" = ${merchant.shopId}::uuid AND g.n <> 0`,
  )
  const counts: TabCounts = { unshippedRefundPending: 0, shippedRefundOnlyPending: 0, returnPending: 0, awaitingReceipt: 0, awaitingEvidence: 0, all: 0, closed: 0 }
  for (const group of groups) {
    counts.all += group.n
    counts.awaitingEvidence += group.awaitingEvidence
    const tab = statusTabOf(group)
    if (tab) counts[tab] += group.n
  }
  return counts
}
