import { afterAll, describe, expect, it } from 'vitest'
import { loadFlagsAndNotes, setCaseNote, setFlag, setOrderNote } from '~/services/flags.server'
import { listWorkbench } from '~/models/workbench.server'
import { disputeWorld, TestClock, testDb } from './support'

const db = testDb()
afterAll(() => db.$disconnect())

describe('flags and notes', () => {
  it('a flag set on a case is the order\'s, shows on all its cases and in the workbench filter', async () => {
    const clock = new TestClock()
    const world = await disputeWorld(db, clock)
    const sibling = await db.afterSalesCase.create({
      data: { ...(({ id, caseNo, createdAt, updatedAt, ...rest }) => rest)(world.case), caseNo: `AS-SIB-${Date.now()}`, state: 'CLOSED', autoDecisionInputs: undefined, returnAddress: undefined },
    })
    await setFlag({ db, clock }, world.cs, world.case.id, 'PURPLE')
    expect((await db.order.findUniqueOrThrow({ where: { id: world.order.id } })).flagColor).toBe('PURPLE')
    expect((await db.afterSalesCase.findUniqueOrThrow({ where: { id: sibling.id } })).flagColor).toBe('PURPLE')
    const flagged = await listWorkbench(db, world.main, { tab: 'all', flag: 'PURPLE' })
    expect(flagged.items.map((c) => c.id).sort()).toEqual([world.case.id, sibling.id].sort())
    await setFlag({ db, clock }, world.main, sibling.id, null)
    expect((await db.afterSalesCase.findUniqueOrThrow({ where: { id: world.case.id } })).flagColor).toBeNull()
  })

  it('keeps the order note and the after-sales note apart, with who changed them and when', async () => {
    const clock = new TestClock()
    const world = await disputeWorld(db, clock)
    await setOrderNote({ db, clock }, world.main, world.case.id, '  加急发货  ')
    clock.advance(60_000)
    await setCaseNote({ db, clock }, world.cs, world.case.id, '已联系买家')
    const loaded = await loadFlagsAndNotes(db, world.main, world.case.id)
    expect(loaded?.orderNote).toMatchObject({ text: '加急发货', at: new Date('2026-11-22T02:00:00Z') })
    expect(loaded?.caseNote).toMatchObject({ text: '已联系买家', at: new Date('2026-11-22T02:01:00Z') })
    expect((await db.order.findUniqueOrThrow({ where: { id: world.order.id } })).note).toBe('加急发货')
    await expect(setCaseNote({ db, clock }, world.cs, world.case.id, 'x'.repeat(501))).rejects.toMatchObject({ code: 'INVALID_INPUT' })
  })

  it('another shop finds nothing; a sub-account without after-sales rights may not', async () => {
    const clock = new TestClock()
    const world = await disputeWorld(db, clock)
    await expect(setFlag({ db, clock }, world.outsider, world.case.id, 'RED')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect(await loadFlagsAndNotes(db, world.outsider, world.case.id)).toBeNull()
    const noRights = { ...world.viewer, grantedPermissions: [] as never[] }
    await expect(setOrderNote({ db, clock }, noRights, world.case.id, 'x')).rejects.toMatchObject({ code: 'FORBIDDEN' })
  })
})
