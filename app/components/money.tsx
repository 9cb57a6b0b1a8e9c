import { arrivalKey, type RefundStanding } from '~/domain/money'
import { useT } from '~/i18n/use-t'

export { formatYuan as formatFen } from '~/i18n/format'
import { formatYuan as formatFen } from '~/i18n/format'

export function Money({ fen }: { fen: number }) {
  return <span className="tabular-nums">{formatFen(fen)}</span>
}

const TONE: Record<RefundStanding['kind'], string> = {
  NONE: '',
  PENDING: 'bg-amber-100 text-amber-900',
  PARTIAL: 'bg-sky-100 text-sky-900',
  FULL: 'bg-green-100 text-green-900',
  FAILED: 'bg-red-100 text-red-900',
}

/** The order's refunds in one badge: 退款中 / 部分退款 ¥50.00 / 实付 ¥899.00 / 已退款. */
/** A refunded case's state as it really stands: 退款中 while the money is on its way, 部分退款 for part of what was paid. */
export function caseStateKey(state: string, standing: RefundStanding) {
  if (state === 'REFUNDED' && standing.kind === 'PENDING') return 'caseState.REFUNDED.PENDING' as const
  if (state === 'REFUNDED' && standing.kind === 'PARTIAL') return 'caseState.REFUNDED.PARTIAL' as const
  if (state === 'REFUNDED' && standing.kind === 'FULL') return 'caseState.REFUNDED.FULL' as const
  if (state === 'REFUNDED' && standing.kind === 'FAILED') return 'caseState.REFUNDED.FAILED' as const
  return `caseState.${state as 'REFUNDED'}` as const
}

export function RefundBadge({ standing }: { standing: RefundStanding }) {
  const t = useT()
  if (standing.kind === 'NONE') return null
  return (
    <span className={`whitespace-nowrap rounded px-2 py-0.5 text-sm tabular-nums ${TONE[standing.kind]}`} data-testid="refund-standing">
      {t(`refundStanding.${standing.kind}`, { amount: formatFen(standing.amountFen), paid: formatFen(standing.paidFen) })}
    </span>
  )
}

/** When the money arrives, from policy: 原路退回，预计 1–3 个工作日到账 (express refunds: within 24 hours). */
export function RefundArrival({ standing, express }: { standing: RefundStanding; express: boolean }) {
  const t = useT()
  if (standing.kind === 'NONE' || standing.kind === 'FAILED') return null
  return (
    <span className="text-sm text-slate-700" data-testid="refund-arrival">
      {t(arrivalKey(express))}
    </span>
  )
}
