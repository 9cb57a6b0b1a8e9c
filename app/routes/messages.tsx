import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { PageLinks } from '~/components/case-table'
import { CsrfInput } from '~/components/csrf-input'
import { Tabs } from '~/components/tabs'
import { usePageHrefs } from '~/components/use-search-href'
import { LocalTime } from '~/components/time'
import type { MessageKey, MessageParams } from '~/i18n/format'
import { useT } from '~/i18n/use-t'
import { clock } from '~/infra/clock.server'
import { readForm } from '~/infra/csrf.server'
import { db } from '~/infra/db.server'
import { requireActor } from '~/infra/session.server'
import { MESSAGE_CATEGORIES, pick } from '~/models/list-filters'
import { listNotifications, markRead, unreadByCategory } from '~/models/notifications.server'
import { isUuid } from '~/domain/ids'

/** Messages about something other than a case link to where it is dealt with. */
const ELSEWHERE: Partial<Record<string, { to: string; label: MessageKey }>> = {
  'notice.webhookGaveUp': { to: '/merchant/settings#webhooks', label: 'messages.openSettings' },
}

export async function loader({ request }: LoaderFunctionArgs) {
  const actor = await requireActor(request)
  const params = new URL(request.url).searchParams
  const category = pick(MESSAGE_CATEGORIES, params.get('category'), 'AFTER_SALES')
  const after = params.get('after')
  const [page, unread] = await Promise.all([listNotifications(db(), actor.userId, category, after), unreadByCategory(db(), actor.userId)])
  return { category, unread, paged: Boolean(after), ...page }
}

export async function action({ request }: ActionFunctionArgs) {
  const actor = await requireActor(request)
  const form = await readForm(request)
  const id = form.get('id')
  const target =
    isUuid(id)
      ? { id }
      : form.get('scope') === 'all'
        ? ('all' as const)
        : { category: pick(MESSAGE_CATEGORIES, String(form.get('category') ?? ''), 'AFTER_SALES') }
  return data({ marked: await markRead(db(), actor.userId, clock().now(), target) })
}

export default function Messages() {
  const t = useT()
  const { items, nextCursor, category, unread, paged } = useLoaderData<typeof loader>()
  const pages = usePageHrefs(nextCursor, paged)
  const categoryName = t(`messages.category.${category}`)
  const totalUnread = MESSAGE_CATEGORIES.reduce((sum, key) => sum + unread[key], 0)
  return (
    <>
      <div className="mb-4 flex flex-wrap items-center gap-4">
        <h1 className="text-2xl font-semibold">{t('messages.title')}</h1>
        {unread[category] > 0 ? (
          <Form method="post">
            <CsrfInput />
            <input type="hidden" name="category" value={category} />
            <button type="submit" className="rounded border border-slate-300 px-2 py-1 text-sm hover:bg-slate-100">
              {t('messages.markCategoryRead', { category: categoryName })}
            </button>
          </Form>
        ) : null}
        {totalUnread > unread[category] ? (
          <Form method="post">
            <CsrfInput />
            <input type="hidden" name="scope" value="all" />
            <button type="submit" className="rounded border border-slate-300 px-2 py-1 text-sm hover:bg-slate-100">
              {t('messages.markAllRead')}
            </button>
          </Form>
        ) : null}
      </div>
      <Tabs
        label={t('messages.categories')}
        current={category}
        tabs={MESSAGE_CATEGORIES.map((key) => ({
          key,
          label: unread[key] > 0 ? t('messages.tabWithCount', { category: t(`messages.category.${key}`), count: unread[key] }) : t(`messages.category.${key}`),
          href: `?category=${key}`,
        }))}
      />
      {items.length === 0 ? <p className="text-slate-600">{t('common.empty')}</p> : null}
      <ul className="space-y-2">
        {items.map((n) => (
          <li key={n.id} className={`rounded border p-3 ${n.readAt ? 'border-slate-200 bg-white' : 'border-blue-200 bg-blue-50'}`} data-testid="notification">
            <div className="flex flex-wrap items-center gap-2 text-xs text-slate-600">
              <LocalTime value={n.createdAt} />
              {!n.readAt ? <span className="font-semibold text-blue-800">{t('messages.unreadMark')}</span> : null}
            </div>
            <p className="mt-1">{t(n.messageKey as MessageKey, n.params as MessageParams)}</p>
            <div className="mt-1 flex gap-3 text-sm">
              {n.case ? (
                <Link to={`/cases/${n.case.caseNo}`} className="text-blue-700 underline">
                  {t('messages.open')}
                </Link>
              ) : ELSEWHERE[n.messageKey] ? (
                <Link to={ELSEWHERE[n.messageKey]!.to} className="text-blue-700 underline">
                  {t(ELSEWHERE[n.messageKey]!.label)}
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
      <PageLinks
        className="mt-3"
        nextHref={pages.nextHref}
        firstHref={pages.firstHref}
      />
    </>
  )
}
