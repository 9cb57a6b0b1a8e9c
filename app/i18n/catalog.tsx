// The viewer's catalog on the page: the server renders with it and names it in a <script> that
// the browser runs (fetched once: the address carries the catalog's hash and is cached for a year)
// before the app's modules hydrate, so both sides translate with the same messages and the browser never
// downloads the other language. Switching the language loads a new document (root.tsx).
import { createContext, useContext, useMemo, type ReactNode } from 'react'
import { DEFAULT_LOCALE, translator, type Catalog, type Locale, type Translator } from './format'

/** What the page knows of its language: the locale, its messages and where the browser gets them. */
export type ActiveCatalog = { locale: Locale; href: string; messages: Catalog }

/** The global the catalog script sets (see catalog.server.ts). */
export const CATALOG_GLOBAL = '__catalog'

type Value = ActiveCatalog & { t: Translator }
const CatalogContext = createContext<Value | null>(null)

export function CatalogProvider({ catalog, children }: { catalog: ActiveCatalog; children: ReactNode }) {
  const value = useMemo(() => ({ ...catalog, t: translator(catalog.messages) }), [catalog])
  return <CatalogContext.Provider value={value}>{children}</CatalogContext.Provider>
}

const EMPTY: Value = { locale: DEFAULT_LOCALE, href: '', messages: {} as Catalog, t: () => '' }

/** The page's catalog (an empty one outside a provider: texts render empty rather than in the wrong language). */
export function useCatalog(): Value {
  return useContext(CatalogContext) ?? EMPTY
}

/** In the browser: the catalog the page's script delivered. */
export function bootCatalog(): ActiveCatalog {
  const found = (window as unknown as Record<string, ActiveCatalog | undefined>)[CATALOG_GLOBAL]
  if (!found) throw new Error('the page catalog did not load')
  return found
}

/**
 * Loads the catalog before the app's modules run. A plain (parser-blocking) script placed before
 * Remix's scripts: their module script is `async` and may run as soon as its imports are in, so a
 * `defer`red catalog could arrive after the app wanted it. Everything above is parsed and painted
 * already; after the first page the browser has the catalog cached.
 */
export function CatalogScript({ nonce }: { nonce?: string }) {
  const { href } = useCatalog()
  return href ? <script src={href} nonce={nonce} /> : null
}
