// The Prisma client over node-postgres (driver adapter, no native query engine). The pool under it
// is ours: the hottest read paths (the workbench list and its counts) are plain SQL and go to the
// pool directly, skipping the ORM's per-query overhead (ADR 0009); everything else uses Prisma.
import { PrismaPg } from '@prisma/adapter-pg'
import { createHash } from 'node:crypto'
import pg from 'pg'
import { PrismaClient, type Prisma } from '~/generated/prisma/client'
import { env } from './env.server'

export type Db = PrismaClient & { readonly pool: pg.Pool }
export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0]

export function createDb(databaseUrl: string, poolSize = 10): Db {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize })
  const client = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) })
  return Object.assign(client, { pool })
}

/** Runs a Prisma.sql statement on the pool itself: rows as node-postgres returns them. */
export async function queryRows<Row extends pg.QueryResultRow>(db: Db, statement: Prisma.Sql): Promise<Row[]> {
  return (await db.pool.query<Row>(statement.text, statement.values)).rows
}

const statementNames = new Map<string, string>()

/**
 * Like queryRows, as a named prepared statement: each pooled connection parses and plans it once
 * and then only executes it, which for the page reads costs less than planning them (ADR 0012).
 * For statements of a fixed shape (values as parameters): the name is the hash of the text.
 */
export async function queryPrepared<Row extends pg.QueryResultRow>(db: Db, statement: Prisma.Sql): Promise<Row[]> {
  let name = statementNames.get(statement.text)
  if (!name) {
    name = `q${createHash('sha256').update(statement.text).digest('hex').slice(0, 32)}`
    statementNames.set(statement.text, name)
  }
  return (await db.pool.query<Row>({ name, text: statement.text, values: statement.values })).rows
}

// One client per process: the server and the Remix build share it through globalThis.
const globalStore = globalThis as unknown as { __db?: Db }

export function db(): Db {
  globalStore.__db ??= createDb(env().DATABASE_URL, env().DATABASE_POOL_SIZE)
  return globalStore.__db
}

export async function disconnectDb() {
  await globalStore.__db?.$disconnect()
  globalStore.__db = undefined
}
