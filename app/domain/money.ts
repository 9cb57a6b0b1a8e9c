// Money as it is: what an order's refunds add up to, read the same way on every screen and in every
// email ("部分退款 ¥50.00 / 实付 ¥899.00", "退款中", "已退款").
/** Yuan as typed ("12.5", "12.50") to integer fen; null when it is not an amount. */
export function yuanToFen(text: string): number | null {
  const match = /^\s*(\d{1,9})(?:\.(\d{1,2}))?\s*$/.exec(text)
  if (!match) return null
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'))
}

export type RefundLine = { amountFen: number; status: 'PENDING' | 'SUBMITTED' | 'SUCCEEDED' | 'FAILED' }

export type RefundStanding =
  /** Nothing refunded or on its way. */
  | { kind: 'NONE' }
  /** A refund is on its way (退款中). */
  | { kind: 'PENDING'; amountFen: number; paidFen: number }
  /** Refunds arrived, less than was paid (部分退款). */
  | { kind: 'PARTIAL'; amountFen: number; paidFen: number }
  /** Everything paid came back (已退款). */
  | { kind: 'FULL'; amountFen: number; paidFen: number }
  /** A refund was decided but the payment network did not pay it; the platform is on it (退款异常). */
  | { kind: 'FAILED'; amountFen: number; paidFen: number }

export function refundStanding(paidFen: number, refunds: readonly RefundLine[]): RefundStanding {
  const sum = (statuses: RefundLine['status'][]) => refunds.filter((r) => statuses.includes(r.status)).reduce((total, r) => total + r.amountFen, 0)
  const onItsWay = sum(['PENDING', 'SUBMITTED'])
  const arrived = sum(['SUCCEEDED'])
  if (onItsWay > 0) return { kind: 'PENDING', amountFen: onItsWay + arrived, paidFen }
  if (arrived === 0) {
    const failed = sum(['FAILED'])
    return failed > 0 ? { kind: 'FAILED', amountFen: failed, paidFen } : { kind: 'NONE' }
  }
  return arrived >= paidFen ? { kind: 'FULL', amountFen: arrived, paidFen } : { kind: 'PARTIAL', amountFen: arrived, paidFen }
}

/** How a refund on its way is expected to arrive: express refunds within hours, others in business days. */
export const arrivalKey = (express: boolean) => (express ? 'refund.arrival.express' : 'refund.arrival.online')
