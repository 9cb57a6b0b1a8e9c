// npm run api:key -- create <name> <ORDER_SYSTEM|CARRIER>   issues credentials for an integration
// npm run api:key -- show <keyId>                           prints an integration's signing secret
// With no DATABASE_URL / API_SECRET_ROOT set, it uses those of `npm start` (the portal must run).
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'

const dataDir = path.resolve(import.meta.dirname, '..', '.data')
const rootFile = path.join(dataDir, 'api-secret-root')
process.env.API_SECRET_ROOT ||= existsSync(rootFile) ? readFileSync(rootFile, 'utf8').trim() : ''
process.env.DATABASE_URL ||= `postgresql://postgres:postgres@127.0.0.1:${process.env.EMBEDDED_PG_PORT ?? 54329}/portal`
if (!process.env.API_SECRET_ROOT) {
  process.stderr.write('API_SECRET_ROOT is not set and .data/api-secret-root does not exist: run `npm start` once, or set it.\n')
  process.exit(1)
}

const { deriveSecret } = await import('~/infra/signing.server')
const [command, ...args] = process.argv.slice(2)
if (command === 'show' && args[0]) {
  process.stdout.write(`${deriveSecret('api', args[0], process.env.API_SECRET_ROOT)}\n`)
} else if (command === 'create' && args[0] && (args[1] === 'ORDER_SYSTEM' || args[1] === 'CARRIER')) {
  const { createDb } = await import('~/infra/db.server')
  const { createIntegration } = await import('~/services/integration-api.server')
  const db = createDb(process.env.DATABASE_URL, 1)
  const created = await createIntegration(db, { name: args[0], kind: args[1], now: new Date(), keyId: `key_${randomBytes(9).toString('base64url')}`, secretRoot: process.env.API_SECRET_ROOT })
  await db.$disconnect()
  process.stdout.write(`keyId  ${created.keyId}\nsecret ${created.secret}\n`)
} else {
  process.stderr.write('usage: npm run api:key -- create <name> <ORDER_SYSTEM|CARRIER> | show <keyId>\n')
  process.exit(2)
}
