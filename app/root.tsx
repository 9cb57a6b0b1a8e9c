import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, Link, Links, Meta, Outlet, Scripts, ScrollRestoration, useLoaderData, useLocation, useRouteLoaderData } from '@remix-run/react'
import { useNonce } from '~/components/nonce'
import { useEffect, type ReactNode } from 'react'
import { CsrfInput } from '~/components/csrf-input'
import { RouteErrorBoundary } from '~/components/error-boundary'
import { homePath } from '~/domain/actor'
import { CatalogScript } from '~/i18n/catalog'
import { activeCatalog } from '~/i18n/catalog.server'
import { LOCALES } from '~/i18n/format'
import { localeOf } from '~/i18n/locale.server'
import { useLocale, useT } from '~/i18n/use-t'
import { clock } from '~/infra/clock.server'
import { csrfToken } from '~/infra/csrf.server'
import { getActor, getUnreadCount } from '~/infra/session.server'
import stylesheet from '~/styles/tailwind.css'
import { UnreadBadge } from '~/components/unread-badge'
import { ruleParams } from '~/i18n/rule-params'
import { policy } from '~/infra/policy.server'

export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: stylesheet },
  { rel: 'icon', href: '/favicon.svg', type: 'image/svg+xml' },
]

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? '' }]

export async function loader({ request }: LoaderFunctionArgs) {
  const [actor, unread, locale, csrf] = await Promise.all([getActor(request), getUnreadCount(request), localeOf(request), csrfToken(request)])
  return data(
    {
      locale,
      title: activeCatalog(locale).messages['app.name'],
      csrf: csrf.token,
      serverNow: clock().now().toISOString(),
      rules: ruleParams(policy()),
      user: actor ? { kind: actor.kind, displayName: actor.displayName, home: homePath(actor), unread } : null,
    },
    { headers: csrf.setCookie ? { 'Set-Cookie': csrf.setCookie } : undefined },
  )
}

function LanguageSwitcher() {
  const t = useT()
  const locale = useLocale()
  const location = useLocation()
  return (
    // A new document in the new language: the browser only ever holds the page's own catalog.
    <Form method="post" action="/locale" reloadDocument className="flex items-center gap-1" aria-label={t('nav.language')}>
      <CsrfInput />
      <input type="hidden" name="redirectTo" value={location.pathname + location.search} />
      {LOCALES.map((code) => (
        <button
          key={code}
          type="submit"
          name="lang"
          value={code}
          aria-pressed={code === locale}
          lang={code}
          className={`rounded px-2 py-1 text-sm ${code === locale ? 'bg-slate-800 text-white' : 'text-slate-700 hover:bg-slate-200'}`}
        >
          {t(`locale.${code}`)}
        </button>
      ))}
    </Form>
  )
}

function Header() {
  const t = useT()
  const root = useRouteLoaderData<typeof loader>('root')
  const user = root?.user
  const navKey = user?.kind === 'BUYER' ? 'nav.myCases' : user?.kind === 'MERCHANT' ? 'nav.workbench' : 'nav.queue'
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-4 px-4 py-3">
        <a href={user?.home ?? '/'} className="text-lg font-semibold text-slate-900">
          {t('app.name')}
        </a>
        {user ? (
          <nav aria-label={t('nav.main')} className="flex items-center gap-3 text-sm">
            <Link to={user.home} className="text-slate-700 underline-offset-4 hover:underline">
              {t(navKey)}
            </Link>
            {user.kind === 'BUYER' ? (
              <>
                <Link to="/buyer/orders" className="text-slate-700 underline-offset-4 hover:underline">
                  {t('nav.orders')}
                </Link>
                <Link to="/buyer/disputes" className="text-slate-700 underline-offset-4 hover:underline">
                  {t('nav.disputes')}
                </Link>
              </>
            ) : null}
            {user.kind === 'AGENT' ? (
              <Link to="/agent/dashboard" className="text-slate-700 underline-offset-4 hover:underline">
                {t('nav.dashboard')}
              </Link>
            ) : null}
            {user.kind === 'MERCHANT' ? (
              <Link to="/merchant/settings" className="text-slate-700 underline-offset-4 hover:underline">
                {t('nav.settings')}
              </Link>
            ) : null}
            <Link to="/messages" className="relative text-slate-700 underline-offset-4 hover:underline" data-testid="messages-link">
              {t('nav.messages')}
              <UnreadBadge initial={user.unread} />
            </Link>
          </nav>
        ) : null}
        <div className="ml-auto flex items-center gap-3">
          <LanguageSwitcher />
          {user ? (
            <>
              <span className="text-sm text-slate-600" data-testid="signed-in-as">
                {t('nav.signedInAs', { name: user.displayName })}
              </span>
              <Form method="post" action="/logout">
                <CsrfInput />
                <button type="submit" className="rounded border border-slate-300 px-2 py-1 text-sm hover:bg-slate-100">
                  {t('nav.logout')}
                </button>
              </Form>
            </>
          ) : null}
        </div>
      </div>
    </header>
  )
}

export function Layout({ children }: { children: ReactNode }) {
  const locale = useLocale()
  const t = useT()
  const nonce = useNonce()
  return (
    <html lang={locale}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body className="min-h-screen bg-slate-50 text-slate-900">
        <a href="#main" className="sr-only focus:not-sr-only">
          {t('app.skipToContent')}
        </a>
        <Header />
        <main id="main" tabIndex={-1} className="mx-auto max-w-6xl px-4 py-6">
          {children}
        </main>
        <ScrollRestoration nonce={nonce} />
        <CatalogScript nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  )
}

export default function App() {
  const { locale } = useLoaderData<typeof loader>()
  const pageLocale = useLocale()
  // The language changed under a page that stayed (another tab chose one): load it in that language.
  useEffect(() => {
    if (locale !== pageLocale) window.location.reload()
  }, [locale, pageLocale])
  return <Outlet />
}

export const ErrorBoundary = RouteErrorBoundary
