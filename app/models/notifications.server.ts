// The message box (消息盒子): each user's own notifications, found by user id in every query.
// Categories are tabs, after-sales info first; each pages by keyset on (createdAt, id).
import { Prisma, type NotificationCategory } from '~/generated/prisma/client'
import type { Db } from '~/infra/db.server'
import { MESSAGE_CATEGORIES } from './list-filters'
import { afterCursor, pageOf, PAGE_SIZE } from './pagination'

export function unreadCount(db: Db, userId: string) {
  return db.notification.count({ where: { userId, readAt: null } })
}

/** Unread messages per category, for the tab labels. */
export async function unreadByCategory(db: Db, userId: string): Promise<Record<NotificationCategory, number>> {
  const groups = await db.notification.groupBy({ by: ['category'], where: { userId, readAt: null }, _count: { _all: true } })
  const counts = Object.fromEntries(MESSAGE_CATEGORIES.map((c) => [c, 0])) as Record<NotificationCategory, number>
  for (const group of groups) counts[group.category] = group._count._all
  return counts
}

export async function listNotifications(db: Db, userId: string, category: NotificationCategory, after: string | null) {
  const rows = await db.notification.findMany({
    where: { userId, category, ...afterCursor('createdAt', 'desc', after) } satisfies Prisma.NotificationWhereInput,
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: PAGE_SIZE + 1,
    select: { id: true, category: true, messageKey: true, params: true, readAt: true, createdAt: true, case: { select: { caseNo: true } } },
  })
  return pageOf(rows, (row) => row.createdAt)
}

/** Marks one message, every message of a category, or all of them read; only the user's own rows match. */
export async function markRead(db: Db, userId: string, now: Date, target: { id: string } | { category: NotificationCategory } | 'all') {
  const { count } = await db.notification.updateMany({ where: { userId, readAt: null, ...(target === 'all' ? {} : target) }, data: { readAt: now } })
  return count
}
