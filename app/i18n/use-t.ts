import { useRouteLoaderData } from '@remix-run/react'
import { useCallback } from 'react'
import type { loader as rootLoader } from '~/root'
import { useCatalog } from './catalog'
import type { Locale, MessageKey, MessageParams } from './format'

/** The page's language: the one its catalog is in. */
export function useLocale(): Locale {
  return useCatalog().locale
}

export type Translate = (key: MessageKey, params?: MessageParams) => string

/** Translates with the policy's rule numbers (see rule-params) available to every message. */
export function useT(): Translate {
  const { t } = useCatalog()
  const rules = useRouteLoaderData<typeof rootLoader>('root')?.rules
  return useCallback((key, params) => t(key, rules ? (params ? { ...rules, ...params } : rules) : params), [t, rules])
}
