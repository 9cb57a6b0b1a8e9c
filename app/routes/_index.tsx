import type { LoaderFunctionArgs } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { homePath } from '~/domain/actor'
import { getActor } from '~/infra/session.server'

export async function loader({ request }: LoaderFunctionArgs) {
  const actor = await getActor(request)
  throw redirect(actor ? homePath(actor) : '/login')
}
