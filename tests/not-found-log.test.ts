// A path no route matches (/robots.txt, /favicon.ico) is the client's mistake: Remix hands it to
// entry.server's handleError, which must not log it as an error (the access log has its 404). A
// loader that throws is still logged at level error. Remix's real request handler, the real
// handleError, a build of two routes.
import { createRequestHandler, type ServerBuild } from '@remix-run/node'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { handleError } from '~/entry.server'
import * as fixture from './fixtures/evidence-build'

type ServerRouteModule = ServerBuild['routes'][string]['module']

const build: ServerBuild = {
  ...fixture,
  entry: { module: { default: (_request: Request, status: number) => new Response(null, { status }), handleError } as unknown as ServerBuild['entry']['module'] },
  routes: {
    root: fixture.routes.root!,
    'routes/boom': {
      id: 'routes/boom',
      parentId: 'root',
      path: 'boom',
      module: {
        loader: () => {
          throw new Error('boom')
        },
      } as unknown as ServerRouteModule,
    },
  },
}
const handle = createRequestHandler(build, 'production')

/** The JSON log lines written while `run` ran. */
async function logged(run: () => Promise<unknown>): Promise<{ level: string; msg: string; path?: string }[]> {
  const lines: string[] = []
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk))
    return true
  })
  try {
    await run()
  } finally {
    spy.mockRestore()
  }
  return lines.flatMap((line) => line.split('\n')).filter((line) => line.startsWith('{')).map((line) => JSON.parse(line))
}

afterEach(() => vi.restoreAllMocks())

describe('unknown paths in the log', () => {
  it.each(['/robots.txt', '/favicon.ico', '/no/such/page'])('%s is a 404 and no error line', async (path) => {
    let status = 0
    const lines = await logged(async () => {
      status = (await handle(new Request(`http://portal.test${path}`))).status
    })
    expect(status).toBe(404)
    expect(lines.filter((line) => line.level === 'error')).toEqual([])
  })

  it('a loader that throws is still an error line', async () => {
    let status = 0
    const lines = await logged(async () => {
      status = (await handle(new Request('http://portal.test/boom'))).status
    })
    expect(status).toBe(500)
    expect(lines.filter((line) => line.level === 'error')).toMatchObject([{ msg: 'unhandled error', path: '/boom' }])
  })
})
