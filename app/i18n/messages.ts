// Both message catalogs and the one translate function, for server code (emails, notifications,
// webhooks) and tests. Browser code imports `./format` and reads the viewer's catalog through
// useT: importing this module from a component would put both catalogs into the bundle.
import { en } from './en'
import { durationIn, translator, type Catalog, type Locale, type MessageKey, type MessageParams, type Translator } from './format'
import { zhCN } from './zh-CN'

export * from './format'

export const CATALOGS: Record<Locale, Catalog> = { en, 'zh-CN': zhCN }

const translators: Record<Locale, Translator> = { en: translator(en), 'zh-CN': translator(zhCN) }

export function translate(locale: Locale, key: MessageKey, params?: MessageParams): string {
  return translators[locale](key, params)
}

/** Time left in a locale's words (see durationIn). */
export function formatDuration(locale: Locale, ms: number): string {
  return durationIn(translators[locale], ms)
}
