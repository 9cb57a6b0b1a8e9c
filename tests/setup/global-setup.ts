// One real PostgreSQL cluster for the whole run (fsync off, data in a temp dir), with a template
// database that has every migration applied through the real `prisma migrate deploy`. Each test
// file then gets its own database copied from the template (see per-file.ts).
import { execFileSync } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import { createDatabase, freePort, startPostgres } from '../../scripts/embedded-services'

export const TEMPLATE_DATABASE = 'portal_template'

declare module 'vitest' {
  export interface ProvidedContext {
    postgresAdminUrl: string
    templateDatabase: string
  }
}

export default async function setup(project: TestProject) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'portal-test-pg-'))
  chmodSync(dataDir, 0o755) // PostgreSQL runs as the `postgres` user when we are root
  const postgres = await startPostgres({ dataDir: path.join(dataDir, 'data'), port: await freePort(), fast: true })
  await createDatabase(postgres, TEMPLATE_DATABASE)
  execFileSync(process.execPath, ['node_modules/prisma/build/index.js', 'migrate', 'deploy'], {
    env: { ...process.env, DATABASE_URL: postgres.url(TEMPLATE_DATABASE) },
    stdio: 'pipe',
  })
  project.provide('postgresAdminUrl', postgres.url('postgres'))
  project.provide('templateDatabase', TEMPLATE_DATABASE)
  return async () => {
    await postgres.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}
