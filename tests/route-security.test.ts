// Security by construction, checked: every route module starts its loader and action with an
// actor guard (or is on the short public list), and every action reads its form through readForm
// (which checks the CSRF token).
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { routeHandler, type Handler } from './route-handlers'

const routesDir = path.resolve(import.meta.dirname, '../app/routes')
// The message catalogs (i18n.$file.ts) are the same for everyone: public, like the login page.
const PUBLIC_LOADERS = new Set(['_index.tsx', 'login.tsx', 'logout.tsx', 'locale.tsx', 'i18n.$file.ts', 'test-hooks.clock.ts'])
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

/** A handler written in the module, or a problem: a reference or a form the check cannot read. */
function written(file: string, name: 'loader' | 'action', handler: Handler | null, allowedReferences: string[] = []): { body: string; first: string } | string | null {
  if (!handler) return null
  if (handler.kind === 'function') return { body: handler.body, first: handler.firstStatement }
  if (handler.kind === 'reference' && allowedReferences.includes(handler.name)) return null
  return `${file}: its ${name} is ${handler.kind === 'reference' ? `the imported function ${handler.name}` : `\`${handler.text}\``}, which this check cannot read: write it as a function in the module`
}

/** What is wrong with a route module's guards: nothing when the list is empty. */
function guardProblems(file: string, source: string): string[] {
  const problems: string[] = []
  // Signed machine-to-machine modules refuse GET with the shared methodNotAllowed; nothing else is taken on trust.
  const loader = written(file, 'loader', routeHandler(source, 'loader', file), isApi(file) || isGateway(file) ? ['methodNotAllowed'] : [])
  const action = written(file, 'action', routeHandler(source, 'action', file))
  for (const handler of [loader, action]) if (typeof handler === 'string') problems.push(handler)
  const check = (ok: boolean, problem: string) => {
    if (!ok) problems.push(`${file}: ${problem}`)
  }
  if (loader && typeof loader === 'object') {
    if (isMetrics(file)) check(METRICS_GUARD.test(loader.first), "the loader's first statement checks the metrics token")
    else if (!PUBLIC_LOADERS.has(file)) check(GUARD.test(loader.first), "the loader's first statement must be an actor guard")
  }
  if (isMetrics(file)) check(action === null, 'no action')
  if (isApi(file) || isGateway(file)) check(/export const loader = methodNotAllowed/.test(source), 'GET is refused')
  if (action && typeof action === 'object') {
    if (isGateway(file)) check(GATEWAY_GUARD.test(action.first), "the action's first statement verifies the gateway's signature")
    else if (isApi(file)) check(API_GUARD.test(action.first), "the action's first statement authenticates the signed request")
    else if (TEST_ONLY.has(file)) check(/^if \(!env\(\)\.TEST_HOOKS_ENABLED \|\| env\(\)\.NODE_ENV === 'production'\) throw notFound\(\)$/.test(action.first), 'exists only when the test suite turns it on, never in production')
    else {
      if (!PUBLIC_LOADERS.has(file)) check(GUARD.test(action.first), "the action's first statement must be an actor guard")
      check(FORM_READERS.test(action.body), 'actions read forms through readForm or readMultipartForm (CSRF)')
      check(!/request\.formData\(/.test(action.body), 'never request.formData() directly')
    }
  }
  return problems
}

describe('route modules', () => {
  it.each(routes)('%s guards its loader and action', (file) => {
    expect(guardProblems(file, readFileSync(path.join(routesDir, file), 'utf8'))).toEqual([])
  })
})

describe('the guard check itself', () => {
  const guardedLoader = `export async function loader({ request }: LoaderFunctionArgs) {\n  const actor = await requireActor(request)\n  return actor\n}`
  it('passes a guarded loader however it is written', () => {
    expect(guardProblems('cases.tsx', guardedLoader)).toEqual([])
    expect(guardProblems('cases.tsx', `export const loader = async ({ request }: LoaderFunctionArgs) => {\n  const actor = await requireActor(request)\n  return actor\n}`)).toEqual([])
    expect(guardProblems('cases.tsx', `async function load({ request }) {\n  await requireAgent(request)\n  return 1\n}\nexport { load as loader }`)).toEqual([])
    // Handed over to a function of the module, or run inside answerAfterBody: that function is read.
    expect(guardProblems('cases.tsx', `async function load({ request }) {\n  await requireActor(request)\n  return 1\n}\nexport const loader = (args) => load(args)`)).toEqual([])
    expect(guardProblems('cases.tsx', `export const loader = ({ request }) => answerAfterBody(request, async () => {\n  await requireActor(request)\n  return 1\n})`)).toEqual([])
  })
  it.each([
    ['an arrow function', `export const loader = async () => json(await db().case.findMany())`],
    ['an arrow function with a body', `export const loader = async ({ request }) => {\n  const rows = await db().case.findMany()\n  await requireActor(request)\n  return rows\n}`],
    ['a function expression', `export const loader = async function () {\n  return db().case.findMany()\n}`],
    ['a local function exported by name', `async function load() {\n  return db().case.findMany()\n}\nexport { load as loader }`],
    ['a reference to a local constant', `const load = () => db().case.findMany()\nexport const loader = load`],
    ['an imported function', `import { listCases } from '~/models/cases'\nexport const loader = listCases`],
    ['a re-export', `export { loader } from '~/models/cases'`],
    ['the result of a call', `export const loader = makeLoader({ public: true })`],
    ['a hand-over to an unguarded function', `async function load() {\n  return db().case.findMany()\n}\nexport const loader = (args) => load(args)`],
    ['a wrapper running an unguarded function', `export const loader = ({ request }) => answerAfterBody(request, async () => {\n  const rows = await db().case.findMany()\n  return rows\n})`],
  ])('refuses an unguarded loader written as %s', (_form, source) => {
    expect(guardProblems('cases.tsx', source)).not.toEqual([])
  })
  it('refuses an unguarded action and one that reads the form itself', () => {
    expect(guardProblems('cases.tsx', `export const action = async ({ request }) => {\n  const form = await readForm(request)\n  return form\n}`)).not.toEqual([])
    expect(guardProblems('cases.tsx', `export const action = async ({ request }) => {\n  await requireActor(request)\n  return request.formData()\n}`)).not.toEqual([])
  })
})
