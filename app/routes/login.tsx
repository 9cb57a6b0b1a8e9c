import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Form, useActionData, useNavigation, useSearchParams } from '@remix-run/react'
import { CsrfInput } from '~/components/csrf-input'
import { homePath } from '~/domain/actor'
import { useLocale, useT } from '~/i18n/use-t'
import { clock } from '~/infra/clock.server'
import { cookies } from '~/infra/cookies.server'
import { readForm } from '~/infra/csrf.server'
import { db } from '~/infra/db.server'
import { policy } from '~/infra/policy.server'
import { safeRedirectPath } from '~/infra/safe-redirect'
import { getActor } from '~/infra/session.server'
import { clientAddress, login, throttleLogin } from '~/services/auth.server'
import { LoginForm } from '~/forms/login.server'

export async function loader({ request }: LoaderFunctionArgs) {
  const actor = await getActor(request)
  if (actor) throw redirect(homePath(actor))
  return null
}

/** 429 answers say when to come back, in whole seconds. */
const retryAfter = (ms: number) => ({ 'Retry-After': String(Math.max(1, Math.ceil(ms / 1000))) })

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request)
  const parsed = LoginForm.safeParse(Object.fromEntries(form))
  if (!parsed.success) return data({ error: 'missing' as const }, { status: 400 })
  // Checked before anything is written: a way back that could leave the site (or split the
  // Location header) is refused with nothing kept, not found out after the session exists.
  const target = parsed.data.redirectTo ? safeRedirectPath(parsed.data.redirectTo) : null
  if (parsed.data.redirectTo && !target) return data({ error: 'badRedirect' as const }, { status: 400 })
  const now = clock().now()
  const { security } = policy()
  // The server may pass its own view of the address (req.ip, trust-proxy aware) as context.clientIp.
  const ip = clientAddress(context.clientIp, request.headers.get('X-Forwarded-For'))
  const throttle = await throttleLogin(db(), ip, now, security)
  if (!throttle.ok) {
    return data({ error: 'throttled' as const, retryAfterMs: throttle.retryAfterMs }, { status: 429, headers: retryAfter(throttle.retryAfterMs) })
  }
  const result = await login(
    db(),
    { email: parsed.data.email, password: parsed.data.password, userAgent: request.headers.get('User-Agent'), ip },
    now,
    security,
  )
  if (!result.ok) {
    return result.reason === 'locked'
      ? data(
          { error: 'locked' as const, lockedUntil: result.lockedUntil.toISOString() },
          { status: 429, headers: retryAfter(result.lockedUntil.getTime() - now.getTime()) },
        )
      : data({ error: 'invalid' as const }, { status: 401 })
  }
  // A role that cannot open the requested page would only meet a 403: send it home instead.
  const home = homePath(result.actor)
  const destination = target && target.startsWith(home.split('/').slice(0, 2).join('/')) ? target : home
  throw redirect(destination, { headers: { 'Set-Cookie': await cookies().session.serialize(result.token) } })
}

export default function LoginPage() {
  const t = useT()
  const locale = useLocale()
  const actionData = useActionData<typeof action>()
  const navigation = useNavigation()
  const [searchParams] = useSearchParams()
  const submitting = navigation.state === 'submitting'
  const error =
    actionData?.error === 'locked'
      ? t('login.error.locked', {
          until: new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'short' }).format(new Date(actionData.lockedUntil)),
        })
      : actionData?.error === 'throttled'
        ? t('login.error.throttled', { minutes: Math.max(1, Math.ceil(actionData.retryAfterMs / 60_000)) })
        : actionData?.error === 'invalid'
          ? t('login.error.invalid')
          : actionData?.error === 'missing'
            ? t('login.error.missing')
            : actionData?.error === 'badRedirect'
              ? t('login.error.badRedirect')
              : null
  return (
    <section className="mx-auto mt-8 max-w-sm rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
      <h1 className="text-2xl font-semibold">{t('login.title')}</h1>
      <p className="mt-1 text-sm text-slate-600">{t('login.subtitle')}</p>
      <Form method="post" className="mt-6 space-y-4" noValidate>
        <CsrfInput />
        <input type="hidden" name="redirectTo" value={searchParams.get('redirectTo') ?? ''} />
        <div>
          <label htmlFor="email" className="block text-sm font-medium">
            {t('login.email')}
          </label>
          <input
            id="email"
            name="email"
            type="email"
            autoComplete="username"
            required
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'login-error' : undefined}
            className="mt-1 w-full rounded border border-slate-300 px-3 py-2"
          />
        </div>
        <div>
          <label htmlFor="password" className="block text-sm font-medium">
            {t('login.password')}
          </label>
          <input
            id="password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'login-error' : undefined}
            className="mt-1 w-full rounded border border-slate-300 px-3 py-2"
          />
        </div>
        {error ? (
          <p id="login-error" role="alert" className="rounded bg-red-50 px-3 py-2 text-sm text-red-800">
            {error}
          </p>
        ) : null}
        <button
          type="submit"
          disabled={submitting}
          className="w-full rounded bg-slate-900 px-3 py-2 font-medium text-white hover:bg-slate-700 disabled:opacity-60"
        >
          {submitting ? t('login.submitting') : t('login.submit')}
        </button>
      </Form>
    </section>
  )
}
