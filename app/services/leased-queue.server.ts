// The two delivery queues (EmailOutbox, WebhookDelivery) share one shape: PENDING rows due at
// nextAttemptAt, leased to one worker at a time (FOR UPDATE SKIP LOCKED), retried with exponential
// backoff. A crashed worker's rows come back once their lease runs out.
import { randomUUID } from 'node:crypto'
import { Prisma } from '~/generated/prisma/client'
import type { Db } from '~/infra/db.server'

type LeasedTable = 'EmailOutbox' | 'WebhookDelivery'

/**
 * Leases up to `limit` due rows to this worker, counting the attempt, and returns the asked-for
 * columns. Updates of the rows afterwards should match on the lease token, so a worker whose
 * lease has expired and been taken over writes nothing.
 */
export async function leaseDueRows<Row extends Record<string, unknown>>(
  db: Db,
  table: LeasedTable,
  columns: readonly (keyof Row & string)[],
  now: Date,
  leaseMs: number,
  limit: number,
): Promise<{ leaseToken: string; rows: Row[] }> {
  const leaseToken = randomUUID()
  const leaseUntil = new Date(now.getTime() + leaseMs)
  const target = Prisma.raw(`"${table}"`) // a name from the union above, never input
  const returning = Prisma.raw(columns.map((column) => `"${column}"`).join(', '))
  const rows = await db.$queryRaw<Row[]>`
    UPDATE ${target} SET "leaseUntil" = ${leaseUntil}, "leaseToken" = ${leaseToken}::uuid, "attempts" = "attempts" + 1
    WHERE "id" IN (
      SELECT "id" FROM ${target}
      WHERE "status" = 'PENDING' AND "nextAttemptAt" <= ${now}
        AND ("leaseUntil" IS NULL OR "leaseUntil" < ${now})
      ORDER BY "nextAttemptAt" ASC
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED)
    RETURNING ${returning}`
  return { leaseToken, rows }
}

/** Exponential backoff: the first retry after `firstMs`, doubling per attempt, at most `maxMs`. */
export function backoffMs(attempts: number, firstMs: number, maxMs: number): number {
  return Math.min(maxMs, firstMs * 2 ** Math.max(0, attempts - 1))
}
