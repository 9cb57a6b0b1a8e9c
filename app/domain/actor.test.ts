import { describe, expect, it } from 'vitest'
import { homePath, merchantCan, merchantPermissions, type Actor } from './actor'

describe('merchant permissions', () => {
  it('gives the main account, admin and customer-service admin "agree to refund" by role', () => {
    for (const role of ['MAIN', 'ADMIN', 'CS_ADMIN'] as const) {
      expect(merchantCan({ role, grantedPermissions: [] }, 'AGREE_REFUND')).toBe(true)
    }
  })

  it('keeps settings away from the customer-service admin', () => {
    expect(merchantCan({ role: 'CS_ADMIN', grantedPermissions: [] }, 'MANAGE_SETTINGS')).toBe(false)
    expect(merchantCan({ role: 'ADMIN', grantedPermissions: [] }, 'MANAGE_SETTINGS')).toBe(true)
  })

  it('gives a custom sub-account exactly what was granted', () => {
    expect(merchantPermissions({ role: 'CUSTOM', grantedPermissions: [] })).toEqual([])
    expect(merchantCan({ role: 'CUSTOM', grantedPermissions: ['HANDLE_AFTER_SALES'] }, 'AGREE_REFUND')).toBe(false)
    expect(merchantCan({ role: 'CUSTOM', grantedPermissions: ['AGREE_REFUND'] }, 'AGREE_REFUND')).toBe(true)
  })

  it('ignores grants on roles that hold permissions by role', () => {
    expect(merchantCan({ role: 'CS_ADMIN', grantedPermissions: ['MANAGE_SETTINGS'] }, 'MANAGE_SETTINGS')).toBe(false)
  })
})

describe('homePath', () => {
  it('lands each kind of user on its own home', () => {
    const buyer: Actor = { kind: 'BUYER', userId: 'u', buyerId: 'b', displayName: 'B' }
    const agent: Actor = { kind: 'AGENT', userId: 'u', displayName: 'A' }
    const merchant: Actor = { kind: 'MERCHANT', userId: 'u', displayName: 'M', shopId: 's', memberId: 'm', role: 'MAIN', grantedPermissions: [] }
    expect(homePath(buyer)).toBe('/buyer/cases')
    expect(homePath(merchant)).toBe('/merchant/workbench')
    expect(homePath(agent)).toBe('/agent/queue')
  })
})
