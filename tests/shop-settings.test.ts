import { afterAll, describe, expect, it } from 'vitest'
import { defaultPolicy, PG_INT_MAX } from '~/domain/policy'
import { addAddress, addWebhook, archiveAddress, disableWebhook, loadShopSettings, saveAutoRefundStrategy, setDefaultAddress } from '~/services/shop-settings.server'
import { disputeWorld, TestClock, testDb } from './support'

const db = testDb()
afterAll(() => db.$disconnect())

async function setup() {
  const clock = new TestClock()
  const world = await disputeWorld(db, clock)
  return { world, deps: { db, clock, policy: defaultPolicy } }
}
const address = (label: string, isDefault = false) => ({ label, contactName: 'Zhang', phone: '0571-1', address: 'Hangzhou West Lake', isDefault })

describe('shop settings', () => {
  it('keeps exactly one default address: the first, then whichever is chosen, then the next when it is removed', async () => {
    const { world, deps } = await setup()
    const a = await addAddress(deps, world.main, address('A'))
    const b = await addAddress(deps, world.main, address('B'))
    expect(a.isDefault).toBe(true)
    expect(b.isDefault).toBe(false)
    await setDefaultAddress(deps, world.main, b.id)
    await archiveAddress(deps, world.main, b.id)
    const { addresses } = await loadShopSettings(db, world.main)
    expect(addresses.map((x) => [x.label, x.isDefault])).toEqual([['A', true]])
  })

  it('only members allowed to manage settings change them; another shop\'s address is not found', async () => {
    const { world, deps } = await setup()
    await expect(addAddress(deps, world.cs, address('X'))).rejects.toMatchObject({ code: 'FORBIDDEN' })
    const mine = await addAddress(deps, world.main, address('Mine'))
    await expect(setDefaultAddress(deps, world.outsider, mine.id)).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('an id that is not a uuid is not found, not a database error', async () => {
    const { world, deps } = await setup()
    await expect(setDefaultAddress(deps, world.main, 'x')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(archiveAddress(deps, world.main, 'x')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(disableWebhook(deps, world.main, 'x')).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('refuses a strategy outside 1 – 99,999 yuan per order or with a cap below it', async () => {
    const { world, deps } = await setup()
    await expect(saveAutoRefundStrategy(deps, world.main, { enabled: true, perOrderMaxFen: 99, dailyCapFen: 1000_00 })).rejects.toMatchObject({ code: 'AUTO_REFUND_LIMITS_INVALID' })
    await expect(saveAutoRefundStrategy(deps, world.main, { enabled: true, perOrderMaxFen: 100_00, dailyCapFen: 50_00 })).rejects.toMatchObject({ code: 'AUTO_REFUND_LIMITS_INVALID' })
    await saveAutoRefundStrategy(deps, world.main, { enabled: true, perOrderMaxFen: 100_00, dailyCapFen: 500_00 })
    expect((await loadShopSettings(db, world.main)).shop).toMatchObject({ autoRefundEnabled: true, autoRefundPerOrderFen: 100_00, autoRefundDailyCapFen: 500_00 })
  })

  it('refuses an "unlimited" cap of 9 digits of yuan with a clear error (it was a 500 from the integer column), and stores the highest cap', async () => {
    const { world, deps } = await setup()
    await expect(saveAutoRefundStrategy(deps, world.main, { enabled: true, perOrderMaxFen: 100_00, dailyCapFen: 999_999_999_00 })).rejects.toMatchObject({
      code: 'AUTO_REFUND_CAP_TOO_HIGH',
      status: 400,
    })
    const highest = { enabled: true, perOrderMaxFen: defaultPolicy.autoRefundStrategy.maxPerOrderFen, dailyCapFen: defaultPolicy.autoRefundStrategy.maxDailyCapFen }
    await saveAutoRefundStrategy(deps, world.main, highest)
    expect((await loadShopSettings(db, world.main)).shop).toMatchObject({ autoRefundDailyCapFen: highest.dailyCapFen })
  })

  it('holds every shop row to limits whose day total plus one request fits the integer column', async () => {
    const { world } = await setup()
    const write = (perOrder: number, cap: number) =>
      db.$executeRaw`UPDATE "Shop" SET "autoRefundPerOrderFen" = ${perOrder}::int, "autoRefundDailyCapFen" = ${cap}::int WHERE id = ${world.shop.id}::uuid`
    await write(1_00, PG_INT_MAX - 1_00)
    await expect(write(1_00, PG_INT_MAX - 99)).rejects.toThrow(/Shop_auto_refund_limits_fit/)
  })

  it('subscribes a webhook to known events at an http(s) URL, and stops it', async () => {
    const { world, deps } = await setup()
    await expect(addWebhook(deps, world.main, { url: 'ftp://erp.example', events: ['refund.issued'] })).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    await expect(addWebhook(deps, world.main, { url: 'https://erp.example/h', events: ['order.exploded'] })).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    const hook = await addWebhook(deps, world.main, { url: 'https://erp.example/h', events: ['refund.issued', 'refund.issued', 'nope'] })
    expect(hook.events).toEqual(['refund.issued'])
    await expect(disableWebhook(deps, world.outsider, hook.id)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await disableWebhook(deps, world.main, hook.id)
    expect((await loadShopSettings(db, world.main)).webhooks).toEqual([])
  })
})
