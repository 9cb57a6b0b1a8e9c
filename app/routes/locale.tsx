import type { ActionFunctionArgs } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { isLocale } from '~/i18n/messages'
import { cookies } from '~/infra/cookies.server'
import { readForm } from '~/infra/csrf.server'

export async function action({ request }: ActionFunctionArgs) {
  const form = await readForm(request)
  const lang = form.get('lang')
  const back = String(form.get('redirectTo') ?? '/')
  const target = back.startsWith('/') && !back.startsWith('//') ? back : '/'
  if (!isLocale(lang)) throw redirect(target)
  throw redirect(target, { headers: { 'Set-Cookie': await cookies().locale.serialize(lang) } })
}

export const loader = () => redirect('/')
