// The HTTP server: Express in front of the Remix build. Adds request ids, JSON access logs, an
// Origin check on every mutating request, static assets, and a graceful SIGTERM.
import { createRequestHandler } from '@remix-run/express'
import type { ServerBuild } from '@remix-run/node'
import express from 'express'
import { randomUUID } from 'node:crypto'
import http from 'node:http'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { disconnectDb } from '~/infra/db.server'
import { env } from '~/infra/env.server'
import { urlHasControlChars } from '~/infra/control-chars'
import { exitUnlessReadyToStart } from '~/infra/startup.server'
import { logger, requestContext } from '~/infra/logger.server'
import { metrics } from '~/infra/metrics.server'
import { mountHealth } from './health'
import { routeLabeller } from './route-label'

const REQUEST_BUFFER_BYTES = 1024 * 1024
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/**
 * Browsers send Origin on every cross-site POST; one from another site is refused outright. The
 * scheme counts as much as host and port: https://localhost:3200 is not http://localhost:3200.
 */
export function sameOrigin(origin: string | undefined, ownOrigin: string): boolean {
  if (!origin) return true // non-browser clients; forms still carry the CSRF token
  try {
    return new URL(origin).origin === ownOrigin
  } catch {
    return false
  }
}

/** This request's own origin: the scheme it arrived on (behind a loopback proxy, X-Forwarded-Proto) and its Host. */
const ownOrigin = (req: express.Request) => `${req.protocol}://${req.get('host')}`

export async function createApp(buildPath = path.resolve('build/index.js')) {
  const build = (await import(pathToFileURL(buildPath).href)) as ServerBuild
  const routeOf = routeLabeller(build.routes)
  const requestDuration = metrics().httpRequestDuration
  const app = express()
  app.disable('x-powered-by')
  app.set('trust proxy', 'loopback')

  app.use((req, res, next) => {
    const incoming = req.get('x-request-id')
    const requestId = incoming && /^[\w.-]{1,100}$/.test(incoming) ? incoming : randomUUID()
    res.setHeader('X-Request-Id', requestId)
    const started = performance.now()
    res.on('finish', () => {
      const ms = performance.now() - started
      const path = req.originalUrl.split('?')[0] ?? '/'
      requestDuration.observe({ route: routeOf(path), method: req.method, status: `${Math.floor(res.statusCode / 100)}xx` }, ms / 1000)
      requestContext.run({ requestId }, () => logger.info('request', { method: req.method, path, status: res.statusCode, ms: Math.round(ms) }))
    })
    requestContext.run({ requestId }, next)
  })

  app.use((req, res, next) => {
    if (MUTATING.has(req.method) && !sameOrigin(req.get('origin'), ownOrigin(req))) {
      res.status(403).type('text/plain').send('Cross-site request refused')
      return
    }
    next()
  })

  // Path and query parameters reach loaders as text (and PostgreSQL): one check for all of them.
  app.use((req, res, next) => {
    if (urlHasControlChars(req.originalUrl)) {
      res.status(400).type('text/plain').send('Bad request: the address contains control characters')
      return
    }
    next()
  })

  mountHealth(app)
  app.use('/build', express.static('public/build', { immutable: true, maxAge: '1y' }))
  // Only paths that name a file (an extension) look in public/: a page request costs no disk lookup.
  const publicFiles = express.static('public', { maxAge: '1h' })
  app.use((req, res, next) => (path.extname(req.path) ? publicFiles(req, res, next) : next()))
  // The client's address as Express sees it (trust proxy: loopback), for the login throttle; the
  // Node response, so evidence streams can follow the client's pace (evidence-download.server).
  app.all('*', createRequestHandler({ build, mode: build.mode, getLoadContext: (req, res) => ({ clientIp: req.ip, nodeResponse: res }) }))
  return app
}

async function main() {
  await exitUnlessReadyToStart('portal') // a valid environment and a writable bucket, or one message and exit 1
  const { HOST, PORT } = env()
  const app = await createApp()
  // Remix hands the request body on through a web stream that pauses the socket whenever its
  // buffer (the socket's high-water mark) is full; at the default 16 KB an upload stalls every
  // few packets. 1 MB keeps evidence uploads near the speed of a direct S3 PUT.
  const server = http.createServer({ highWaterMark: REQUEST_BUFFER_BYTES }, app)
  server.listen(PORT, HOST, () => {
    const address = server.address()
    const port = typeof address === 'object' && address ? address.port : PORT
    logger.info('portal listening', { url: `http://${HOST}:${port}` })
  })
  server.keepAliveTimeout = 65_000

  let stopping = false
  const shutdown = (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info('shutting down', { signal })
    // Stop accepting, let in-flight requests finish, then close the pool.
    server.close(async () => {
      await disconnectDb()
      logger.info('stopped')
      process.exit(0)
    })
    server.closeIdleConnections()
    setTimeout(() => {
      logger.warn('forced exit after 10 s')
      process.exit(1)
    }, 10_000).unref()
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void main()
