import { describe, expect, it } from 'vitest'
import { serverLogProblems } from '../e2e/server-log'

describe("the e2e server log's check", () => {
  const info = JSON.stringify({ time: '2026-12-04T00:00:00.000Z', level: 'info', msg: 'request', status: 200 })
  const warn = JSON.stringify({ time: '2026-12-04T00:00:00.000Z', level: 'warn', msg: 'login throttled' })
  it('passes a log of info and warn lines, blank lines included', () => {
    expect(serverLogProblems(`${info}\n${warn}\n\n${info}\n`)).toEqual([])
  })
  it('reports every error line', () => {
    const error = JSON.stringify({ level: 'error', msg: 'unhandled error', path: '/cases/AS1' })
    expect(serverLogProblems(`${info}\n${error}\n${info}\n${error}`)).toEqual([error, error])
  })
  it('reports what is not a log line: a stack trace, a runtime warning, JSON without a level', () => {
    const log = `${info}\nTypeError: Cannot read properties of undefined\n    at loader (build/index.js:1:2)\n(node:7756) Warning: something\n{"msg":"no level"}`
    expect(serverLogProblems(log)).toHaveLength(4)
  })
})
