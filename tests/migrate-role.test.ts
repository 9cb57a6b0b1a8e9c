// Migrations as the role a production database gives the app: one that owns its database and is
// not a superuser (no CREATEDB either). The real `prisma migrate deploy` must apply every migration
// (nothing needs CREATE EXTENSION or other superuser rights). With the embedded cluster (a
// superuser admin) the test makes such a role; against TEST_DATABASE_ADMIN_URL without CREATEROLE
// it runs as the admin role itself, which must then not be a superuser either.
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readdirSync } from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest'
import { databaseUrl } from './setup/databases'

const root = path.resolve(import.meta.dirname, '..')
const adminUrl = inject('postgresAdminUrl')
const database = `${inject('databasePrefix')}owned`
let role: string | undefined
let ownerUrl: string

async function query<T extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<T>(sql, values)).rows
  } finally {
    await client.end()
  }
}

beforeAll(async () => {
  const [admin] = await query<{ rolsuper: boolean; rolcreaterole: boolean }>(adminUrl, 'SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user')
  if (admin!.rolsuper || admin!.rolcreaterole) {
    role = `ptest_owner_${randomBytes(4).toString('hex')}`
    const password = randomBytes(12).toString('hex')
    await query(adminUrl, `CREATE ROLE "${role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '${password}'`)
    await query(adminUrl, `CREATE DATABASE "${database}" OWNER "${role}"`)
    const url = new URL(databaseUrl(adminUrl, database))
    url.username = role
    url.password = password
    ownerUrl = url.toString()
  } else {
    await query(adminUrl, `CREATE DATABASE "${database}"`)
    ownerUrl = databaseUrl(adminUrl, database)
  }
})

afterAll(async () => {
  await query(adminUrl, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`)
  if (role) await query(adminUrl, `DROP ROLE IF EXISTS "${role}"`)
})

describe('prisma migrate deploy as a database owner that is not a superuser', () => {
  it('applies every migration', async () => {
    const [me] = await query<{ rolsuper: boolean; owner: boolean }>(
      ownerUrl,
      `SELECT rolsuper, (SELECT datdba FROM pg_database WHERE datname = current_database()) = oid AS owner FROM pg_roles WHERE rolname = current_user`,
    )
    expect(me).toEqual({ rolsuper: false, owner: true })
    const result = spawnSync(process.execPath, [path.join(root, 'node_modules/prisma/build/index.js'), 'migrate', 'deploy'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: ownerUrl, PRISMA_HIDE_UPDATE_MESSAGE: '1' },
      encoding: 'utf8',
    })
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0)
    const migrations = readdirSync(path.join(root, 'prisma/migrations')).filter((name) => /^\d{14}_/.test(name))
    const applied = await query<{ migration_name: string }>(ownerUrl, 'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL')
    expect(applied.map((m) => m.migration_name).sort()).toEqual(migrations.sort())
  })
})
