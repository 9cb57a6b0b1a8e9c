// The viewer's message catalog for the browser (see app/i18n/catalog.tsx): `/i18n/en.<hash>.js`.
// The hash names the content, so today's address is cached for a year; a page of an older build
// asking for its old hash gets today's catalog, not cached.
import type { LoaderFunctionArgs } from '@remix-run/node'
import { catalogScript } from '~/i18n/catalog.server'
import { isLocale } from '~/i18n/format'

export function loader({ params }: LoaderFunctionArgs) {
  const match = /^([\w-]+)\.([0-9a-f]{1,64})\.js$/.exec(params.file ?? '')
  const locale = match?.[1]
  if (!match || !isLocale(locale)) return new Response('Not found', { status: 404 })
  const { body, current } = catalogScript(locale, match[2]!)
  return new Response(body, {
    headers: {
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': current ? 'public, max-age=31536000, immutable' : 'no-cache',
      'X-Content-Type-Options': 'nosniff',
    },
  })
}
