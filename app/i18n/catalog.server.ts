// Each locale's catalog as the browser receives it: a small script at an address that names the
// content's hash, so it is cached for good and a changed catalog is a new address.
import { createHash } from 'node:crypto'
import { CATALOG_GLOBAL, type ActiveCatalog } from './catalog'
import type { Locale } from './format'
import { CATALOGS } from './messages'

type Asset = { catalog: ActiveCatalog; body: string }
const assets = new Map<Locale, Asset>()

export const CATALOG_PATH = '/i18n/'

function assetOf(locale: Locale): Asset {
  let asset = assets.get(locale)
  if (!asset) {
    const messages = CATALOGS[locale]
    const hash = createHash('sha256').update(JSON.stringify([locale, messages])).digest('hex').slice(0, 12)
    const catalog: ActiveCatalog = { locale, href: `${CATALOG_PATH}${locale}.${hash}.js`, messages }
    asset = { catalog, body: `window.${CATALOG_GLOBAL}=${JSON.stringify(catalog)};\n` }
    assets.set(locale, asset)
  }
  return asset
}

/** The catalog a page in this locale renders with and names. */
export const activeCatalog = (locale: Locale): ActiveCatalog => assetOf(locale).catalog

/** The script for `/i18n/<locale>.<hash>.js`; `current` says whether the hash is today's. */
export function catalogScript(locale: Locale, hash: string): { body: string; current: boolean } {
  const asset = assetOf(locale)
  return { body: asset.body, current: asset.catalog.href === `${CATALOG_PATH}${locale}.${hash}.js` }
}
