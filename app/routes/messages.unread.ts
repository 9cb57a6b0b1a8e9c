import type { LoaderFunctionArgs } from '@remix-run/node'
import { db } from '~/infra/db.server'
import { requireActor } from '~/infra/session.server'
import { unreadCount } from '~/models/notifications.server'

/** The header's unread badge polls this, so the count moves without a page load. */
export async function loader({ request }: LoaderFunctionArgs) {
  const actor = await requireActor(request)
  return Response.json({ unread: await unreadCount(db(), actor.userId) }, { headers: { 'Cache-Control': 'no-store' } })
}
