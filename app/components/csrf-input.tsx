import { useRouteLoaderData } from '@remix-run/react'
import type { loader as rootLoader } from '~/root'

/** The hidden CSRF field every mutating form carries (checked by readForm on the server). */
export function CsrfInput() {
  const token = useRouteLoaderData<typeof rootLoader>('root')?.csrf ?? ''
  return <input type="hidden" name="csrf" value={token} />
}
