// What the browser receives of the catalogs: a page in one language loads that language's catalog
// and no text of the other one, in its HTML or in any script it runs. Hydration and the language
// switch are covered by i18n.spec.ts.
import { expect, test, type Page } from '@playwright/test'
import { en } from '../app/i18n/en'
import { zhCN } from '../app/i18n/zh-CN'
import { DEMO_LOGINS } from '../prisma/demo-data'
import { logIn } from './helpers'

const CJK = /[\u4e00-\u9fff]/
// Texts long enough to be the catalog's own words (not a name or a number), and that only one catalog has.
const onlyIn = (mine: Record<string, string>, theirs: Record<string, string>, distinct: (text: string) => boolean) => {
  const theirTexts = Object.values(theirs)
  return [...new Set(Object.values(mine))].filter((text) => distinct(text) && !theirTexts.some((other) => other.includes(text)))
}
const ENGLISH_ONLY = onlyIn(en, zhCN, (text) => text.length >= 16 && !CJK.test(text) && /\s/.test(text) && !text.includes('{'))
const CHINESE_ONLY = onlyIn(zhCN, en, (text) => [...text].length >= 6 && CJK.test(text) && !text.includes('{'))

/** A text as a script may hold it: as written, JSON-escaped, or with non-ASCII as \u escapes (esbuild's ASCII output). */
const inScript = (scripts: string, text: string) => {
  const json = JSON.stringify(text).slice(1, -1)
  const ascii = json.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  return scripts.includes(text) || scripts.includes(json) || scripts.includes(ascii)
}

/** The page's HTML and the text of every script it loaded, as the browser received them. */
async function received(page: Page, path: string) {
  const scripts: Promise<string>[] = []
  const urls: string[] = []
  page.on('response', (response) => {
    if (response.request().resourceType() === 'script') {
      urls.push(new URL(response.url()).pathname)
      scripts.push(response.text())
    }
  })
  const response = await page.goto(path)
  await page.waitForLoadState('networkidle')
  return { html: (await response?.text()) ?? '', scripts: (await Promise.all(scripts)).join('\n'), urls }
}

for (const [locale, acceptLanguage, own, otherOnly, heading] of [
  ['zh-CN', 'zh-CN', zhCN, ENGLISH_ONLY, '售后单 AS2611220005'],
  ['en', 'en-US', en, CHINESE_ONLY, 'After-sales case AS2611220005'],
] as const) {
  test(`a ${locale} page ships the ${locale} catalog and nothing of the other`, async ({ browser }) => {
    expect(otherOnly.length).toBeGreaterThan(100)
    const context = await browser.newContext({ locale: acceptLanguage })
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    page.on('console', (message) => (message.type() === 'error' ? errors.push(message.text()) : undefined))
    // A slow catalog must still be there before the app's modules run (they may run early: Remix's module script is async).
    await page.route('**/i18n/**', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 800))
      await route.continue()
    })
    for (const path of ['/login', '/cases/AS2611220005']) {
      await context.clearCookies()
      if (path !== '/login') await logIn(page, DEMO_LOGINS.agent)
      const { html, scripts, urls } = await received(page, path)
      await page.waitForFunction(() => Boolean((window as unknown as { __remixRouter?: unknown }).__remixRouter)) // hydrated
      expect(urls.filter((url) => url.startsWith('/i18n/'))).toEqual([expect.stringMatching(new RegExp(`^/i18n/${locale}\\.[0-9a-f]+\\.js$`))])
      expect(scripts).toContain(JSON.stringify(own['app.skipToContent']))
      const leaked = otherOnly.filter((text) => html.includes(text) || inScript(scripts, text))
      expect(leaked, path).toEqual([])
    }
    // The page hydrated in its language and nothing was reported (a mismatch, a missing catalog).
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(heading)
    expect(errors).toEqual([])
    await context.close()
  })
}
