// What the browser and the server share about messages: the locales, the keys (types only: no
// catalog is imported here) and the one interpolation. The browser receives only the viewer's
// catalog (catalog.tsx); the server holds both (messages.ts).
import type { en } from './en'

export type MessageKey = keyof typeof en
export type Catalog = Record<MessageKey, string>
export const LOCALES = ['zh-CN', 'en'] as const
export type Locale = (typeof LOCALES)[number]
export const DEFAULT_LOCALE: Locale = 'zh-CN'

export type MessageParams = Record<string, string | number>
export type Translator = (key: MessageKey, params?: MessageParams) => string

/**
 * The translate function of one catalog. Placeholders are `{name}`, or `{name|format}` for values
 * stored language-neutral (a message-box row is rendered in each reader's language, an email in
 * both): `yuan` (fen → ¥12.34), `time` (ISO → the marketplace's time, UTC+8) and `duration`
 * (ms → "11 小时 20 分钟" / "11 h 20 min").
 */
export function translator(catalog: Catalog): Translator {
  const t: Translator = (key, params) => {
    const template = catalog[key] as string | undefined
    // Keys built at run time (a log action, a negotiation kind) may be unknown: the caller falls back.
    if (template === undefined) return ''
    if (!params || !template.includes('{')) return template
    return template.replace(/\{(\w+)(?:\|(\w+))?\}/g, (whole, name: string, format?: string) => {
      if (!(name in params)) return whole
      const value = params[name]!
      switch (format) {
        case undefined:
          return String(value)
        case 'yuan':
          return formatYuan(Number(value))
        case 'time':
          return formatMarketTime(new Date(String(value)))
        case 'duration':
          return durationIn(t, Number(value))
        default:
          return whole
      }
    })
  }
  return t
}

/** Money as users read it: ¥12.34 (fen in, two decimals out). */
export const formatYuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`

/** The marketplace's time zone: emails and messages are dated in it, pages until the browser's is known. */
export const MARKET_TIME_ZONE = 'Asia/Shanghai'

/** Date and time to the minute, 24-hour (00:40, not the 24:40 that `hour12: false` gives in English on Node's ICU): how every time is written, on pages and in messages. */
export const MINUTE_PRECISION: Intl.DateTimeFormatOptions = { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }

// Making an Intl.DateTimeFormat costs far more than formatting with one: one per locale and zone.
const formats = new Map<string, Intl.DateTimeFormat>()

/** A minute-precision date-time formatter, made once per locale and time zone. */
export function minuteFormat(locale: string, timeZone: string): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}`
  let format = formats.get(key)
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { ...MINUTE_PRECISION, timeZone })
    formats.set(key, format)
  }
  return format
}

/** Due times in emails and messages: the marketplace's zone, unambiguous. */
export function formatMarketTime(date: Date): string {
  return `${minuteFormat('sv-SE', MARKET_TIME_ZONE).format(date)} (UTC+8)`
}

/** Time left, from the real remaining time: hours and minutes, only minutes under an hour. */
export function durationIn(t: Translator, ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000)
  const h = Math.floor(minutes / 60)
  const m = minutes % 60
  if (minutes < 1) return t('duration.underAMinute')
  if (h === 0) return t('duration.minutes', { m })
  return m === 0 ? t('duration.hours', { h }) : t('duration.hoursMinutes', { h, m })
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value)
}

/** The first supported language in an Accept-Language header, honouring q-values. */
export function localeFromAcceptLanguage(header: string | null): Locale | undefined {
  if (!header) return undefined
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag = '', ...rest] = part.trim().split(';')
      const q = rest.find((p) => p.trim().startsWith('q='))
      return { tag: tag.toLowerCase(), q: q ? Number(q.trim().slice(2)) : 1 }
    })
    .filter((entry) => entry.tag && entry.q > 0)
    .sort((a, b) => b.q - a.q)
  for (const { tag } of ranked) {
    if (tag.startsWith('zh')) return 'zh-CN'
    if (tag.startsWith('en')) return 'en'
  }
  return undefined
}
