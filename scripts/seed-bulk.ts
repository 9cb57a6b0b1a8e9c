// npm run seed:bulk — 1,000,000 cases across 1,000 shops, reproducibly (prisma/bulk-data.ts), into
// DATABASE_URL or, when unset, the database of a running `npm start`. Skips a database that has them.
// The data are generated around a fixed instant (BULK_NOW, 2026-11-22 00:00 UTC); deadlines that have
// passed since are decided by the running worker, as they would be. BULK_NOW=<ISO time> or
// BULK_NOW=now moves the instant (the rows are then the same for the same instant).
import { createDb } from '~/infra/db.server'
import { BULK_NOW, BULK_PASSWORD, bulkShopEmail, seedBulkData } from '../prisma/bulk-data'

const asked = process.env.BULK_NOW
const now = !asked ? BULK_NOW : asked === 'now' ? new Date() : new Date(asked)
if (Number.isNaN(now.getTime())) throw new Error(`BULK_NOW is not a time: ${asked}`)

const url = process.env.DATABASE_URL || `postgresql://postgres:postgres@127.0.0.1:${process.env.EMBEDDED_PG_PORT ?? 54329}/portal`
const db = createDb(url, 2)
const started = performance.now()
process.stdout.write(`bulk data around ${now.toISOString()}\n`)
const result = await seedBulkData(db, { now, log: (line) => process.stdout.write(`${line}\n`) })
await db.$disconnect()
process.stdout.write(
  result.seeded
    ? `seeded in ${((performance.now() - started) / 1000).toFixed(0)} s. Log in as ${bulkShopEmail(1)} (the largest shop) with ${BULK_PASSWORD}.\n`
    : 'bulk data is already there; nothing done.\n',
)
