// The delivery queues (EmailOutbox, WebhookDelivery; Refund has its own claim with the same shape)
// are PENDING rows due at nextAttemptAt, taken one row at a time by a lane's slot (ADR 0011):
//   claimNextRow   leases one due row (FOR UPDATE SKIP LOCKED): no two workers hold it at once;
//   startAttempt   the attempt begins: attempts + 1 and the lease renewed from this moment, so a
//                  lease covers exactly one attempt and a crash leaves a row waiting at most its lease;
//   releaseLease   a row claimed but not attempted (the lane is stopping) goes back untouched.
// Settling afterwards must match on the lease token, so a worker whose lease ran out and was taken
// over writes nothing.
import { randomUUID } from 'node:crypto'
import { Prisma } from '~/generated/prisma/client'
import type { Db } from '~/infra/db.server'

export type LeasedTable = 'EmailOutbox' | 'WebhookDelivery' | 'Refund'

const table = (name: LeasedTable) => Prisma.raw(`"${name}"`) // a name from the union above, never input

/**
 * Leases the most overdue claimable PENDING row, or returns null when none is due. The attempt
 * counter is not touched: a claim is not an attempt.
 */
export async function claimNextRow<Row extends Record<string, unknown>>(
  db: Db,
  name: Exclude<LeasedTable, 'Refund'>,
  columns: readonly (keyof Row & string)[],
  now: Date,
  leaseMs: number,
): Promise<(Row & { leaseToken: string }) | null> {
  const leaseToken = randomUUID()
  const target = table(name)
  const returning = Prisma.raw(columns.map((column) => `"${column}"`).join(', '))
  const rows = await db.$queryRaw<Row[]>`
    UPDATE ${target} SET "leaseUntil" = ${new Date(now.getTime() + leaseMs)}, "leaseToken" = ${leaseToken}::uuid
    WHERE "id" IN (
      SELECT "id" FROM ${target}
      WHERE "status" = 'PENDING' AND "nextAttemptAt" <= ${now} AND ("leaseUntil" IS NULL OR "leaseUntil" < ${now})
      ORDER BY "nextAttemptAt" ASC
      LIMIT 1
      FOR UPDATE SKIP LOCKED)
    RETURNING ${returning}`
  const row = rows[0]
  return row ? { ...row, leaseToken } : null
}

/**
 * The attempt starts now: counts it and renews the lease from this moment. Returns the attempt's
 * number, or null when the lease is no longer ours (nothing may be sent then).
 */
export async function startAttempt(db: Db, name: LeasedTable, id: string, leaseToken: string, now: Date, leaseMs: number, count = true): Promise<number | null> {
  const rows = await db.$queryRaw<{ attempts: number }[]>`
    UPDATE ${table(name)} SET "attempts" = "attempts" + ${count ? 1 : 0}::int, "leaseUntil" = ${new Date(now.getTime() + leaseMs)}
    WHERE "id" = ${id}::uuid AND "leaseToken" = ${leaseToken}::uuid
    RETURNING "attempts"`
  return rows[0]?.attempts ?? null
}

/** Gives a claimed, unattempted row back at once (a stopping worker): due again for anyone. */
export async function releaseLease(db: Db, name: LeasedTable, id: string, leaseToken: string): Promise<void> {
  await db.$executeRaw`UPDATE ${table(name)} SET "leaseUntil" = NULL, "leaseToken" = NULL WHERE "id" = ${id}::uuid AND "leaseToken" = ${leaseToken}::uuid`
}

/**
 * When the next row of the queue can be claimed: its due time, or the end of the lease it is held
 * under. Null when nothing is pending. The lanes sleep until then (capped).
 */
export async function nextClaimableAt(db: Db, name: LeasedTable, statuses: readonly ('PENDING' | 'SUBMITTED')[] = ['PENDING']): Promise<Date | null> {
  const states = Prisma.raw(statuses.map((s) => `'${s}'`).join(', ')) // constants of the union above: literals, so the status index applies
  const rows = await db.$queryRaw<{ at: Date | null }[]>`
    SELECT min(GREATEST("nextAttemptAt", COALESCE("leaseUntil", "nextAttemptAt"))) AS "at"
    FROM ${table(name)} WHERE "status" IN (${states})`
  return rows[0]?.at ?? null
}

/** Exponential backoff: the first retry after `firstMs`, doubling per attempt, at most `maxMs`. */
export function backoffMs(attempts: number, firstMs: number, maxMs: number): number {
  return Math.min(maxMs, firstMs * 2 ** Math.max(0, attempts - 1))
}

/**
 * Runs `next` in `concurrency` slots until it finds nothing due or `limit` rows were taken: one
 * drain of a queue or of a sweep's due deadlines (tests, the e2e clock hook). Each slot takes one
 * row at a time.
 */
export async function drainSlots<Outcome extends string>(
  concurrency: number,
  limit: number,
  next: () => Promise<Outcome | null>,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = []
  let taken = 0
  let empty = false
  const slot = async () => {
    while (!empty && taken < limit) {
      taken++
      const outcome = await next()
      if (outcome === null) {
        taken--
        empty = true
        return
      }
      outcomes.push(outcome)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, slot))
  return outcomes
}
