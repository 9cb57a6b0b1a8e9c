// Builds the acting user from a session token: one indexed query.
import { createHash } from 'node:crypto'
import type { Actor } from '~/domain/actor'
import type { Db } from '~/infra/db.server'

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex')

export async function findActorBySessionToken(db: Db, token: string, now: Date): Promise<Actor | null> {
  const session = await db.session.findFirst({
    where: { tokenHash: hashToken(token), revokedAt: null, expiresAt: { gt: now } },
    select: {
      user: {
        select: {
          id: true,
          kind: true,
          displayName: true,
          buyer: { select: { id: true } },
          shopMember: { select: { id: true, shopId: true, role: true, permissions: true } },
        },
      },
    },
  })
  const user = session?.user
  if (!user) return null
  switch (user.kind) {
    case 'BUYER':
      return user.buyer ? { kind: 'BUYER', userId: user.id, buyerId: user.buyer.id, displayName: user.displayName } : null
    case 'MERCHANT': {
      const member = user.shopMember
      if (!member) return null
      return {
        kind: 'MERCHANT',
        userId: user.id,
        displayName: user.displayName,
        shopId: member.shopId,
        memberId: member.id,
        role: member.role,
        grantedPermissions: member.permissions,
      }
    }
    case 'AGENT':
      return { kind: 'AGENT', userId: user.id, displayName: user.displayName }
  }
}
