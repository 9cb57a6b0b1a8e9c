import type { ActionFunctionArgs } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { clock } from '~/infra/clock.server'
import { cookies } from '~/infra/cookies.server'
import { readForm } from '~/infra/csrf.server'
import { db } from '~/infra/db.server'
import { sessionToken } from '~/infra/session.server'
import { logout } from '~/services/auth.server'

export async function action({ request }: ActionFunctionArgs) {
  await readForm(request)
  const token = await sessionToken(request)
  if (token) await logout(db(), token, clock().now())
  throw redirect('/login', { headers: { 'Set-Cookie': await cookies().session.serialize('', { maxAge: 0 }) } })
}

export const loader = () => redirect('/')
