import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { CsrfInput } from '~/components/csrf-input'
import { LocalTime } from '~/components/time'
import type { MessageKey, MessageParams } from '~/i18n/messages'
import { useT } from '~/i18n/use-t'
import { clock } from '~/infra/clock.server'
import { readForm } from '~/infra/csrf.server'
import { db } from '~/infra/db.server'
import { requireActor } from '~/infra/session.server'
import { listNotifications, markRead } from '~/models/notifications.server'

export async function loader({ request }: LoaderFunctionArgs) {
  const actor = await requireActor(request)
  return { notifications: await listNotifications(db(), actor.userId) }
}

export async function action({ request }: ActionFunctionArgs) {
  const actor = await requireActor(request)
  const form = await readForm(request)
  const id = form.get('id')
  await markRead(db(), actor.userId, clock().now(), typeof id === 'string' && id ? id : undefined)
  return data({ ok: true })
}

export default function Messages() {
  const t = useT()
  const { notifications } = useLoaderData<typeof loader>()
  const unread = notifications.filter((n) => !n.readAt).length
  return (
    <>
      <div className="mb-4 flex items-center gap-4">
        <h1 className="text-2xl font-semibold">{t('messages.title')}</h1>
        {unread > 0 ? (
          <Form method="post">
            <CsrfInput />
            <button type="submit" className="rounded border border-slate-300 px-2 py-1 text-sm hover:bg-slate-100">
              {t('messages.markAllRead')}
            </button>
          </Form>
        ) : null}
      </div>
      {notifications.length === 0 ? <p className="text-slate-600">{t('common.empty')}</p> : null}
      <ul className="space-y-2">
        {notifications.map((n) => (
          <li key={n.id} className={`rounded border p-3 ${n.readAt ? 'border-slate-200 bg-white' : 'border-blue-200 bg-blue-50'}`} data-testid="notification">
            <div className="flex flex-wrap items-center gap-2 text-xs text-slate-600">
              <span className="rounded bg-slate-200 px-1">{t(`messages.category.${n.category}`)}</span>
              <LocalTime value={n.createdAt} />
              {!n.readAt ? <span className="font-semibold text-blue-800">{t('messages.unreadMark')}</span> : null}
            </div>
            <p className="mt-1">{t(n.messageKey as MessageKey, n.params as MessageParams)}</p>
            <div className="mt-1 flex gap-3 text-sm">
              {n.case ? (
                <Link to={`/cases/${n.case.caseNo}`} className="text-blue-700 underline">
                  {t('messages.open')}
                </Link>
              ) : null}
              {!n.readAt ? (
                <Form method="post">
                  <CsrfInput />
                  <input type="hidden" name="id" value={n.id} />
                  <button type="submit" className="text-slate-700 underline">
                    {t('messages.markRead')}
                  </button>
                </Form>
              ) : null}
            </div>
          </li>
        ))}
      </ul>
    </>
  )
}
