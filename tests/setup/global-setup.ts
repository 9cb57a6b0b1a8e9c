// One PostgreSQL for the whole run, with a template database that has every migration applied
// through the real `prisma migrate deploy`. Each test file then gets its own database copied from
// the template (see per-file.ts). By default the PostgreSQL is a temporary embedded cluster (fsync
// off); TEST_DATABASE_ADMIN_URL points the run at an external server instead (a role with CREATEDB,
// no superuser needed). Either way every database the run created is dropped at the end, the
// template too (tests/setup/databases.ts).
import { execFileSync } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import { freePort, startPostgres } from '../../scripts/embedded-services'
import { createTestDatabase, dropDatabasesWithPrefix, dropStaleTestDatabases, newRunPrefix } from './databases'
import { sweepStaleTestBuckets } from './s3'

declare module 'vitest' {
  export interface ProvidedContext {
    postgresAdminUrl: string
    templateDatabase: string
    /** Every database of this run starts with it; name any database a test creates with it. */
    databasePrefix: string
  }
}

export default async function setup(project: TestProject) {
  const stops: (() => Promise<void>)[] = []
  let adminUrl = process.env.TEST_DATABASE_ADMIN_URL
  if (adminUrl) {
    const stale = await dropStaleTestDatabases(adminUrl)
    if (stale.length) process.stdout.write(`[test setup] dropped ${stale.length} databases of earlier runs that never ended\n`)
  } else {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'portal-test-pg-'))
    chmodSync(dataDir, 0o755) // PostgreSQL runs as the `postgres` user when we are root
    const postgres = await startPostgres({ dataDir: path.join(dataDir, 'data'), port: await freePort(), fast: true })
    adminUrl = postgres.url('postgres')
    stops.push(async () => {
      await postgres.stop()
      rmSync(dataDir, { recursive: true, force: true })
    })
  }
  await sweepStaleTestBuckets()

  const prefix = newRunPrefix()
  const template = `${prefix}template`
  const dropOurs = async () => {
    await dropDatabasesWithPrefix(adminUrl, prefix)
  }
  try {
    const templateUrl = await createTestDatabase(adminUrl, template)
    execFileSync(process.execPath, ['node_modules/prisma/build/index.js', 'migrate', 'deploy'], {
      env: { ...process.env, DATABASE_URL: templateUrl },
      stdio: 'pipe',
    })
  } catch (error) {
    await dropOurs().catch(() => {})
    for (const stop of stops) await stop()
    throw error
  }
  project.provide('postgresAdminUrl', adminUrl)
  project.provide('templateDatabase', template)
  project.provide('databasePrefix', prefix)
  return async () => {
    await dropOurs()
    for (const stop of stops) await stop()
  }
}
