import { cookies } from '~/infra/cookies.server'
import { oncePerRequest } from '~/infra/request-key.server'
import { DEFAULT_LOCALE, isLocale, localeFromAcceptLanguage, type Locale } from './format'

/**
 * The chosen language cookie first, then the browser's Accept-Language, then Chinese. The root
 * loader and the document render read it for the same request.
 */
export const localeOf: (request: Request) => Promise<Locale> = oncePerRequest(readLocale)

async function readLocale(request: Request): Promise<Locale> {
  const chosen: unknown = await cookies().locale.parse(request.headers.get('Cookie'))
  if (isLocale(chosen)) return chosen
  return localeFromAcceptLanguage(request.headers.get('Accept-Language')) ?? DEFAULT_LOCALE
}
