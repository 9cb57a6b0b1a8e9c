// PostgreSQL plumbing for the WebAssembly schema engine: a driver-adapter factory that avoids
// three defects of @prisma/adapter-pg 7.10 when it is used for migrations (see ADR 0002).
import { PrismaPg } from '@prisma/adapter-pg'
import { ColumnTypeEnum } from '@prisma/driver-adapter-utils'
import type {
  SqlDriverAdapter,
  SqlMigrationAwareDriverAdapterFactory,
  SqlQuery,
  SqlQueryable,
  SqlResultSet,
} from '@prisma/driver-adapter-utils'
import pg from 'pg'
import { parse as parseConnectionString } from 'pg-connection-string'
import { randomUUID } from 'node:crypto'

const PG_INTERNAL_CHAR_OID = 18 // the one-byte "char" of pg_catalog
const PG_TEXT_OID = 25

export type PgTarget = pg.PoolConfig & { database: string; schema?: string }

/** Splits a URL into discrete fields: PrismaPg's shadow connection overrides `database`, which a
 *  connectionString would silently win over. */
export function targetFromUrl(url: string): PgTarget {
  const parsed = parseConnectionString(url)
  const schema = new URL(url.replace(/^postgres(ql)?:/, 'http:')).searchParams.get('schema') ?? undefined
  return {
    host: parsed.host ?? 'localhost',
    port: parsed.port ? Number(parsed.port) : 5432,
    user: parsed.user ?? undefined,
    password: parsed.password ?? undefined,
    database: parsed.database ?? 'postgres',
    ssl: parsed.ssl ? (parsed.ssl as pg.PoolConfig['ssl']) : undefined,
    schema,
  }
}

// adapter-pg 7.10 cannot map PostgreSQL's internal one-byte "char" (catalog columns such as
// pg_constraint.contype) and throws; the engine expects such columns typed as Character. The pg
// client reports them as text and remembers their positions on the rows array, which adapter-pg
// passes through; the adapter wrapper below then types those columns as Character.
const CHAR_COLUMNS = Symbol('charColumns')
type RowsWithCharColumns = unknown[] & { [CHAR_COLUMNS]?: number[] }

function reportCharAsText(result: pg.QueryResult | undefined) {
  const charColumns: number[] = []
  result?.fields?.forEach((field, index) => {
    if (field.dataTypeID !== PG_INTERNAL_CHAR_OID) return
    field.dataTypeID = PG_TEXT_OID
    charColumns.push(index)
  })
  if (result && charColumns.length) (result.rows as RowsWithCharColumns)[CHAR_COLUMNS] = charColumns
  return result
}

/** Pools call `query` with a callback, adapters with a promise: both are covered. */
class CatalogSafeClient extends pg.Client {
  // @ts-expect-error pg's overloads cannot be re-declared precisely; we only post-process results.
  override query(...args: unknown[]) {
    const last = args.length - 1
    const callback = args[last]
    if (typeof callback === 'function') {
      args[last] = (error: Error | null, result?: pg.QueryResult) => callback(error, reportCharAsText(result))
    }
    const returned = (super.query as (...a: unknown[]) => unknown)(...args)
    return returned instanceof Promise ? returned.then(reportCharAsText) : returned
  }
}

function typeCharColumns(resultSet: SqlResultSet): SqlResultSet {
  const charColumns = (resultSet.rows as RowsWithCharColumns)[CHAR_COLUMNS]
  for (const index of charColumns ?? []) resultSet.columnTypes[index] = ColumnTypeEnum.Character
  return resultSet
}

/** Wraps an adapter or a transaction so that every result set gets its Character columns. */
function withCharColumns<T extends SqlQueryable>(queryable: T): T {
  return new Proxy(queryable, {
    get(target, property) {
      const value = Reflect.get(target, property, target)
      if (typeof value !== 'function') return value
      if (property === 'queryRaw') {
        return async (query: SqlQuery) => typeCharColumns(await value.call(target, query))
      }
      if (property === 'startTransaction') {
        return async (...args: unknown[]) => withCharColumns(await value.apply(target, args))
      }
      return value.bind(target)
    },
  })
}

function pool(target: PgTarget): pg.Pool {
  const { schema: _schema, ...config } = target
  return new pg.Pool({ ...config, Client: CatalogSafeClient as unknown as typeof pg.Client, max: 4 })
}

async function withMaintenanceClient<T>(target: PgTarget, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const { schema: _schema, ...config } = target
  const client = new pg.Client({ ...config, database: 'postgres' })
  await client.connect()
  try {
    return await run(client)
  } finally {
    await client.end()
  }
}

export const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`

export async function createDatabase(target: PgTarget): Promise<void> {
  await withMaintenanceClient(target, (c) => c.query(`CREATE DATABASE ${quoteIdent(target.database)}`))
}

export async function dropDatabase(target: PgTarget): Promise<void> {
  await withMaintenanceClient(target, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(target.database)} WITH (FORCE)`))
}

/**
 * The factory the wasm engine migrates through. The shadow database is either the configured
 * `shadowDatabaseUrl` (emptied first, as the native engine does) or a throw-away database on the
 * main server, dropped WITH (FORCE) only after its pool has closed.
 */
export function migrationAdapterFactory(
  main: PgTarget,
  shadow?: PgTarget,
): SqlMigrationAwareDriverAdapterFactory & { dropTemporaryDatabases(): Promise<void> } {
  const schema = main.schema
  // The engine does not always dispose the shadow adapter before the process ends.
  const temporaryDatabases = new Map<string, PgTarget>()
  const dropTemporary = async (target: PgTarget) => {
    if (!temporaryDatabases.delete(target.database)) return
    await dropDatabase(target)
  }
  const adapterFor = async (target: PgTarget, afterDispose?: () => Promise<void>): Promise<SqlDriverAdapter> => {
    const connections = pool(target)
    const adapter = await new PrismaPg(connections, { schema: target.schema, disposeExternalPool: true }).connect()
    // The adapter splits a migration script on every ";", which cuts apart a function body or a
    // comment holding one. Like the native engine, send the script whole: without parameters,
    // PostgreSQL's simple query protocol runs several statements in order and stops at the first error.
    const onError = (adapter as unknown as { onError(error: unknown): never }).onError.bind(adapter)
    adapter.executeScript = async (script: string) => {
      try {
        await connections.query(script)
      } catch (error) {
        onError(error)
      }
    }
    if (afterDispose) {
      const dispose = adapter.dispose.bind(adapter)
      adapter.dispose = async () => {
        await dispose()
        await afterDispose()
      }
    }
    return withCharColumns(adapter)
  }

  return {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    connect: () => adapterFor(main),
    async connectToShadowDb() {
      if (shadow) {
        const adapter = await adapterFor(shadow)
        const shadowSchema = quoteIdent(shadow.schema ?? 'public')
        await adapter.executeScript(`DROP SCHEMA IF EXISTS ${shadowSchema} CASCADE; CREATE SCHEMA ${shadowSchema};`)
        return adapter
      }
      const temporary: PgTarget = { ...main, schema, database: `prisma_shadow_${randomUUID().replaceAll('-', '')}` }
      await createDatabase(temporary)
      temporaryDatabases.set(temporary.database, temporary)
      return adapterFor(temporary, () => dropTemporary(temporary))
    },
    async dropTemporaryDatabases() {
      await Promise.all([...temporaryDatabases.values()].map(dropTemporary))
    },
  }
}
