// The Prisma client over node-postgres (driver adapter, no native query engine).
import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaClient } from '~/generated/prisma/client'
import { env } from './env.server'

export type Db = PrismaClient
export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0]

export function createDb(databaseUrl: string, poolSize = 10): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: poolSize }) })
}

// One client per process: the server and the Remix build share it through globalThis.
const globalStore = globalThis as unknown as { __db?: PrismaClient }

export function db(): PrismaClient {
  globalStore.__db ??= createDb(env().DATABASE_URL, env().DATABASE_POOL_SIZE)
  return globalStore.__db
}

export async function disconnectDb() {
  await globalStore.__db?.$disconnect()
  globalStore.__db = undefined
}
