// What a load balancer and alerting see, over real HTTP from the real server (createApp): with
// S3 and SMTP unreachable (this file's environment points both at a closed port) the instance stays
// ready, since pages need only the database, and the dependency report names both as degraded.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb, disconnectDb } from '~/infra/db.server'
import { checkReadiness } from '~/services/health.server'
import { freePort } from '../scripts/embedded-services'
import { createApp } from '../server/index'

let server: http.Server
let base: string

beforeAll(async () => {
  const app = await createApp(path.resolve(import.meta.dirname, 'fixtures/evidence-build.ts'))
  server = http.createServer(app)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
  await disconnectDb()
})

describe('health over HTTP', () => {
  it('/healthz stays 200 (ready) while S3 and SMTP are unreachable: only the database decides', async () => {
    const answer = await fetch(`${base}/healthz`)
    expect(answer.status).toBe(200)
    expect(answer.headers.get('cache-control')).toBe('no-store')
    expect(await answer.json()).toMatchObject({ status: 'ok', checks: { database: { status: 'ok' } } })
  })

  it('/healthz/dependencies reports S3 and SMTP degraded, the database ok, and the whole as degraded', async () => {
    const answer = await fetch(`${base}/healthz/dependencies`)
    expect(answer.status).toBe(200)
    expect(await answer.json()).toMatchObject({
      status: 'degraded',
      checks: { database: { status: 'ok' }, s3: { status: 'degraded', error: 'unreachable' }, smtp: { status: 'degraded', error: 'unreachable' } },
    })
  })

  it('is not ready (down) when the database does not answer', async () => {
    const dead = createDb(`postgresql://portal@127.0.0.1:${await freePort()}/portal`, 1)
    try {
      expect(await checkReadiness({ db: dead, timeoutMs: 1000 })).toMatchObject({ status: 'down', checks: { database: { status: 'down', error: 'unreachable' } } })
    } finally {
      await dead.$disconnect()
    }
  })
})
