// What a list row needs besides its own columns, fetched for one page of rows at a time (one
// indexed query each, only when the page holds rows that need it): the viewer's own deadline on
// disputed cases, and how the order's refunds stand on refunded ones.
import { partyDeadline, type CaseState, type Party } from '~/domain/case-machine'
import { refundStanding, type RefundStanding } from '~/domain/money'
import type { Db } from '~/infra/db.server'

type Row = { id: string; state: CaseState; nextDeadlineAt: Date | null }

/**
 * The deadline the viewing party must meet on each row. A disputed case's sort column is the
 * earliest evidence deadline of either party; a party is shown only its own.
 */
export async function withOwnDeadlines<R extends Row>(db: Db, party: Party, rows: R[]): Promise<(R & { deadline: Date | null })[]> {
  const disputed = rows.filter((row) => row.state === 'IN_DISPUTE').map((row) => row.id)
  const requests = disputed.length
    ? await db.evidenceRequest.findMany({ where: { caseId: { in: disputed }, status: 'OPEN' }, select: { caseId: true, party: true, status: true, dueAt: true } })
    : []
  return rows.map((row) => {
    if (row.state !== 'IN_DISPUTE') {
      // Life-cycle deadlines: the column is the state's own, which belongs to one party.
      const own = partyDeadline(party, { state: row.state, merchantRespondBy: row.nextDeadlineAt, buyerShipBy: row.nextDeadlineAt, merchantReceiveBy: row.nextDeadlineAt })
      return { ...row, deadline: own }
    }
    return { ...row, deadline: partyDeadline(party, { state: row.state, merchantRespondBy: null, buyerShipBy: null, merchantReceiveBy: null }, requests.filter((r) => r.caseId === row.id)) }
  })
}

/** How each refunded row's order stands (部分退款 ¥50.00 / 实付 ¥899.00, 退款中, 已退款). */
export async function withRefundStanding<R extends { id: string; state: CaseState }>(db: Db, rows: R[]): Promise<(R & { refund: RefundStanding })[]> {
  const refunded = rows.filter((row) => row.state === 'REFUNDED').map((row) => row.id)
  const cases = refunded.length
    ? await db.afterSalesCase.findMany({
        where: { id: { in: refunded } },
        select: { id: true, order: { select: { paidAmountFen: true, refunds: { select: { amountFen: true, status: true } } } } },
      })
    : []
  const standing = new Map(cases.map((c) => [c.id, refundStanding(c.order.paidAmountFen, c.order.refunds)]))
  return rows.map((row) => ({ ...row, refund: standing.get(row.id) ?? { kind: 'NONE' } }))
}
