// A stand-in for Prisma's native `schema-engine` executable, backed by the WebAssembly build of the
// same engine (@prisma/schema-engine-wasm). The Prisma CLI runs it through PRISMA_SCHEMA_ENGINE_BINARY
// (set in prisma.config.ts) so that no native binary is ever downloaded. It speaks the protocol the
// CLI expects from the native engine: one-shot `cli <command>` and JSON-RPC 2.0 over stdio.
// ADR 0002 explains the choice; tests/prisma-engine.test.ts proves it.
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils'
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import readline from 'node:readline'
import pg from 'pg'
import { createDatabase, dropDatabase, migrationAdapterFactory, targetFromUrl } from './pg-connection.ts'

type Datasource = { url?: string; shadowDatabaseUrl?: string }
type RpcRequest = { jsonrpc: '2.0'; id: number; method?: string; params?: unknown; result?: unknown; error?: unknown }

const ERROR_CODE_RPC = 4466 // the native engine's JSON-RPC error code for engine errors

function logLine(level: 'INFO' | 'ERROR', message: string, errorCode?: string) {
  const fields: Record<string, string> = { message }
  if (errorCode) fields.error_code = errorCode
  process.stderr.write(`${JSON.stringify({ timestamp: new Date().toISOString(), level, target: 'schema_engine::logger', fields })}\n`)
}

function parseArgs(argv: string[]) {
  const datamodels: string[] = []
  let datasource: Datasource = {}
  let command: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--datamodels') datamodels.push(argv[++i]!)
    else if (arg === '--datasource') datasource = JSON.parse(argv[++i]!) as Datasource
    else if (arg === '--enabled-preview-features' || arg === '--extension-types') i++
    else if (arg === 'cli') command = argv[++i]
    else if (arg === '--version' || arg === '-V') command = '--version'
  }
  return { datamodels, datasource, command }
}

async function loadWasmEngine() {
  const require = createRequire(import.meta.url)
  const gluePath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')
  const glue = await import(gluePath)
  const packageDir = dirname(gluePath)
  const bytes = readFileSync(join(packageDir, 'schema_engine_bg.wasm'))
  const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': glue })
  glue.__wbg_set_wasm(instance.exports)
  ;(instance.exports.__wbindgen_start as () => void)()
  return glue as typeof import('@prisma/schema-engine-wasm')
}

/** Maps node-postgres failures to the Prisma error codes the CLI reacts to. */
function prismaErrorCode(error: unknown): string {
  const code = (error as { code?: string }).code
  if (code === '3D000') return 'P1003' // database does not exist
  if (code === '28P01' || code === '28000') return 'P1000' // authentication failed
  if (code === '42P04') return 'P1009' // database already exists
  return 'P1001' // cannot reach the server
}

async function runOneShot(command: string, datasource: Datasource): Promise<number> {
  logLine('INFO', `schema-engine-wasm ${command}`) // the CLI skips the first stderr line
  if (!datasource.url) {
    logLine('ERROR', 'No datasource url given', 'P1012')
    return 1
  }
  const target = targetFromUrl(datasource.url)
  try {
    if (command === 'can-connect-to-database') {
      const client = new pg.Client({ ...target, schema: undefined } as pg.ClientConfig)
      await client.connect()
      await client.end()
    } else if (command === 'create-database') {
      await createDatabase(target)
      process.stdout.write(`${JSON.stringify({ database_name: target.database })}\n`)
    } else if (command === 'drop-database') {
      await dropDatabase(target)
    } else {
      logLine('ERROR', `Unknown command: ${command}`)
      return 1
    }
    return 0
  } catch (error) {
    logLine('ERROR', (error as Error).message || String(error), prismaErrorCode(error))
    return 1
  }
}

async function runServer(datamodelPaths: string[], datasource: Datasource) {
  if (!datasource.url) throw new Error('The schema engine needs a datasource url (DATABASE_URL).')
  let panicMessage: string | undefined
  ;(globalThis as Record<string, unknown>).PRISMA_WASM_PANIC_REGISTRY = {
    set_message(message: string) {
      panicMessage = message
      logLine('ERROR', `engine panic: ${message}`)
    },
  }
  const wasm = await loadWasmEngine()
  const factory = migrationAdapterFactory(
    targetFromUrl(datasource.url),
    datasource.shadowDatabaseUrl ? targetFromUrl(datasource.shadowDatabaseUrl) : undefined,
  )
  const datamodels = datamodelPaths.map((path) => [path, readFileSync(path, 'utf8')] as [string, string])
  const engine = await wasm.SchemaEngine.new(
    { datamodels: datamodels.length ? datamodels : undefined },
    (log: string) => process.stderr.write(`${log}\n`),
    bindMigrationAwareSqlAdapterFactory(factory),
  )

  const send = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`)
  let printRequestId = 1_000_000_000 // ids for our own requests to the CLI; far from the CLI's ids

  async function call(method: string, params: unknown): Promise<unknown> {
    if (method === 'getDatabaseVersion') return engine.version(params as never)
    if (method === 'diff') {
      // The native engine asks the CLI to print the diff before replying; the CLI relies on it.
      const { exitCode, stdout } = await engine.diff(params as never)
      if (stdout) send({ jsonrpc: '2.0', id: printRequestId++, method: 'print', params: { content: stdout } })
      return { exitCode }
    }
    const handler = (engine as unknown as Record<string, unknown>)[method]
    if (typeof handler !== 'function') throw Object.assign(new Error(`Unknown method ${method}`), { rpcCode: -32601 })
    return (handler as (p: unknown) => Promise<unknown>).call(engine, params ?? {})
  }

  function rpcError(error: unknown) {
    const rpcCode = (error as { rpcCode?: number }).rpcCode
    if (rpcCode) return { code: rpcCode, message: (error as Error).message }
    const isPanic = panicMessage !== undefined
    const raw = isPanic ? panicMessage! : error instanceof Error ? error.message : String(error)
    panicMessage = undefined
    let data: Record<string, unknown> = { is_panic: isPanic, message: raw }
    // Engine errors arrive as the user-facing JSON the native engine would send.
    try {
      const parsed = JSON.parse(raw) as Record<string, unknown>
      if (parsed && typeof parsed === 'object' && 'message' in parsed) data = { is_panic: isPanic, ...parsed }
    } catch {
      // plain text message
    }
    return { code: ERROR_CODE_RPC, message: 'An error happened. Check the data field for details.', data }
  }

  // Requests are handled one at a time, in order, as the native engine does.
  let queue = Promise.resolve()
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity })
  lines.on('line', (line) => {
    if (!line.trim()) return
    const message = JSON.parse(line) as RpcRequest
    if (!message.method) return // the CLI's answer to one of our print requests
    queue = queue.then(async () => {
      try {
        send({ jsonrpc: '2.0', id: message.id, result: (await call(message.method!, message.params)) ?? null })
      } catch (error) {
        send({ jsonrpc: '2.0', id: message.id, error: rpcError(error) })
      }
    })
  })
  await new Promise<void>((resolve) => lines.on('close', resolve))
  await queue
  engine.free()
  await factory.dropTemporaryDatabases()
}

async function main() {
  const { datamodels, datasource, command } = parseArgs(process.argv.slice(2))
  if (command === '--version') {
    const wasm = await loadWasmEngine()
    process.stdout.write(`schema-engine-wasm ${wasm.version()}\n`)
    return 0
  }
  if (command) return runOneShot(command, datasource)
  await runServer(datamodels, datasource)
  return 0
}

main().then(
  (code) => process.exit(code),
  (error) => {
    logLine('ERROR', error instanceof Error ? (error.stack ?? error.message) : String(error))
    process.exit(1)
  },
)
