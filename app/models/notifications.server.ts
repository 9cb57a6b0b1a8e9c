// The message box (消息盒子): each user's own notifications, found by user id in every query.
import type { Db } from '~/infra/db.server'

export function unreadCount(db: Db, userId: string) {
  return db.notification.count({ where: { userId, readAt: null } })
}

export async function listNotifications(db: Db, userId: string, take = 50) {
  return db.notification.findMany({
    where: { userId },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take,
    select: { id: true, category: true, messageKey: true, params: true, readAt: true, createdAt: true, case: { select: { caseNo: true } } },
  })
}

export async function markRead(db: Db, userId: string, now: Date, notificationId?: string) {
  await db.notification.updateMany({ where: { userId, readAt: null, ...(notificationId ? { id: notificationId } : {}) }, data: { readAt: now } })
}
