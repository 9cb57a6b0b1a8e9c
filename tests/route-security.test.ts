// Security by construction, checked: every route module starts its loader and action with an
// actor guard (or is on the short public list), and every action reads its form through readForm
// (which checks the CSRF token).
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const routesDir = path.resolve(import.meta.dirname, '../app/routes')
// The message catalogs (i18n.$file.ts) are the same for everyone: public, like the login page.
const PUBLIC_LOADERS = new Set(['_index.tsx', 'login.tsx', 'logout.tsx', 'locale.tsx', 'healthz.ts', 'i18n.$file.ts', 'test-hooks.clock.ts'])
// Multipart uploads check the CSRF token while streaming (readMultipartForm); the test hook does
// not exist in production (its first statement refuses).
// The evidence intake and the case page's dispatch read through readMultipartForm / readForm.
const FORM_READERS = /readForm\(request\)|readMultipartForm\(request|intakeEvidence\(request|runCaseAction\(request/
const TEST_ONLY = new Set(['test-hooks.clock.ts'])
const GUARD = /\b(requireActor|requireBuyer|requireMerchant|requireAgent|getActor)\(/
// Machine-to-machine routes authenticate by HMAC signature instead of a session and a CSRF token.
const API_GUARD = /\breturn requireIntegration\(request, /
const isApi = (file: string) => file.startsWith('api.')
// The payment gateway's result notifications authenticate by the gateway's signature.
const GATEWAY_GUARD = /await requireGatewayNotification\(request\)/
const isGateway = (file: string) => file.startsWith('payments.')
// The operators' Prometheus endpoint authenticates by its bearer token before it collects anything.
const METRICS_GUARD = /await scrape\(request\.headers\.get\('authorization'\), env\(\)\.METRICS_TOKEN\b/
const isMetrics = (file: string) => file === 'metrics.ts'

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

// Flat route files, and folder routes' route.tsx (the folder's other files are private components).
const routes = readdirSync(routesDir, { withFileTypes: true }).flatMap((entry) =>
  entry.isDirectory() ? [path.join(entry.name, 'route.tsx')] : /\.tsx?$/.test(entry.name) && !entry.name.includes('.test.') ? [entry.name] : [],
)

describe('the case page dispatch', () => {
  it('reads its forms through readForm or the evidence intake (CSRF), never request.formData()', () => {
    const source = readFileSync(path.resolve(import.meta.dirname, '../app/forms/case-action.server.ts'), 'utf8')
    expect(source).toMatch(/readForm\(request\)/)
    expect(source).toMatch(/intakeEvidence\(request/)
    expect(source).not.toMatch(/request\.formData\(/)
    const intake = readFileSync(path.resolve(import.meta.dirname, '../app/services/evidence-intake.server.ts'), 'utf8')
    expect(intake).toMatch(/readMultipartForm\(request/)
  })
})

describe('route modules', () => {
  it.each(routes)('%s guards its loader and action', (file) => {
    const source = readFileSync(path.join(routesDir, file), 'utf8')
    const loader = functionBody(source, 'loader')
    if (loader && isMetrics(file)) {
      expect(loader.trim().split('\n')[0], `${file}: the loader's first statement checks the metrics token`).toMatch(METRICS_GUARD)
      expect(functionBody(source, 'action'), `${file}: no action`).toBeNull()
    } else if (loader && !PUBLIC_LOADERS.has(file)) {
      const firstStatement = loader.trim().split('\n')[0] ?? ''
      expect(firstStatement, `${file}: the loader's first statement must be an actor guard`).toMatch(GUARD)
    }
    const action = functionBody(source, 'action')
    if (isGateway(file)) {
      expect(action?.trim().split('\n')[0], `${file}: the action's first statement verifies the gateway's signature`).toMatch(GATEWAY_GUARD)
    } else if (isApi(file)) {
      expect(action?.trim().split('\n')[0], `${file}: the action's first statement authenticates the signed request`).toMatch(API_GUARD)
      expect(source, `${file}: GET is refused`).toMatch(/export const loader = methodNotAllowed/)
    } else if (action && TEST_ONLY.has(file)) {
      expect(action.trim().split('\n')[0], `${file}: refuses in production first`).toMatch(/NODE_ENV === 'production'\) throw notFound\(\)/)
    } else if (action) {
      if (!PUBLIC_LOADERS.has(file)) {
        expect(action.trim().split('\n')[0], `${file}: the action's first statement must be an actor guard`).toMatch(GUARD)
      }
      expect(action, `${file}: actions read forms through readForm or readMultipartForm (CSRF)`).toMatch(FORM_READERS)
      expect(action, `${file}: never request.formData() directly`).not.toMatch(/request\.formData\(/)
    }
  })
})
