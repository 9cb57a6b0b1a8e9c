import { describe, expect, it } from 'vitest'
import { MARKET_TIME_ZONE, minuteFormat, translate } from '~/i18n/messages'
import { countdownText } from './time'

describe('countdownText', () => {
  it('says the time left in the catalog\'s words, from the largest unit present', () => {
    const MIN = 60_000
    const zh = (ms: number) => countdownText((key, params) => translate('zh-CN', key, params), ms)
    const en = (ms: number) => countdownText((key, params) => translate('en', key, params), ms)
    expect(zh((26 * 60 + 5) * MIN)).toBe('1天2小时5分')
    expect(en((26 * 60 + 5) * MIN)).toBe('1d 2h 5m')
    expect(zh(13 * 60 * MIN + 59_999)).toBe('13小时0分')
    expect(en(59 * MIN)).toBe('59m')
    expect(en(-1)).toBe('0m')
  })
})

describe('times on pages', () => {
  it('write the first hour after midnight as 00, as the browser does (the server and the hydrating page must agree)', () => {
    const justAfterMidnight = new Date('2026-12-01T16:40:00Z') // 00:40 in Beijing
    for (const locale of ['en', 'zh-CN', 'sv-SE']) {
      const text = minuteFormat(locale, MARKET_TIME_ZONE).format(justAfterMidnight)
      expect(text, locale).toContain('00:40')
      expect(text, locale).not.toContain('24:')
    }
  })
})
