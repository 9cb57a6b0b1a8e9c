// A new database copied from the migrated template: each test file gets one (per-file.ts), and a
// test that compares two empty databases can ask for more.
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { inject } from 'vitest'

export async function copyTemplateDatabase(prefix = 'test'): Promise<string> {
  const adminUrl = inject('postgresAdminUrl')
  const name = `${prefix}_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${inject('templateDatabase')}"`)
  } finally {
    await admin.end()
  }
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return url.toString()
}
