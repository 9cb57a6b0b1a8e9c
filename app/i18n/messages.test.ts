import { describe, expect, it } from 'vitest'
import { en } from './en'
import { formatDuration, localeFromAcceptLanguage, translate, type MessageKey } from './messages'
import { zhCN } from './zh-CN'

const placeholders = (text: string) => [...text.matchAll(/\{(\w+(?:\|\w+)?)\}/g)].map((m) => m[1]).sort()

describe('catalogs', () => {
  it('have the same keys, no empty text, and the same placeholders in both languages', () => {
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort())
    for (const key of Object.keys(en) as MessageKey[]) {
      expect(en[key].trim(), key).not.toBe('')
      expect(zhCN[key].trim(), key).not.toBe('')
      expect(placeholders(zhCN[key]), key).toEqual(placeholders(en[key]))
    }
  })

  it('fills parameters and leaves unknown ones visible', () => {
    expect(translate('en', 'nav.signedInAs', { name: 'Li' })).toBe('Signed in as Li')
    expect(translate('zh-CN', 'nav.signedInAs', { name: '李' })).toBe('当前登录：李')
    expect(translate('en', 'nav.signedInAs')).toBe('Signed in as {name}')
  })
})

describe('localeFromAcceptLanguage', () => {
  it.each([
    ['zh-CN,zh;q=0.9,en;q=0.8', 'zh-CN'],
    ['en-US,en;q=0.9', 'en'],
    ['en;q=0.5, zh-TW;q=0.8', 'zh-CN'],
    ['fr-FR, en;q=0.3', 'en'],
    ['fr-FR', undefined],
    ['', undefined],
  ])('%s → %s', (header, expected) => {
    expect(localeFromAcceptLanguage(header)).toBe(expected)
  })
})

describe('formatted placeholders', () => {
  it('say the real time left: hours and minutes, only minutes under an hour, never "0 hours"', () => {
    const MIN = 60_000
    expect(formatDuration('zh-CN', 12 * 60 * MIN - 1)).toBe('11 小时 59 分钟')
    expect(formatDuration('en', 12 * 60 * MIN - 1)).toBe('11 h 59 min')
    expect(formatDuration('zh-CN', 6 * 60 * MIN)).toBe('6 小时')
    expect(formatDuration('zh-CN', 59 * MIN + 59_999)).toBe('59 分钟')
    expect(formatDuration('en', 45 * MIN)).toBe('45 min')
    expect(formatDuration('zh-CN', 59_999)).toBe('不足 1 分钟')
    expect(formatDuration('en', -5)).toBe('less than 1 min')
  })
  it('format money, the marketplace time and durations per reader, from language-neutral values', () => {
    const params = { caseNo: 'AS1', dueAt: '2026-11-23T02:00:00.000Z', remainingMs: 35 * 60_000 }
    expect(translate('zh-CN', 'notice.evidenceReminderBuyer', params)).toBe('提醒：售后单 AS1 举证剩余 35 分钟（截止 2026-11-23 10:00 (UTC+8)），逾期未提交将由平台客服依据现有材料判定。')
    expect(translate('en', 'notice.evidenceReminderMerchant', params)).toContain('35 min left')
    expect(translate('en', 'notice.ruled.PARTIAL_REFUND', { caseNo: 'AS1', amountFen: 50_00, paidFen: 899_00 })).toBe('The platform ruled on case AS1: partial refund ¥50.00 / paid ¥899.00.')
  })
  it('words every rule id the machine records', async () => {
    const { ALL_RULE_IDS } = await import('~/domain/case-machine')
    for (const id of ALL_RULE_IDS) expect(`rule.${id}` in en, id).toBe(true)
  })
})
