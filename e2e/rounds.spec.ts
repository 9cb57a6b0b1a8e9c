import { expect, test } from '@playwright/test'
import { DEMO_LOGINS } from '../prisma/demo-data'
import { makePng } from '../tests/fixtures/files'
import { fillRuling, logIn } from './helpers'

// A case that goes to the platform twice: the merchant objects after receiving the return the
// platform ordered, the case comes back as round 2, and the second ruling is carried out.
test('return then refund → the buyer ships → the merchant objects after receipt → round 2 → a second ruling, partial', async ({ browser }) => {
  test.slow() // two rounds with the platform across three people's pages: about 15 s on a quiet machine
  const buyer = await browser.newPage()
  await logIn(buyer, DEMO_LOGINS.buyer1)
  await buyer.goto('/buyer/orders')
  await buyer.locator('tbody tr').filter({ hasText: '青瓷茶杯 一对' }).getByRole('link', { name: '申请售后' }).click()
  await buyer.getByLabel('退货退款').check()
  await buyer.getByLabel('申请原因').selectOption('DAMAGED')
  await buyer.getByRole('button', { name: '提交申请' }).click()
  await expect(buyer.getByTestId('case-state')).toHaveText('待商家处理')
  const caseUrl = new URL(buyer.url()).pathname
  const caseNo = caseUrl.split('/').pop()!

  // Round 1: the buyer escalates at once; the agent orders the return.
  await buyer.getByLabel('介入原因').selectOption('MERCHANT_NOT_RESPONDING')
  await buyer.getByRole('button', { name: '申请平台介入' }).click()
  await expect(buyer.getByTestId('case-state')).toHaveText('平台介入中')
  const agent = await browser.newPage()
  await logIn(agent, DEMO_LOGINS.agent)
  await agent.goto(caseUrl)
  await fillRuling(agent, { liable: 'MERCHANT', outcome: 'RETURN_THEN_REFUND', rationale: '杯身有裂纹，退货后退款' })
  await agent.getByRole('button', { name: '核对判责' }).click()
  // Nothing is recorded before the agent has read what the ruling will do.
  const summary = agent.getByTestId('ruling-summary')
  await expect(summary).toContainText('责任方：商家')
  await expect(summary).toContainText('不退款')
  await expect(summary).toContainText('接下来：买家寄回商品，商家确认收货后退款；判责对商家有约束力。')
  await agent.getByRole('button', { name: '确认并记录判责' }).click()
  await expect(agent.getByRole('status')).toHaveText('判责已提交并执行。')

  // The buyer ships the return to the shop's default address.
  await buyer.reload()
  await expect(buyer.getByTestId('case-state')).toHaveText('待买家退货')
  await expect(buyer.getByTestId('return-address')).toContainText('玉溪茶庄售后部')
  await buyer.getByLabel('快递公司').selectOption('SF')
  await buyer.getByLabel('退货单号').fill('SF5566778899')
  await buyer.getByRole('button', { name: '我已寄回' }).click()
  await expect(buyer.getByTestId('case-state')).toHaveText('待商家收货')

  // The merchant is bound by the ruling: its objection after receipt goes back to the platform.
  const merchant = await browser.newPage()
  await logIn(merchant, DEMO_LOGINS.shopAMain)
  await merchant.goto(caseUrl)
  await expect(merchant.getByTestId('bound-by-ruling')).toContainText('平台已判定"退货后退款"')
  await merchant.getByText('收货后拒绝', { exact: true }).click()
  await merchant.locator('#reject-after-receipt-reason').selectOption('RETURN_INCOMPLETE')
  await merchant.locator('#reject-after-receipt-message').fill('退回的只有一只杯子')
  await merchant.locator('#reject-after-receipt-files').setInputFiles([{ name: '开箱.png', mimeType: 'image/png', buffer: makePng(60, 40) }])
  await merchant.getByRole('button', { name: '收货后提出异议（重新提交平台）' }).click()
  await expect(merchant.getByRole('status')).toHaveText('已提交异议，售后单已重新进入平台介入。')
  await expect(merchant.getByTestId('case-state')).toHaveText('平台介入中')
  await expect(merchant.getByTestId('dispute-round')).toHaveText('第 2 轮平台介入')

  // Round 2: the agent sees the round and the proof, and rules a partial refund; an amount above
  // what the buyer asked for is refused at the field.
  await agent.reload()
  await expect(agent.getByTestId('dispute-round')).toHaveText('第 2 轮平台介入')
  await expect(agent.locator('#dispute')).toContainText('商家对平台判定的退货在收货后提出异议')
  await fillRuling(agent, { liable: 'MERCHANT', outcome: 'PARTIAL_REFUND', amount: '198.01', rationale: '仅退回一只，按一只退款' })
  await agent.getByRole('button', { name: '核对判责' }).click()
  await agent.getByRole('button', { name: '确认并记录判责' }).click()
  await expect(agent.locator('#refundAmount-error')).toHaveText('退款金额不能超过买家申请的金额。')
  await expect(agent.getByLabel(/退款金额/)).toHaveAttribute('aria-invalid', 'true')
  await fillRuling(agent, { liable: 'MERCHANT', outcome: 'PARTIAL_REFUND', amount: '99.00', rationale: '仅退回一只，按一只退款' })
  await agent.getByRole('button', { name: '核对判责' }).click()
  await agent.getByRole('button', { name: '确认并记录判责' }).click()
  await expect(agent.getByRole('status')).toHaveText('判责已提交并执行。')
  await expect(agent.getByTestId('ruling')).toHaveCount(2)

  // The refund goes out; the buyer sees both rounds' rulings and the partial refund.
  const jobs = await agent.request.post('/test-hooks/clock', { data: { advanceMs: 0 } })
  expect((await jobs.json()).refunds.submitted).toBeGreaterThanOrEqual(1) // this one, and any other refund waiting
  await expect(async () => {
    await buyer.goto(caseUrl)
    await expect(buyer.getByTestId('case-state')).toHaveText('部分退款', { timeout: 500 })
  }).toPass()
  await expect(buyer.getByTestId('ruling')).toHaveCount(2)
  await expect(buyer.getByTestId('ruling').first()).toContainText('部分退款 ¥99.00 / 实付 ¥198.00')
  await expect(buyer.getByTestId('ruling').last()).toContainText('退货后退款')
  await expect(buyer.getByTestId('refund')).toContainText('已退款')
  expect(caseNo).toMatch(/^AS\d{14}$/)
})
