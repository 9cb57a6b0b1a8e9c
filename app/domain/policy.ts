// Every number of ../shared/domain/rules.md lives here, once, typed. Code, UI copy and tests read
// it from here; an operator may override any of it (see `withOverrides`).

const HOUR_MS = 60 * 60 * 1000
const DAY_MS = 24 * HOUR_MS

export const defaultPolicy = {
  refundOnly: {
    /** 仅退款: the merchant handles the request within 48 hours, else it is approved automatically. */
    merchantRespondMs: 48 * HOUR_MS,
  },
  returnAndRefund: {
    merchantReviewMs: 48 * HOUR_MS,
    /** Kuaishou: 10 days; the Douyin preset uses 7. */
    buyerShipMs: 10 * DAY_MS,
    merchantReceiveMs: 10 * DAY_MS,
    /** 延长收货 is possible once the tracking number has been in this long without a signature. */
    extendReceiptAfterMs: 5 * DAY_MS,
    extendReceiptByMs: 5 * DAY_MS,
    maxReceiptExtensions: 1,
  },
  expressRefund: {
    maxPaidAmountFen: 300_00,
    /** The source says both 不超过 and 小于: inclusive by default. */
    maxInclusive: true,
    oldRuleBefore: '2023-09-13T00:00:00+08:00',
    oldRuleRequestWithinMs: 6 * HOUR_MS,
  },
  autoRefundStrategy: {
    minPerOrderFen: 1_00,
    maxPerOrderFen: 99_999_00,
    /** The highest daily cap a shop may set: "no limit" in practice, and a day's total plus one
     *  request stays inside the database's integer (see fitsStoredTotals). */
    maxDailyCapFen: 10_000_000_00,
    timeZone: 'Asia/Shanghai',
  },
  dispute: {
    /** A case the merchant rejected may be escalated within this long (policy). */
    escalateAfterRejectionMs: 7 * DAY_MS,
    merchantEvidenceMs: 24 * HOUR_MS,
    buyerEvidenceMs: 24 * HOUR_MS,
    /** One reminder once fewer than this remain. */
    reminderBeforeDueMs: 12 * HOUR_MS,
    explanationMaxChars: 2_000,
    maxFilesPerResponse: 20,
    maxImageOrPdfBytes: 20 * 1024 * 1024,
    maxVideoBytes: 200 * 1024 * 1024,
    /** The platform's own service target for agents (not a rule users see): rule within 72 hours of escalation. */
    agentRulingTargetMs: 72 * HOUR_MS,
    /** The agent console calls a dispute "breaching soon" when its next breach is this close. */
    agentBreachSoonMs: 12 * HOUR_MS,
    /** The holding agent may extend an open evidence request by up to this much at a time, with a reason… */
    evidenceExtensionMaxMs: 24 * HOUR_MS,
    /** …at most this many times per request. */
    maxEvidenceExtensions: 2,
    /** An agent-set due time for a new evidence request lies within these bounds (from the moment it is asked). */
    requestDueMinMs: 12 * HOUR_MS,
    requestDueMaxMs: 72 * HOUR_MS,
  },
  negotiation: {
    /** 协商留言: text length and images per message (Kuaishou and WeChat cap text evidence at 500). */
    messageMaxChars: 500,
    messageMaxImages: 9,
    /** Emails about agent messages: at most one per case per recipient in this window (the message box always). */
    agentMessageEmailEveryMs: HOUR_MS,
    /** 协商方案: an open offer expires after this long; one open offer per case. */
    offerOpenMs: 48 * HOUR_MS,
  },
  appeal: {
    /** 申诉: within this long after a ruling, once per dispute and party, decided by another agent. */
    windowMs: 7 * DAY_MS,
    /** The platform's own service target for deciding an appeal (not a rule users see): the queue sorts by it. */
    decisionTargetMs: 72 * HOUR_MS,
  },
  refunds: {
    /** 原路退回: online payments arrive within these business days; express refunds within the hours. */
    arrivalMinBusinessDays: 1,
    arrivalMaxBusinessDays: 3,
    expressArrivalHours: 24,
  },
  display: {
    /** Workbench countdowns turn amber, then red. */
    warnRemainingMs: 12 * HOUR_MS,
    urgentRemainingMs: 6 * HOUR_MS,
  },
  integrations: {
    /** A signed API request older or newer than this is refused (replay protection). */
    signatureMaxSkewMs: 5 * 60 * 1000,
    webhookTimeoutMs: 10 * 1000,
    webhookMaxAttempts: 8,
    /** Retries back off exponentially from the first delay, up to the cap. */
    webhookFirstRetryMs: 30 * 1000,
    webhookMaxRetryMs: 60 * 60 * 1000,
  },
  security: {
    sessionTtlMs: 7 * DAY_MS,
    /** Attempts an account may take (wrong or still being checked) before it is locked for lockoutMs. */
    maxFailedLogins: 5,
    lockoutMs: 15 * 60 * 1000,
    /** Login attempts one client address (an IPv6 one as its /64) may make per window, right or wrong, before any
     *  password is checked. Sessions last a week, so even an office behind one NAT rarely logs in 20 times in 5 minutes. */
    loginAttemptsPerIp: 20,
    loginIpWindowMs: 5 * 60 * 1000,
  },
} as const

type Widen<T> = T extends string ? string : T extends number ? number : T extends boolean ? boolean : { [K in keyof T]: Widen<T[K]> }
export type Policy = Widen<typeof defaultPolicy>
type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] }

/** The Douyin preset: 7 days for the buyer to ship a return. */
export const douyinOverrides: DeepPartial<Policy> = { returnAndRefund: { buyerShipMs: 7 * DAY_MS } }

export function withOverrides(overrides: DeepPartial<Policy>, base: Policy = defaultPolicy): Policy {
  const merged = structuredClone(base) as Record<string, Record<string, unknown>>
  for (const [section, values] of Object.entries(overrides)) {
    if (!(section in merged)) throw new Error(`Unknown policy section: ${section}`)
    for (const [key, value] of Object.entries(values ?? {})) {
      if (!(key in merged[section]!)) throw new Error(`Unknown policy setting: ${section}.${key}`)
      merged[section]![key] = value
    }
  }
  const policy = merged as unknown as Policy
  if (!fitsStoredTotals(policy.autoRefundStrategy)) {
    throw new Error(`autoRefundStrategy.maxDailyCapFen + maxPerOrderFen must not exceed ${PG_INT_MAX} (the database's integer)`)
  }
  return policy
}

/** PostgreSQL's `integer`, the type of every fen column. */
export const PG_INT_MAX = 2_147_483_647

/**
 * A day's auto-refund total (at most the cap) plus one more request (at most the per-order maximum)
 * must still be an integer; the schema holds the same bound on each shop's limits (CHECK
 * "Shop_auto_refund_limits_fit").
 */
export function fitsStoredTotals(limits: { maxDailyCapFen: number; maxPerOrderFen: number }): boolean {
  return Number.isSafeInteger(limits.maxDailyCapFen) && Number.isSafeInteger(limits.maxPerOrderFen) && limits.maxDailyCapFen + limits.maxPerOrderFen <= PG_INT_MAX
}

export const hoursOf = (ms: number) => Math.round(ms / HOUR_MS)
export const daysOf = (ms: number) => Math.round(ms / DAY_MS)

export type DeadlineTone = 'overdue' | 'urgent' | 'warn' | 'normal'

/** How a countdown is coloured: red under the urgent line (and when overdue), amber under the warning line. */
export function deadlineTone(remainingMs: number, display: Policy['display'] = defaultPolicy.display): DeadlineTone {
  if (remainingMs <= 0) return 'overdue'
  if (remainingMs < display.urgentRemainingMs) return 'urgent'
  if (remainingMs < display.warnRemainingMs) return 'warn'
  return 'normal'
}
