// Test databases on any PostgreSQL: the embedded cluster by default, or an external server given
// by TEST_DATABASE_ADMIN_URL (a role with CREATEDB; a superuser is not needed). Every database a
// run creates is named `ptest_<start time>_<random>_…`, and the run drops them all by that prefix
// when it ends; a later run against the same server drops those of runs that died more than
// STALE_AFTER_MS ago. Used by vitest's global setup, per-file copies and Playwright's global setup.
import { randomBytes } from 'node:crypto'
import pg from 'pg'

/** Every test database of every run starts with this. */
export const TEST_DATABASE_FAMILY = 'ptest_'
/** A run that started this long ago is over (CI stops a run after 90 minutes). */
export const STALE_AFTER_MS = 6 * 3600_000

/** The prefix of this run's databases: `ptest_<base-36 start time>_<4 hex>_`. */
export function newRunPrefix(now = Date.now()): string {
  return `${TEST_DATABASE_FAMILY}${now.toString(36)}_${randomBytes(2).toString('hex')}_`
}

/** The admin URL with another database in its path; user, password, host and query (sslmode…) kept. */
export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl)
  url.pathname = `/${database}`
  return url.toString()
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`

async function withAdmin<T>(adminUrl: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
  try {
    return await run(client)
  } finally {
    await client.end()
  }
}

export async function createTestDatabase(adminUrl: string, name: string, template?: string): Promise<string> {
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE ${quote(name)}${template ? ` TEMPLATE ${quote(template)}` : ''}`))
  return databaseUrl(adminUrl, name)
}

/** Drops every database whose name starts with `prefix` (connections still open are ended: WITH (FORCE), PostgreSQL 13+). */
export async function dropDatabasesWithPrefix(adminUrl: string, prefix: string): Promise<string[]> {
  if (!prefix.startsWith(TEST_DATABASE_FAMILY) || prefix.length <= TEST_DATABASE_FAMILY.length) throw new Error(`refusing to drop databases by the prefix ${prefix}`)
  return withAdmin(adminUrl, async (client) => {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY datname', [prefix])
    const dropped: string[] = []
    for (const { datname } of rows) {
      try {
        await client.query(`DROP DATABASE IF EXISTS ${quote(datname)} WITH (FORCE)`)
        dropped.push(datname)
      } catch (error) {
        // Another role's database (another user's run on a shared server): not ours to drop.
        process.stderr.write(`[test databases] could not drop ${datname}: ${(error as Error).message}\n`)
      }
    }
    return dropped
  })
}

/** Databases of runs that started more than STALE_AFTER_MS ago and never dropped theirs (killed runs). */
export async function dropStaleTestDatabases(adminUrl: string, now = Date.now()): Promise<string[]> {
  const runPrefixes = await withAdmin(adminUrl, async (client) => {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [TEST_DATABASE_FAMILY])
    const prefixes = new Set<string>()
    for (const { datname } of rows) {
      const match = /^ptest_([0-9a-z]+)_[0-9a-f]{4}_/.exec(datname)
      if (match && now - parseInt(match[1]!, 36) > STALE_AFTER_MS) prefixes.add(match[0])
    }
    return [...prefixes]
  })
  const dropped: string[] = []
  for (const prefix of runPrefixes) dropped.push(...(await dropDatabasesWithPrefix(adminUrl, prefix)))
  return dropped
}
