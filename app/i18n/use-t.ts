import { useRouteLoaderData } from '@remix-run/react'
import { useCallback } from 'react'
import type { loader as rootLoader } from '~/root'
import { DEFAULT_LOCALE, translate, type Locale, type MessageKey, type MessageParams } from './messages'

export function useLocale(): Locale {
  return useRouteLoaderData<typeof rootLoader>('root')?.locale ?? DEFAULT_LOCALE
}

export type Translate = (key: MessageKey, params?: MessageParams) => string

export function useT(): Translate {
  const locale = useLocale()
  return useCallback((key, params) => translate(locale, key, params), [locale])
}
