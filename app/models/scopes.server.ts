// Actor scopes: the `where` fragments that put ownership into every query, in one place. A row
// outside the actor's scope is simply not found.
import { rolesWith, type Actor, type ShopPermission } from '~/domain/actor'
import type { Party } from '~/domain/case-machine'
import { Prisma } from '~/generated/prisma/client'

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

// The same scopes in SQL, for the reads that run as plain statements on the pool (the case page,
// ADR 0012). tests/case-view.test.ts holds each equal to its Prisma fragment above.

/** caseScope on the case aliased `c`. */
export function caseScopeSql(actor: Actor): Prisma.Sql {
  switch (actor.kind) {
    case 'BUYER':
      return Prisma.sql`c."buyerId" = ${actor.buyerId}::uuid`
    case 'MERCHANT':
      return Prisma.sql`c."shopId" = ${actor.shopId}::uuid`
    case 'AGENT':
      return Prisma.sql`(EXISTS (SELECT 1 FROM "Dispute" sd WHERE sd."caseId" = c.id) OR EXISTS (SELECT 1 FROM "CaseLog" sl WHERE sl."caseId" = c.id AND sl.action = 'refund.failed'))`
  }
}

/** evidenceScope on the evidence item aliased `i`, less its case condition (the statement joins the case in scope). */
export function evidenceVisibleSql(actor: Actor): Prisma.Sql {
  const party = viewerParty(actor)
  return party
    ? Prisma.sql`i.status <> 'REMOVED' AND (i."uploadedByRole" = ${party}::"PartyRole" OR i.purpose IN ('REQUEST_PROOF', 'REJECTION_PROOF'))`
    : Prisma.sql`i.status <> 'REMOVED'`
}

/** Members of a shop holding a permission, by role or by grant (the one reading of PERMISSIONS_BY_ROLE in SQL). */
export function membersWith(shopId: string, permission: ShopPermission): Prisma.ShopMemberWhereInput {
  return { shopId, OR: [{ role: { in: rolesWith(permission) } }, { role: 'CUSTOM', permissions: { has: permission } }] }
}
