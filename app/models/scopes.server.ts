// Actor scopes: the `where` fragments that put ownership into every query, in one place. A row
// outside the actor's scope is simply not found.
import { rolesWith, type Actor, type ShopPermission } from '~/domain/actor'
import type { Party } from '~/domain/case-machine'
import type { Prisma } from '~/generated/prisma/client'

/**
 * Cases the actor may see: the buyer's own, the shop's, and for agents every case the platform has
 * handled: one that was escalated, or whose refund the gateway would not pay (agents retry those).
 */
export function caseScope(actor: Actor): Prisma.AfterSalesCaseWhereInput {
  switch (actor.kind) {
    case 'BUYER':
      return { buyerId: actor.buyerId }
    case 'MERCHANT':
      return { shopId: actor.shopId }
    case 'AGENT':
      return { OR: [{ disputes: { some: {} } }, { logs: { some: { action: 'refund.failed' } } }] }
  }
}

export const viewerParty = (actor: Actor): Party | null => (actor.kind === 'BUYER' ? 'BUYER' : actor.kind === 'MERCHANT' ? 'MERCHANT' : null)

/**
 * Evidence a party may see: its own dispute files, and the proofs of the negotiation (the buyer's
 * request proof, the merchant's rejection proof), which both parties see. Agents see all.
 */
export function evidenceScope(actor: Actor): Prisma.EvidenceItemWhereInput {
  const party = viewerParty(actor)
  const visible: Prisma.EvidenceItemWhereInput = party ? { OR: [{ uploadedByRole: party }, { purpose: { in: ['REQUEST_PROOF', 'REJECTION_PROOF'] } }] } : {}
  return { status: { not: 'REMOVED' }, ...visible, case: caseScope(actor) }
}

/** Members of a shop holding a permission, by role or by grant (the one reading of PERMISSIONS_BY_ROLE in SQL). */
export function membersWith(shopId: string, permission: ShopPermission): Prisma.ShopMemberWhereInput {
  return { shopId, OR: [{ role: { in: rolesWith(permission) } }, { role: 'CUSTOM', permissions: { has: permission } }] }
}
