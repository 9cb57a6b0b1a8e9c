// Prisma CLI configuration. The CLI runs the WebAssembly schema engine in tools/prisma-wasm-engine
// instead of downloading a native binary (ADR 0002); set PRISMA_SCHEMA_ENGINE_BINARY to use another.
import path from 'node:path'
import { defineConfig } from 'prisma/config'

process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.resolve(import.meta.dirname, 'tools/prisma-wasm-engine/schema-engine')

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations', seed: 'tsx prisma/seed.ts' },
  datasource: { url: process.env.DATABASE_URL, shadowDatabaseUrl: process.env.SHADOW_DATABASE_URL },
})
