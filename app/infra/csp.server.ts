// The security headers of every page: a strict Content-Security-Policy whose only inline scripts
// are Remix's own, carrying this response's nonce (no 'unsafe-inline' for scripts), no framing,
// and HSTS where the portal is served over https in production.
import { randomBytes } from 'node:crypto'

export const createNonce = () => randomBytes(16).toString('base64')

export type CspOptions = {
  nonce: string
  /** Where evidence previews may come from besides the portal (presigned S3 URLs), if anywhere. */
  evidenceOrigins: readonly string[]
}

export function contentSecurityPolicy({ nonce, evidenceOrigins }: CspOptions): string {
  const evidence = evidenceOrigins.join(' ')
  const directives: [string, string][] = [
    ['default-src', "'self'"],
    ['script-src', `'self' 'nonce-${nonce}'`],
    ['style-src', "'self'"],
    ['img-src', `'self' data: blob: ${evidence}`],
    ['media-src', `'self' blob: ${evidence}`],
    ['frame-src', `'self' ${evidence}`],
    ['connect-src', "'self'"],
    ['font-src', "'self'"],
    ['object-src', "'none'"],
    ['base-uri', "'none'"],
    ['form-action', "'self'"],
    ['frame-ancestors', "'none'"],
  ]
  return directives.map(([name, value]) => `${name} ${value.trim()}`).join('; ')
}

/** Sets the page headers; `hsts` where the public URL is https in production. */
export function setPageSecurityHeaders(headers: Headers, options: CspOptions & { hsts: boolean }) {
  headers.set('Content-Security-Policy', contentSecurityPolicy(options))
  headers.set('X-Content-Type-Options', 'nosniff')
  headers.set('Referrer-Policy', 'same-origin')
  headers.set('X-Frame-Options', 'DENY')
  if (options.hsts) headers.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains')
}
