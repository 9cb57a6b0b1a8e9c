// The browser gets one catalog: the page's own, at an address that names its content. Browser
// modules never import the module that holds both (e2e/catalog.spec.ts checks the bytes a real
// page loads).
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { loader } from '~/routes/i18n.$file'
import { activeCatalog } from './catalog.server'
import { en } from './en'
import { zhCN } from './zh-CN'

const serve = (file: string) => loader({ request: new Request(`http://portal.test/i18n/${file}`), params: { file }, context: {} }) as Response

describe('the catalog script', () => {
  it('carries only its locale, cached for good at its own address', async () => {
    for (const [locale, own, other] of [['zh-CN', zhCN, en], ['en', en, zhCN]] as const) {
      const { href } = activeCatalog(locale)
      expect(href).toMatch(new RegExp(`^/i18n/${locale}\\.[0-9a-f]{12}\\.js$`))
      const response = serve(href.slice('/i18n/'.length))
      expect(response.status).toBe(200)
      expect(response.headers.get('Content-Type')).toBe('text/javascript; charset=utf-8')
      expect(response.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable')
      const body = await response.text()
      const shipped = JSON.parse(body.replace(/^window\.__catalog=/, '').replace(/;\n$/, '')) as { locale: string; href: string; messages: Record<string, string> }
      expect(shipped).toEqual({ locale, href, messages: own })
      expect(body).not.toContain(JSON.stringify(other['app.skipToContent']))
    }
  })

  it('answers an older address with today\'s catalog, not cached, and anything else with 404', async () => {
    const stale = serve('en.000000000000.js')
    expect(stale.status).toBe(200)
    expect(stale.headers.get('Cache-Control')).toBe('no-cache')
    for (const bad of ['fr.0123456789ab.js', 'en.js', '../en.0123.js', 'en.0123456789ab.json']) expect(serve(bad).status, bad).toBe(404)
  })
})

describe('browser modules', () => {
  it('never import the catalogs themselves (only types, and the page catalog through useT)', () => {
    const appDir = path.resolve(import.meta.dirname, '..')
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const full = path.join(dir, name)
        if (statSync(full).isDirectory()) return name === 'generated' ? [] : files(full)
        return /\.tsx?$/.test(name) ? [full] : []
      })
    const serverOnly = (file: string) => /\.server\.tsx?$|\.test\.tsx?$/.test(file) || /\/i18n\/(messages|en|zh-CN)\.ts$/.test(file)
    const catalogImport = /^import (?!type\b)[^;]*?from '(?:~\/i18n\/|\.\/|\.\.\/i18n\/)(?:messages|en|zh-CN)'/m
    const offenders = files(appDir).filter((file) => !serverOnly(file) && catalogImport.test(readFileSync(file, 'utf8')))
    expect(offenders.map((file) => path.relative(appDir, file))).toEqual([])
  })
})
