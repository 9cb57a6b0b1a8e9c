// Per-request caches (the actor, the locale) need a key that stands for the HTTP request. Remix
// hands each loader its own copy of the Request, so a cache keyed on the Request object never hits
// across the root and route loaders; the server's request context (one store per request, see
// server/index.ts) is shared by all of them. Outside the server (tests) the Request itself is the key.
import { requestContext } from './logger.server'

export const requestKey = (request: Request): object => requestContext.getStore() ?? request

/** `compute`, run once per HTTP request however many loaders ask (the promise is shared). */
export function oncePerRequest<T>(compute: (request: Request) => Promise<T>): (request: Request) => Promise<T> {
  const seen = new WeakMap<object, Promise<T>>()
  return (request) => {
    const key = requestKey(request)
    let pending = seen.get(key)
    if (!pending) {
      pending = compute(request)
      seen.set(key, pending)
    }
    return pending
  }
}
