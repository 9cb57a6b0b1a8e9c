import { describe, expect, it } from 'vitest'
import { daysOf, defaultPolicy, douyinOverrides, hoursOf, withOverrides } from './policy'

describe('policy', () => {
  it('holds the numbers of the rules', () => {
    expect(hoursOf(defaultPolicy.refundOnly.merchantRespondMs)).toBe(48)
    expect(daysOf(defaultPolicy.returnAndRefund.buyerShipMs)).toBe(10)
    expect(daysOf(defaultPolicy.returnAndRefund.merchantReceiveMs)).toBe(10)
    expect(hoursOf(defaultPolicy.dispute.merchantEvidenceMs)).toBe(24)
    expect(hoursOf(defaultPolicy.dispute.reminderBeforeDueMs)).toBe(12)
    expect(defaultPolicy.expressRefund.maxPaidAmountFen).toBe(30_000)
  })

  it('applies the Douyin preset without touching anything else', () => {
    const douyin = withOverrides(douyinOverrides)
    expect(daysOf(douyin.returnAndRefund.buyerShipMs)).toBe(7)
    expect(douyin.returnAndRefund.merchantReceiveMs).toBe(defaultPolicy.returnAndRefund.merchantReceiveMs)
    expect(daysOf(defaultPolicy.returnAndRefund.buyerShipMs)).toBe(10)
  })

  it('refuses an override of a setting that does not exist', () => {
    expect(() => withOverrides({ dispute: { merchantEvidenceHours: 12 } as never })).toThrow(/dispute.merchantEvidenceHours/)
    expect(() => withOverrides({ nope: {} } as never)).toThrow(/Unknown policy section/)
  })
})
