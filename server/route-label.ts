// The metrics label of a request: the Remix route id that answers its path (a resource route, a
// page, or the page behind a single-fetch `.data` request), so a million case numbers stay one
// label. Static assets, Remix's manifest endpoint and paths no route matches get a fixed label each.
import { matchRoutes, type AgnosticRouteObject as RouteObject } from '@remix-run/router'
import type { ServerBuild } from '@remix-run/node'
import { HEALTH_PATHS } from './health'

type Manifest = ServerBuild['routes']

function routeTree(manifest: Manifest, parentId?: string): RouteObject[] {
  return Object.values(manifest)
    .filter((route) => route?.parentId === parentId)
    .map((route) => {
      const children = routeTree(manifest, route!.id)
      return route!.index
        ? { id: route!.id, index: true, path: route!.path }
        : { id: route!.id, path: route!.path, caseSensitive: route!.caseSensitive, children }
    })
}

export function routeLabeller(manifest: Manifest): (pathname: string) => string {
  const tree = routeTree(manifest)
  return (pathname) => {
    if (pathname.startsWith('/build/')) return 'static'
    if (pathname === '/__manifest') return 'remix-manifest' // lazy route discovery
    if ((HEALTH_PATHS as readonly string[]).includes(pathname)) return 'health' // answered before Remix (server/health.ts)
    // Single fetch: /cases/AS1.data asks for the data of /cases/AS1; /_root.data for "/".
    const page = pathname === '/_root.data' ? '/' : pathname.replace(/\.data$/, '')
    const matches = matchRoutes(tree, page)
    if (matches) return matches.at(-1)!.route.id ?? 'unmatched' // every manifest route has an id; the router's type allows none
    return /\.[a-z0-9]+$/i.test(page) ? 'static' : 'unmatched' // public/ files (favicon.svg) or a 404
  }
}
