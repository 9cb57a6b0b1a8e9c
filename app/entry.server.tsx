// Validates the environment before anything else runs, then renders as Remix's Node template does.
import { env } from '~/infra/env.server'
import { PassThrough } from 'node:stream'
import type { AppLoadContext, EntryContext } from '@remix-run/node'
import { createReadableStreamFromReadable } from '@remix-run/node'
import { isRouteErrorResponse, RemixServer } from '@remix-run/react'
import { isbot } from 'isbot'
import { renderToPipeableStream } from 'react-dom/server'
import { NonceContext } from '~/components/nonce'
import { CatalogProvider } from '~/i18n/catalog'
import { activeCatalog } from '~/i18n/catalog.server'
import { localeOf } from '~/i18n/locale.server'
import { createNonce, setPageSecurityHeaders } from '~/infra/csp.server'
import { logger } from '~/infra/logger.server'

env()

/** Evidence streams from the portal itself; only presigned links (an operator's choice) point at S3. */
function evidenceOrigins(): string[] {
  const e = env()
  if (e.EVIDENCE_DELIVERY !== 'presigned') return []
  if (e.S3_ENDPOINT) return [new URL(e.S3_ENDPOINT).origin]
  return [`https://${e.S3_BUCKET}.s3.${e.S3_REGION}.amazonaws.com`, `https://s3.${e.S3_REGION}.amazonaws.com`]
}

const ABORT_DELAY = 5_000
export const streamTimeout = ABORT_DELAY

export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  _loadContext: AppLoadContext,
) {
  const waitForAll = isbot(request.headers.get('user-agent') ?? '')
  const nonce = createNonce()
  // The page renders in the root loader's language (the same reading of the same request).
  const catalog = activeCatalog(await localeOf(request))
  return new Promise((resolve, reject) => {
    let shellRendered = false
    // Stops a render that outlives the deadline; cleared once the page is sent (left running, every
    // page would keep its render alive for six seconds and then abort a finished stream).
    const deadline = setTimeout(() => abort(), ABORT_DELAY + 1000)
    const { pipe, abort } = renderToPipeableStream(
      <NonceContext.Provider value={nonce}>
        <CatalogProvider catalog={catalog}>
          <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
        </CatalogProvider>
      </NonceContext.Provider>,
      {
        nonce,
        [waitForAll ? 'onAllReady' : 'onShellReady']() {
          shellRendered = true
          const body = new PassThrough()
          body.on('close', () => clearTimeout(deadline))
          responseHeaders.set('Content-Type', 'text/html; charset=utf-8')
          setPageSecurityHeaders(responseHeaders, { nonce, evidenceOrigins: evidenceOrigins(), hsts: env().NODE_ENV === 'production' && env().APP_URL.startsWith('https:') })
          resolve(new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status: responseStatusCode }))
          pipe(body)
        },
        onShellError(error: unknown) {
          clearTimeout(deadline)
          reject(error)
        },
        onError(error: unknown) {
          responseStatusCode = 500
          if (shellRendered) logger.error('render failed', { error })
        },
      },
    )
  })
}

export function handleError(error: unknown, { request }: { request: Request }) {
  if (request.signal.aborted) return
  // A path no route matches (/robots.txt, /favicon.ico) or a method a route does not take is the
  // client's mistake, already in the access log with its status; only the server's own failures are errors.
  if (isRouteErrorResponse(error) && error.status < 500) return
  logger.error('unhandled error', { error, path: new URL(request.url).pathname })
}
