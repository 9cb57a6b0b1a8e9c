import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PAGE_SIZE } from '~/models/pagination'
import { listNotifications, markRead, unreadByCategory, unreadCount } from '~/models/notifications.server'
import { makeBuyer, testDb } from './support'

const db = testDb()
afterAll(() => db.$disconnect())

let me: string
let other: string
const base = Date.parse('2026-11-01T00:00:00Z')

beforeAll(async () => {
  me = (await makeBuyer(db, 'me')).user.id
  other = (await makeBuyer(db, 'other')).user.id
  const rows = []
  // 45 after-sales messages (three share one instant), 4 dispute messages, and one of another user.
  for (let i = 0; i < 45; i++)
    rows.push({ userId: me, category: 'AFTER_SALES' as const, messageKey: 'notice.caseOpened', dedupeKey: `a${i}`, createdAt: new Date(base + Math.max(0, i - 2) * 60_000) })
  for (let i = 0; i < 4; i++) rows.push({ userId: me, category: 'DISPUTE' as const, messageKey: 'notice.caseOpened', dedupeKey: `d${i}`, createdAt: new Date(base + i) })
  rows.push({ userId: other, category: 'AFTER_SALES' as const, messageKey: 'notice.caseOpened', dedupeKey: 'o1', createdAt: new Date(base) })
  await db.notification.createMany({ data: rows })
})

describe('message box', () => {
  it('pages one category newest first by keyset, without gaps or repeats', async () => {
    const seen: string[] = []
    let after: string | null = null
    let pages = 0
    do {
      const page: Awaited<ReturnType<typeof listNotifications>> = await listNotifications(db, me, 'AFTER_SALES', after)
      expect(page.items.length).toBeLessThanOrEqual(PAGE_SIZE)
      expect(page.items.every((n) => n.category === 'AFTER_SALES')).toBe(true)
      seen.push(...page.items.map((n) => n.id))
      after = page.nextCursor
      pages++
    } while (after)
    expect(pages).toBe(3)
    expect(new Set(seen).size).toBe(45)
    const all = await db.notification.findMany({ where: { userId: me, category: 'AFTER_SALES' }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] })
    expect(seen).toEqual(all.map((n) => n.id))
  })

  it('counts unread per category and marks one message or one category read, only the user’s own', async () => {
    expect(await unreadByCategory(db, me)).toEqual({ AFTER_SALES: 45, DISPUTE: 4, SYSTEM: 0 })
    const now = new Date(base + 3_600_000)
    const theirs = await db.notification.findFirstOrThrow({ where: { userId: other } })
    expect(await markRead(db, me, now, { id: theirs.id })).toBe(0)
    expect(await unreadCount(db, other)).toBe(1)

    const [first] = (await listNotifications(db, me, 'DISPUTE', null)).items
    expect(await markRead(db, me, now, { id: first!.id })).toBe(1)
    expect(await markRead(db, me, now, { id: first!.id })).toBe(0) // a double click changes nothing
    expect(await markRead(db, me, now, { category: 'AFTER_SALES' })).toBe(45)
    expect(await unreadByCategory(db, me)).toEqual({ AFTER_SALES: 0, DISPUTE: 3, SYSTEM: 0 })
    expect(await unreadCount(db, me)).toBe(3)
    expect(await unreadCount(db, other)).toBe(1)
    expect(await markRead(db, me, now, 'all')).toBe(3)
    expect(await unreadCount(db, me)).toBe(0)
    expect(await unreadCount(db, other)).toBe(1)
  })
})
