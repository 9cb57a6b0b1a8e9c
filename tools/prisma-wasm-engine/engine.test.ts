// The Prisma CLI, run as a user would, on the WebAssembly engine: no network, a real PostgreSQL.
import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inject } from 'vitest'

const root = path.resolve(import.meta.dirname, '../..')
const adminUrl = inject('postgresAdminUrl')
// Named with the run's prefix: the run drops it at the end, also on an external server.
const database = `${inject('databasePrefix')}engine`
const databaseUrl = (() => {
  const url = new URL(adminUrl)
  url.pathname = `/${database}`
  return url.toString()
})()

function prisma(args: string[], cwd = root) {
  const result = spawnSync(process.execPath, [path.join(root, 'node_modules/prisma/build/index.js'), ...args], {
    cwd,
    env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: '1' },
    encoding: 'utf8',
  })
  return { code: result.status, out: `${result.stdout}\n${result.stderr}` }
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<T>(sql)).rows
  } finally {
    await client.end()
  }
}

const tables = () => query<{ tablename: string }>(databaseUrl, `SELECT tablename FROM pg_tables WHERE schemaname = 'public'`).then((r) => r.map((t) => t.tablename))
const shadowDatabases = () => query<{ datname: string }>(adminUrl, `SELECT datname FROM pg_database WHERE datname LIKE 'prisma_shadow_%'`)

describe('Prisma CLI on the WebAssembly schema engine', () => {
  it('reports the engine it runs', () => {
    const { code, out } = prisma(['--version'])
    expect(code).toBe(0)
    expect(out).toMatch(/Schema Engine\s*: schema-engine-wasm [0-9a-f]{40}/)
  })

  it('migrate deploy creates the database and applies every migration', async () => {
    const { code, out } = prisma(['migrate', 'deploy'])
    expect(code, out).toBe(0)
    const migrations = readdirSync(path.join(root, 'prisma/migrations')).filter((name) => /^\d{14}_/.test(name))
    const applied = await query<{ migration_name: string }>(databaseUrl, 'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL')
    expect(applied.map((m) => m.migration_name).sort()).toEqual(migrations.sort())
    expect(await tables()).toEqual(expect.arrayContaining(['User', 'AfterSalesCase', 'EvidenceItem', 'EmailOutbox']))
    // A migration with a PL/pgSQL body (semicolons inside $$) and BEGIN/COMMIT arrives whole.
    const triggers = await query<{ tgname: string }>(databaseUrl, `SELECT tgname FROM pg_trigger WHERE tgrelid = '"AfterSalesCase"'::regclass AND NOT tgisinternal ORDER BY 1`)
    expect(triggers.map((t) => t.tgname)).toEqual(['AfterSalesCase_count_delete', 'AfterSalesCase_count_insert', 'AfterSalesCase_count_update', 'AfterSalesCase_wakes_deadlines'])
  })

  it('migrate reset --force drops the data and re-applies', async () => {
    await query(databaseUrl, `INSERT INTO "Shop" (id, name) VALUES ('00000000-0000-7000-8000-000000000001', 'gone')`)
    const { code, out } = prisma(['migrate', 'reset', '--force'])
    expect(code, out).toBe(0)
    expect(await query(databaseUrl, 'SELECT * FROM "Shop"')).toEqual([])
    expect(await tables()).toContain('AfterSalesCase')
  })

  it('the drift check passes for the checked-in schema and migrations', () => {
    const { code, out } = prisma(['migrate', 'diff', '--from-migrations', 'prisma/migrations', '--to-schema', 'prisma/schema.prisma', '--exit-code'])
    expect(code, out).toBe(0)
  })

  describe('with a schema that moved ahead of its migrations', () => {
    const work = path.join(root, '.cache', `engine-test-${Date.now().toString(36)}`)
    beforeAll(() => {
      mkdirSync(work, { recursive: true })
      cpSync(path.join(root, 'prisma'), path.join(work, 'prisma'), { recursive: true })
      const config = readFileSync(path.join(root, 'prisma.config.ts'), 'utf8')
      writeFileSync(path.join(work, 'prisma.config.ts'), config.replace("'tools/prisma-wasm-engine/schema-engine'", `'${path.join(root, 'tools/prisma-wasm-engine/schema-engine')}'`))
      writeFileSync(path.join(work, 'prisma/schema.prisma'), `${readFileSync(path.join(work, 'prisma/schema.prisma'), 'utf8')}\nmodel DriftProbe {\n  id Int @id\n}\n`)
    })
    afterAll(() => rmSync(work, { recursive: true, force: true }))

    it('the drift check fails and prints the missing SQL', () => {
      const { code, out } = prisma(['migrate', 'diff', '--from-migrations', 'prisma/migrations', '--to-schema', 'prisma/schema.prisma', '--exit-code', '--script'], work)
      expect(code, out).toBe(2)
      expect(out).toContain('CREATE TABLE "DriftProbe"')
    })

    it('migrate dev writes and applies the new migration, leaving no shadow database behind', async () => {
      const { code, out } = prisma(['migrate', 'dev', '--name', 'drift_probe'], work)
      expect(code, out).toBe(0)
      const created = readdirSync(path.join(work, 'prisma/migrations')).find((name) => name.endsWith('_drift_probe'))
      expect(created).toBeDefined()
      expect(readFileSync(path.join(work, 'prisma/migrations', created!, 'migration.sql'), 'utf8')).toContain('CREATE TABLE "DriftProbe"')
      expect(await tables()).toContain('DriftProbe')
      expect(await shadowDatabases()).toEqual([])
    })
  })

  it('reports an unreachable database with the error Prisma users know', () => {
    const result = spawnSync(process.execPath, [path.join(root, 'node_modules/prisma/build/index.js'), 'migrate', 'deploy'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: 'postgresql://postgres:postgres@127.0.0.1:9/nowhere' },
      encoding: 'utf8',
    })
    expect(result.status).not.toBe(0)
    expect(`${result.stdout}${result.stderr}`).toMatch(/P1001|Can't reach database server|ECONNREFUSED/)
  })
})
