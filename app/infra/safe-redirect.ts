// The one check for every redirect target that comes from a request (a form's redirectTo, a
// login's way back): a path on this site, or nothing. `/\evil.example` and `/\t/evil.example`
// read as `//evil.example` to a browser; control characters would split the Location header.
const BASE = 'http://portal.invalid'

/** The target as a same-site path (path + query + hash), or null when it could leave the site. */
export function safeRedirectPath(target: unknown): string | null {
  if (typeof target !== 'string' || !target.startsWith('/')) return null
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(target)) return null
  if (target.startsWith('//')) return null
  let url: URL
  try {
    url = new URL(target, BASE)
  } catch {
    return null
  }
  // Dot segments are resolved by the parser: `/..//evil.example` comes out as `//evil.example`.
  if (url.origin !== BASE || url.pathname.startsWith('//')) return null
  return `${url.pathname}${url.search}${url.hash}`
}

/** A safe target or the fallback. */
export const safeRedirect = (target: unknown, fallback = '/') => safeRedirectPath(target) ?? fallback
