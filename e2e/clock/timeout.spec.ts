// Moves the server's clock: runs after every other spec (see playwright.config.ts).
import { expect, test } from '@playwright/test'
import { DEMO_LOGINS } from '../../prisma/demo-data'
import { logIn } from '../helpers'

test('a merchant that stays silent for 24 hours loses: the system rules for the buyer', async ({ browser }) => {
  const buyer = await browser.newPage()
  await logIn(buyer, DEMO_LOGINS.buyer2)
  await buyer.goto('/cases/AS2611220002') // a return awaiting the buyer's parcel at 玉溪茶庄
  await buyer.getByLabel('介入原因').selectOption('NEGOTIATION_FAILED')
  await buyer.getByRole('button', { name: '申请平台介入' }).click()
  await expect(buyer.getByTestId('case-state')).toHaveText('平台介入中')

  const agent = await browser.newPage()
  await logIn(agent, DEMO_LOGINS.agent)
  await agent.goto('/cases/AS2611220002')
  await agent.getByLabel('举证说明').fill('请提供壶盖完好的出库照片')
  await agent.getByRole('button', { name: '发起举证' }).click()
  await expect(agent.getByRole('status')).toHaveText('已发起举证。')

  // 12 h later the merchant has a reminder in its message box.
  const hook = async (advanceMs: number) => (await agent.request.post('/test-hooks/clock', { data: { advanceMs } })).json()
  await hook(12 * 3600_000 + 1000)
  const merchant = await browser.newPage()
  await logIn(merchant, DEMO_LOGINS.shopACsAdmin)
  await merchant.goto('/messages')
  // The real time left when it was sent, and what the merchant's silence would do.
  const reminder = merchant.getByTestId('notification').filter({ hasText: '举证剩余 11 小时 59 分钟' }).first()
  await expect(reminder).toBeVisible()
  await expect(reminder).toContainText('逾期未提交将默认支持买家')

  // 24 h after the request the system rules for the buyer and the refund goes out.
  await hook(12 * 3600_000)
  await hook(0)
  await expect(async () => {
    await buyer.reload()
    await expect(buyer.getByTestId('case-state')).toHaveText('退款成功', { timeout: 500 })
  }).toPass()
  // A system ruling reads as its rule, in the reader's language; the rule id is for agents.
  await expect(buyer.getByTestId('ruling')).toContainText('系统按规则判定')
  await expect(buyer.getByTestId('ruling')).toContainText('商家逾期未举证，系统支持买家')
  await expect(buyer.getByTestId('ruling')).not.toContainText('dispute.merchant-evidence-timeout')
  await agent.reload()
  await expect(agent.getByTestId('ruling')).toContainText('dispute.merchant-evidence-timeout')
  await expect(buyer.getByTestId('refund')).toContainText('已退款')
  await expect(buyer.getByText('商家举证超时，系统判定支持买家')).toBeVisible()
})
