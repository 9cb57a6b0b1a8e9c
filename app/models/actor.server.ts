// Builds the acting user from a session token: one statement (session, user and the buyer or shop
// membership), on the pool like the other hot reads (ADR 0009, ADR 0012). It also counts the
// user's unread messages, which every page's header shows, and a merchant's shop name, which its
// workbench heading shows: a page asks once, not three times.
import { createHash } from 'node:crypto'
import { Prisma } from '~/generated/prisma/client'
import type { Actor, ShopPermission, ShopRole } from '~/domain/actor'
import { queryPrepared, type Db } from '~/infra/db.server'

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex')

type SessionRow = {
  userId: string
  kind: 'BUYER' | 'MERCHANT' | 'AGENT'
  displayName: string
  buyerId: string | null
  memberId: string | null
  shopId: string | null
  role: ShopRole | null
  permissions: ShopPermission[] | null
  shopName: string | null
  unread: number
}

export type SessionActor = { actor: Actor; unread: number; shopName: string | null }

/** The live session's actor, unread count and shop name (merchants); null for an unknown, revoked or expired token. */
export async function findSessionActor(db: Db, token: string, now: Date): Promise<SessionActor | null> {
  const [row] = await queryPrepared<SessionRow>(
    db,
    Prisma.sql`SELECT u.id AS "userId", u.kind::text AS kind, u."displayName", b.id AS "buyerId",
        m.id AS "memberId", m."shopId", m.role::text AS role, m.permissions::text[] AS permissions, sh.name AS "shopName",
        (SELECT count(*)::int FROM "Notification" n WHERE n."userId" = u.id AND n."readAt" IS NULL) AS unread
      FROM "Session" s
      JOIN "User" u ON u.id = s."userId"
      LEFT JOIN "Buyer" b ON b."userId" = u.id
      LEFT JOIN "ShopMember" m ON m."userId" = u.id
      LEFT JOIN "Shop" sh ON sh.id = m."shopId"
      WHERE s."tokenHash" = ${hashToken(token)} AND s."revokedAt" IS NULL AND s."expiresAt" > ${now}`,
  )
  if (!row) return null
  const actor = actorOf(row)
  return actor && { actor, unread: row.unread, shopName: row.shopName }
}

function actorOf(row: SessionRow): Actor | null {
  switch (row.kind) {
    case 'BUYER':
      return row.buyerId ? { kind: 'BUYER', userId: row.userId, buyerId: row.buyerId, displayName: row.displayName } : null
    case 'MERCHANT':
      if (!row.memberId || !row.shopId || !row.role) return null
      return {
        kind: 'MERCHANT',
        userId: row.userId,
        displayName: row.displayName,
        shopId: row.shopId,
        memberId: row.memberId,
        role: row.role,
        grantedPermissions: row.permissions ?? [],
      }
    case 'AGENT':
      return { kind: 'AGENT', userId: row.userId, displayName: row.displayName }
  }
}

export async function findActorBySessionToken(db: Db, token: string, now: Date): Promise<Actor | null> {
  return (await findSessionActor(db, token, now))?.actor ?? null
}
