import { useRouteLoaderData } from '@remix-run/react'
import type { loader as rootLoader } from '~/root'

/** The hidden CSRF field every mutating form carries (checked by readForm on the server). */
export function useCsrfToken(): string {
  return useRouteLoaderData<typeof rootLoader>('root')?.csrf ?? ''
}

export function CsrfInput() {
  return <input type="hidden" name="csrf" value={useCsrfToken()} />
}
