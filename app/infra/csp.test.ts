import { describe, expect, it } from 'vitest'
import { contentSecurityPolicy, setPageSecurityHeaders } from './csp.server'

describe('page security headers', () => {
  const policy = contentSecurityPolicy({ nonce: 'abc123', evidenceOrigins: ['http://127.0.0.1:4569'] })
  const directive = (name: string) => policy.split('; ').find((d) => d.startsWith(`${name} `))
  it('allows scripts only from the portal and with the nonce: no unsafe-inline, no eval', () => {
    expect(directive('script-src')).toBe("script-src 'self' 'nonce-abc123'")
    expect(policy).not.toMatch(/unsafe-inline|unsafe-eval/)
  })
  it('is never framed, and takes no plugins or base-URL tricks', () => {
    expect(directive('frame-ancestors')).toBe("frame-ancestors 'none'")
    expect(directive('object-src')).toBe("object-src 'none'")
    expect(directive('base-uri')).toBe("base-uri 'none'")
    expect(directive('form-action')).toBe("form-action 'self'")
  })
  it('lets evidence previews come from the evidence origin only', () => {
    expect(directive('img-src')).toBe("img-src 'self' data: blob: http://127.0.0.1:4569")
    expect(directive('frame-src')).toBe("frame-src 'self' http://127.0.0.1:4569")
    expect(directive('connect-src')).toBe("connect-src 'self'")
  })
  it('adds HSTS only when asked (production over https)', () => {
    const plain = new Headers()
    setPageSecurityHeaders(plain, { nonce: 'n', evidenceOrigins: [], hsts: false })
    expect(plain.get('Strict-Transport-Security')).toBeNull()
    expect(plain.get('X-Frame-Options')).toBe('DENY')
    const secure = new Headers()
    setPageSecurityHeaders(secure, { nonce: 'n', evidenceOrigins: [], hsts: true })
    expect(secure.get('Strict-Transport-Security')).toBe('max-age=31536000; includeSubDomains')
  })
})
