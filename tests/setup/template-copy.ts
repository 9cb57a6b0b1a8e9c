// A new database copied from the migrated template: each test file gets one (per-file.ts), and a
// test that compares two empty databases can ask for more. Named with the run's prefix, so the run
// drops it at the end (global-setup.ts).
import { randomBytes } from 'node:crypto'
import { inject } from 'vitest'
import { createTestDatabase } from './databases'

export async function copyTemplateDatabase(prefix = 'test'): Promise<string> {
  const name = `${inject('databasePrefix')}${prefix}_${randomBytes(6).toString('hex')}`
  return createTestDatabase(inject('postgresAdminUrl'), name, inject('templateDatabase'))
}
