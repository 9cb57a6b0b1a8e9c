import { afterAll, describe, expect, it } from 'vitest'
import { createDb, type Db } from '~/infra/db.server'
import { verify } from '@node-rs/argon2'
import { BULK_PASSWORD, bulkShopEmail, seedBulkData } from '../prisma/bulk-data'
import { copyTemplateDatabase } from './setup/template-copy'

const opened: Db[] = []
afterAll(async () => {
  for (const db of opened) await db.$disconnect()
})

async function freshDb(): Promise<Db> {
  const db = createDb(await copyTemplateDatabase('bulk'), 2)
  opened.push(db)
  return db
}

/** Every generated row, hashed: two seeds agree only if they wrote the very same data. */
async function digest(db: Db) {
  const [row] = await db.$queryRawUnsafe<{ cases: string; orders: string; disputes: string; rulings: string; n: number }[]>(`
    SELECT (SELECT md5(string_agg(c::text, ',' ORDER BY c."caseNo")) FROM "AfterSalesCase" c) AS cases,
           (SELECT md5(string_agg(o::text, ',' ORDER BY o."orderNo")) FROM "Order" o) AS orders,
           (SELECT md5(string_agg(d::text, ',' ORDER BY d.id)) FROM "Dispute" d) AS disputes,
           (SELECT md5(string_agg(r::text, ',' ORDER BY r.id)) FROM "Ruling" r) AS rulings,
           (SELECT count(*)::int FROM "AfterSalesCase") AS n`)
  return row
}

describe('seed:bulk', () => {
  it('writes the same rows on every empty database, skewed across shops, and does not seed twice', async () => {
    const options = { shops: 10, buyers: 50, cases: 3_000 }
    const first = await freshDb()
    const second = await freshDb()
    expect(await seedBulkData(first, options)).toEqual({ seeded: true })
    expect(await seedBulkData(second, options)).toEqual({ seeded: true })
    const a = await digest(first)
    expect(a?.n).toBe(3_000)
    expect(await digest(second)).toEqual(a)

    // A second run on a seeded database changes nothing.
    expect(await seedBulkData(first, options)).toEqual({ seeded: false })
    expect((await digest(first))?.n).toBe(3_000)

    // Skewed: the largest shop holds several times the average, and shop 1 is the largest.
    const sizes = await first.$queryRawUnsafe<{ email: string; n: number }[]>(`
      SELECT u.email, count(*)::int AS n FROM "AfterSalesCase" c
      JOIN "ShopMember" m ON m."shopId" = c."shopId" AND m.role = 'MAIN' JOIN "User" u ON u.id = m."userId"
      GROUP BY u.email ORDER BY n DESC`)
    expect(sizes[0]!.email).toBe(bulkShopEmail(1))
    expect(sizes[0]!.n).toBeGreaterThan(3 * (3_000 / 10))

    // Every case is its order's, in its order's shop, and the shop's main account can log in.
    const [mismatch] = await first.$queryRawUnsafe<{ n: number }[]>(`
      SELECT count(*)::int AS n FROM "AfterSalesCase" c JOIN "Order" o ON o.id = c."orderId"
      WHERE o."shopId" <> c."shopId" OR o."orderNo" <> c."orderNo"`)
    expect(mismatch!.n).toBe(0)
    // Disputes are consistent with their cases: open ones on disputed cases, rulings never in the
    // future and never before the dispute opened, timeouts exactly 24 hours after it.
    const [disputes] = await first.$queryRawUnsafe<{ open: number; ruled: number; bad: number; timeouts: number }[]>(`
      SELECT count(*) FILTER (WHERE d.status = 'OPEN')::int AS open, count(*) FILTER (WHERE d.status = 'RULED')::int AS ruled,
        count(*) FILTER (WHERE (d.status = 'OPEN') <> (c.state = 'IN_DISPUTE') OR r."createdAt" < d."openedAt" OR r."createdAt" > '2026-11-22T00:00:00Z'
          OR (r."ruleId" IS NOT NULL AND r."createdAt" - d."openedAt" <> interval '24 hours' AND r."createdAt" < '2026-11-22T00:00:00Z'))::int AS bad,
        count(*) FILTER (WHERE r."actorKind" = 'SYSTEM')::int AS timeouts
      FROM "Dispute" d JOIN "AfterSalesCase" c ON c.id = d."caseId" LEFT JOIN "Ruling" r ON r."disputeId" = d.id`)
    expect(disputes!.open).toBeGreaterThan(0)
    expect(disputes!.open).toBeLessThan(0.03 * 3_000) // about 1.5% of cases are in dispute
    expect(disputes!.ruled).toBeGreaterThan(0)
    expect(disputes!.timeouts).toBeGreaterThan(0)
    expect(disputes!.bad).toBe(0)
    const user = await first.user.findUniqueOrThrow({ where: { email: bulkShopEmail(1) } })
    expect(await verify(user.passwordHash, BULK_PASSWORD)).toBe(true)
  }, 60_000)
})
