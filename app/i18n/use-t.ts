import { useRouteLoaderData } from '@remix-run/react'
import { useCallback } from 'react'
import type { loader as rootLoader } from '~/root'
import { DEFAULT_LOCALE, translate, type Locale, type MessageKey, type MessageParams } from './messages'

export function useLocale(): Locale {
  return useRouteLoaderData<typeof rootLoader>('root')?.locale ?? DEFAULT_LOCALE
}

export type Translate = (key: MessageKey, params?: MessageParams) => string

/** Translates with the policy's rule numbers (see rule-params) available to every message. */
export function useT(): Translate {
  const root = useRouteLoaderData<typeof rootLoader>('root')
  const locale = root?.locale ?? DEFAULT_LOCALE
  const rules = root?.rules
  return useCallback((key, params) => translate(locale, key, { ...rules, ...params }), [locale, rules])
}
