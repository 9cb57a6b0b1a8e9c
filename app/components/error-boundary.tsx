import { isRouteErrorResponse, useRouteError, useRouteLoaderData } from '@remix-run/react'
import { useT } from '~/i18n/use-t'
import type { loader as rootLoader } from '~/root'

/** 403, 404, other refused requests (a body that is not a form, control characters) and unexpected errors, in the viewer's language, with a way home. */
export function RouteErrorBoundary() {
  const error = useRouteError()
  const t = useT()
  const home = useRouteLoaderData<typeof rootLoader>('root')?.user?.home ?? '/'
  const status = isRouteErrorResponse(error) ? error.status : 500
  const csrf = isRouteErrorResponse(error) && error.statusText === 'csrf'
  const [title, body] =
    status === 403
      ? [t('error.forbidden.title'), csrf ? t('error.csrf') : t('error.forbidden.body')]
      : status === 404
        ? [t('error.notFound.title'), t('error.notFound.body')]
        : status >= 400 && status < 500
          ? [t('error.badRequest.title'), t('error.badRequest.body')]
          : [t('error.unexpected.title'), t('error.unexpected.body')]
  return (
    <section className="mx-auto max-w-lg rounded-lg border border-slate-200 bg-white p-6" data-status={status} data-testid="error-page">
      <h1 className="text-xl font-semibold">{title}</h1>
      <p className="mt-2 text-slate-700">{body}</p>
      <a href={home} className="mt-4 inline-block text-blue-700 underline">
        {t('error.goHome')}
      </a>
    </section>
  )
}
