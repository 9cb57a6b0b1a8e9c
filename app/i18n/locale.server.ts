import { cookies } from '~/infra/cookies.server'
import { requestKey } from '~/infra/request-key.server'
import { DEFAULT_LOCALE, isLocale, localeFromAcceptLanguage, type Locale } from './format'

// The root loader and the document render read it for the same request.
const seen = new WeakMap<object, Promise<Locale>>()

/** The chosen language cookie first, then the browser's Accept-Language, then Chinese. */
export function localeOf(request: Request): Promise<Locale> {
  const key = requestKey(request)
  let locale = seen.get(key)
  if (!locale) {
    locale = readLocale(request)
    seen.set(key, locale)
  }
  return locale
}

async function readLocale(request: Request): Promise<Locale> {
  const chosen: unknown = await cookies().locale.parse(request.headers.get('Cookie'))
  if (isLocale(chosen)) return chosen
  return localeFromAcceptLanguage(request.headers.get('Accept-Language')) ?? DEFAULT_LOCALE
}
