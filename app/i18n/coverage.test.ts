// Every error code a service can refuse with and every case-log action has a translation: the
// catalogs are checked against the source, so a new code without copy fails here.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { en } from './en'

const appDir = path.resolve(import.meta.dirname, '..')
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name)
    if (statSync(full).isDirectory()) return name === 'generated' ? [] : sources(full)
    return /\.tsx?$/.test(name) && !name.includes('.test.') ? [full] : []
  })
}
const code = sources(appDir).map((file) => readFileSync(file, 'utf8')).join('\n')
const found = (pattern: RegExp) => [...new Set([...code.matchAll(pattern)].map((m) => m[1]!))]

describe('catalog coverage', () => {
  it('translates every service error code', () => {
    const codes = [...found(/new ServiceError\('([A-Z_]+)'/g), ...found(/fail\('([A-Z_]+)'\)/g), ...found(/fail<[^>]*>\('([A-Z_]+)'\)/g)]
    expect(codes.length).toBeGreaterThan(10)
    const missing = codes.filter((c) => !(`error.service.${c}` in en))
    expect(missing).toEqual([])
  })

  it('translates every case-log action', () => {
    const actions = found(/action: '([a-z-]+\.[a-z-]+)'/g)
    expect(actions.length).toBeGreaterThan(5)
    const missing = actions.filter((a) => !(`log.${a}` in en))
    expect(missing).toEqual([])
  })
})
