// What a list row needs besides its own columns, fetched for one page of rows at a time (one
// indexed statement, only when the page holds rows that need it): the viewer's own deadline on
// disputed cases, and how the order's refunds stand on refunded ones.
import { partyDeadline, type CaseState, type Party } from '~/domain/case-machine'
import { refundStanding, type RefundLine, type RefundStanding } from '~/domain/money'
import { Prisma } from '~/generated/prisma/client'
import { queryPrepared, type Db } from '~/infra/db.server'

type Row = { id: string; state: CaseState; nextDeadlineAt: Date | null }
type OpenRequest = { caseId: string; party: Party; status: 'OPEN'; dueAt: Date }

function ownDeadline(party: Party, row: Row, requests: readonly OpenRequest[]): Date | null {
  if (row.state !== 'IN_DISPUTE') {
    // Life-cycle deadlines: the column is the state's own, which belongs to one party.
    return partyDeadline(party, { state: row.state, merchantRespondBy: row.nextDeadlineAt, buyerShipBy: row.nextDeadlineAt, merchantReceiveBy: row.nextDeadlineAt })
  }
  return partyDeadline(party, { state: row.state, merchantRespondBy: null, buyerShipBy: null, merchantReceiveBy: null }, requests.filter((r) => r.caseId === row.id))
}

type Extras = { id: string; requests: (Omit<OpenRequest, 'dueAt'> & { dueAt: string })[]; paidAmountFen: number; refunds: RefundLine[] }

/**
 * A list page's rows with the viewer's own deadline and their orders' refund standing, in one
 * statement for the rows that need either (disputed: open requests; refunded: the order's refunds).
 */
export async function withRowExtras<R extends Row>(db: Db, party: Party, rows: R[]): Promise<(R & { deadline: Date | null; refund: RefundStanding })[]> {
  const ids = rows.filter((row) => row.state === 'IN_DISPUTE' || row.state === 'REFUNDED').map((row) => row.id)
  const extras = ids.length
    ? await queryPrepared<Extras>(
        db,
        Prisma.sql`SELECT c.id, o."paidAmountFen",
            coalesce((SELECT json_agg(json_build_object('caseId', r."caseId", 'party', r.party, 'status', r.status, 'dueAt', r."dueAt"))
              FROM "EvidenceRequest" r WHERE r."caseId" = c.id AND r.status = 'OPEN'), '[]'::json) AS requests,
            coalesce((SELECT json_agg(json_build_object('amountFen', f."amountFen", 'status', f.status))
              FROM "Refund" f WHERE f."orderId" = c."orderId"), '[]'::json) AS refunds
          FROM "AfterSalesCase" c JOIN "Order" o ON o.id = c."orderId"
          WHERE c.id = ANY(${ids}::uuid[])`,
      )
    : []
  const byId = new Map(extras.map((extra) => [extra.id, extra]))
  return rows.map((row) => {
    const extra = byId.get(row.id)
    const requests = (extra?.requests ?? []).map((r) => ({ ...r, dueAt: new Date(r.dueAt) }))
    return {
      ...row,
      deadline: ownDeadline(party, row, requests),
      refund: extra && row.state === 'REFUNDED' ? refundStanding(extra.paidAmountFen, extra.refunds) : { kind: 'NONE' as const },
    }
  })
}
