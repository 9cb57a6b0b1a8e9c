import { describe, expect, it } from 'vitest'
import { en } from './en'
import { localeFromAcceptLanguage, translate, type MessageKey } from './messages'
import { zhCN } from './zh-CN'

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

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
