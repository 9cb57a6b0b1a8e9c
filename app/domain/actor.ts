// Who is acting, and what they may do. Pure: mirrors the database enums as string unions.

export type ShopRole = 'MAIN' | 'ADMIN' | 'CS_ADMIN' | 'CUSTOM'
export type ShopPermission = 'AGREE_REFUND' | 'HANDLE_AFTER_SALES' | 'MANAGE_SETTINGS'

export type BuyerActor = { kind: 'BUYER'; userId: string; buyerId: string; displayName: string }
export type MerchantActor = {
  kind: 'MERCHANT'
  userId: string
  displayName: string
  shopId: string
  memberId: string
  role: ShopRole
  /** Only meaningful for CUSTOM sub-accounts; the other roles hold permissions by role. */
  grantedPermissions: readonly ShopPermission[]
}
export type AgentActor = { kind: 'AGENT'; userId: string; displayName: string }
export type Actor = BuyerActor | MerchantActor | AgentActor

const PERMISSIONS_BY_ROLE = {
  MAIN: ['AGREE_REFUND', 'HANDLE_AFTER_SALES', 'MANAGE_SETTINGS'],
  ADMIN: ['AGREE_REFUND', 'HANDLE_AFTER_SALES', 'MANAGE_SETTINGS'],
  CS_ADMIN: ['AGREE_REFUND', 'HANDLE_AFTER_SALES'],
  CUSTOM: [],
} as const satisfies Record<ShopRole, readonly ShopPermission[]>

export function merchantPermissions(actor: Pick<MerchantActor, 'role' | 'grantedPermissions'>): ShopPermission[] {
  if (actor.role === 'CUSTOM') return [...actor.grantedPermissions]
  return [...PERMISSIONS_BY_ROLE[actor.role]]
}

/** The shop roles that hold a permission by role (custom sub-accounts hold it only if granted). */
export function rolesWith(permission: ShopPermission): ShopRole[] {
  return (Object.keys(PERMISSIONS_BY_ROLE) as ShopRole[]).filter((role) => (PERMISSIONS_BY_ROLE[role] as readonly ShopPermission[]).includes(permission))
}

export function merchantCan(actor: Pick<MerchantActor, 'role' | 'grantedPermissions'>, permission: ShopPermission) {
  return merchantPermissions(actor).includes(permission)
}

/** Where each kind of user lands after logging in. */
export function homePath(actor: Actor): string {
  switch (actor.kind) {
    case 'BUYER':
      return '/buyer/cases'
    case 'MERCHANT':
      return '/merchant/workbench'
    case 'AGENT':
      return '/agent/queue'
    default:
      return assertNever(actor)
  }
}

export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`)
}
