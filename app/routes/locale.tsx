import type { ActionFunctionArgs } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { isLocale } from '~/i18n/format'
import { cookies } from '~/infra/cookies.server'
import { readForm } from '~/infra/csrf.server'
import { safeRedirect } from '~/infra/safe-redirect'

export async function action({ request }: ActionFunctionArgs) {
  const form = await readForm(request)
  const lang = form.get('lang')
  const target = safeRedirect(form.get('redirectTo'))
  if (!isLocale(lang)) throw redirect(target)
  throw redirect(target, { headers: { 'Set-Cookie': await cookies().locale.serialize(lang) } })
}

export const loader = () => redirect('/')
