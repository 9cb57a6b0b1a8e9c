// Security by construction, checked: every route module starts its loader and action with an
// actor guard (or is on the short public list), and every action reads its form through readForm
// (which checks the CSRF token).
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const routesDir = path.resolve(import.meta.dirname, '../app/routes')
const PUBLIC_LOADERS = new Set(['_index.tsx', 'login.tsx', 'logout.tsx', 'locale.tsx', 'healthz.ts'])
const GUARD = /\b(requireActor|requireBuyer|requireMerchant|requireAgent|getActor)\(/

function functionBody(source: string, name: 'loader' | 'action'): string | null {
  const start = source.search(new RegExp(`export (async )?function ${name}\\b`))
  if (start < 0) return /export const (loader|action) =/.test(source) && source.includes(`export const ${name} =`) ? '' : null
  const open = source.indexOf('{', source.indexOf(')', start))
  let depth = 0
  for (let i = open; i < source.length; i++) {
    if (source[i] === '{') depth++
    if (source[i] === '}' && --depth === 0) return source.slice(open + 1, i)
  }
  return source.slice(open)
}

const routes = readdirSync(routesDir).filter((f) => /\.tsx?$/.test(f) && !f.includes('.test.'))

describe('route modules', () => {
  it.each(routes)('%s guards its loader and action', (file) => {
    const source = readFileSync(path.join(routesDir, file), 'utf8')
    const loader = functionBody(source, 'loader')
    if (loader && !PUBLIC_LOADERS.has(file)) {
      const firstStatement = loader.trim().split('\n')[0] ?? ''
      expect(firstStatement, `${file}: the loader's first statement must be an actor guard`).toMatch(GUARD)
    }
    const action = functionBody(source, 'action')
    if (action) {
      expect(action, `${file}: actions read forms through readForm (CSRF)`).toMatch(/readForm\(request\)/)
      expect(action, `${file}: never request.formData() directly`).not.toMatch(/request\.formData\(/)
    }
  })
})
