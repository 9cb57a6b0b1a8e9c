// npm run seed:bulk — 1,000,000 cases across 1,000 shops, reproducibly (prisma/bulk-data.ts), into
// DATABASE_URL or, when unset, the database of a running `npm start`. Skips a database that has them.
import { createDb } from '~/infra/db.server'
import { BULK_PASSWORD, bulkShopEmail, seedBulkData } from '../prisma/bulk-data'

const url = process.env.DATABASE_URL || `postgresql://postgres:postgres@127.0.0.1:${process.env.EMBEDDED_PG_PORT ?? 54329}/portal`
const db = createDb(url, 2)
const started = performance.now()
const result = await seedBulkData(db, { log: (line) => process.stdout.write(`${line}\n`) })
await db.$disconnect()
process.stdout.write(
  result.seeded
    ? `seeded in ${((performance.now() - started) / 1000).toFixed(0)} s. Log in as ${bulkShopEmail(1)} (the largest shop) with ${BULK_PASSWORD}.\n`
    : 'bulk data is already there; nothing done.\n',
)
