// Structured JSON logs, one line per event, carrying the request id of the request being served.
import { AsyncLocalStorage } from 'node:async_hooks'

type Level = 'debug' | 'info' | 'warn' | 'error'
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export type RequestContext = { requestId: string }

// One store per process even though the server and the Remix build each load this module.
const globalStore = globalThis as unknown as { __requestContext?: AsyncLocalStorage<RequestContext> }
export const requestContext = (globalStore.__requestContext ??= new AsyncLocalStorage<RequestContext>())

function minimumLevel(): Level {
  const level = process.env.LOG_LEVEL as Level | undefined
  return level && level in ORDER ? level : 'info'
}

function write(level: Level, msg: string, fields?: Record<string, unknown>) {
  if (ORDER[level] < ORDER[minimumLevel()]) return
  const entry: Record<string, unknown> = { time: new Date().toISOString(), level, msg }
  const requestId = requestContext.getStore()?.requestId
  if (requestId) entry.requestId = requestId
  for (const [key, value] of Object.entries(fields ?? {})) {
    entry[key] = value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value
  }
  process.stdout.write(`${JSON.stringify(entry)}\n`)
}

export const logger = {
  debug: (msg: string, fields?: Record<string, unknown>) => write('debug', msg, fields),
  info: (msg: string, fields?: Record<string, unknown>) => write('info', msg, fields),
  warn: (msg: string, fields?: Record<string, unknown>) => write('warn', msg, fields),
  error: (msg: string, fields?: Record<string, unknown>) => write('error', msg, fields),
}
