import { describe, expect, it } from 'vitest'
import { daysOf, defaultPolicy, douyinOverrides, fitsStoredTotals, hoursOf, PG_INT_MAX, withOverrides, deadlineTone } from './policy'

describe('policy', () => {
  it('holds the numbers of the rules', () => {
    expect(hoursOf(defaultPolicy.refundOnly.merchantRespondMs)).toBe(48)
    expect(daysOf(defaultPolicy.returnAndRefund.buyerShipMs)).toBe(10)
    expect(daysOf(defaultPolicy.returnAndRefund.merchantReceiveMs)).toBe(10)
    expect(hoursOf(defaultPolicy.dispute.merchantEvidenceMs)).toBe(24)
    expect(hoursOf(defaultPolicy.dispute.reminderBeforeDueMs)).toBe(12)
    expect(defaultPolicy.expressRefund.maxPaidAmountFen).toBe(30_000)
  })

  it('holds the negotiation, deadline-change and appeal numbers (rules.md, "Negotiation, settlement and appeal")', () => {
    expect(defaultPolicy.negotiation.messageMaxChars).toBe(500)
    expect(defaultPolicy.negotiation.messageMaxImages).toBe(9)
    expect(hoursOf(defaultPolicy.negotiation.agentMessageEmailEveryMs)).toBe(1)
    expect(hoursOf(defaultPolicy.negotiation.offerOpenMs)).toBe(48)
    expect(hoursOf(defaultPolicy.dispute.evidenceExtensionMaxMs)).toBe(24)
    expect(defaultPolicy.dispute.maxEvidenceExtensions).toBe(2)
    expect([hoursOf(defaultPolicy.dispute.requestDueMinMs), hoursOf(defaultPolicy.dispute.requestDueMaxMs)]).toEqual([12, 72])
    expect(daysOf(defaultPolicy.appeal.windowMs)).toBe(7)
  })

  it('applies the Douyin preset without touching anything else', () => {
    const douyin = withOverrides(douyinOverrides)
    expect(daysOf(douyin.returnAndRefund.buyerShipMs)).toBe(7)
    expect(douyin.returnAndRefund.merchantReceiveMs).toBe(defaultPolicy.returnAndRefund.merchantReceiveMs)
    expect(daysOf(defaultPolicy.returnAndRefund.buyerShipMs)).toBe(10)
  })

  it('refuses limits whose day total plus one request would overflow the database integer', () => {
    const limits = defaultPolicy.autoRefundStrategy
    expect(fitsStoredTotals(limits)).toBe(true)
    const largest = PG_INT_MAX - limits.maxPerOrderFen
    expect(withOverrides({ autoRefundStrategy: { maxDailyCapFen: largest } }).autoRefundStrategy.maxDailyCapFen).toBe(largest)
    expect(() => withOverrides({ autoRefundStrategy: { maxDailyCapFen: largest + 1 } })).toThrow(/maxDailyCapFen/)
    expect(() => withOverrides({ autoRefundStrategy: { maxDailyCapFen: 999_999_999_00 } })).toThrow(/maxDailyCapFen/)
  })

  it('refuses an override of a setting that does not exist', () => {
    expect(() => withOverrides({ dispute: { merchantEvidenceHours: 12 } as never })).toThrow(/dispute.merchantEvidenceHours/)
    expect(() => withOverrides({ nope: {} } as never)).toThrow(/Unknown policy section/)
  })
})

describe('deadline tone (workbench and queue countdowns)', () => {
  const HOUR = 3600_000
  it('is red under 6 h and when overdue, amber under 12 h, plain from 12 h', () => {
    expect(deadlineTone(0)).toBe('overdue')
    expect(deadlineTone(-1)).toBe('overdue')
    expect(deadlineTone(1)).toBe('urgent')
    expect(deadlineTone(6 * HOUR - 1)).toBe('urgent')
    expect(deadlineTone(6 * HOUR)).toBe('warn')
    expect(deadlineTone(12 * HOUR - 1)).toBe('warn')
    expect(deadlineTone(12 * HOUR)).toBe('normal')
    expect(deadlineTone(3 * HOUR, { warnRemainingMs: 4 * HOUR, urgentRemainingMs: 2 * HOUR })).toBe('warn')
  })
})
