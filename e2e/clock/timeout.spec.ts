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
  await expect(merchant.getByTestId('notification').filter({ hasText: '举证剩余不足 12 小时' }).first()).toBeVisible()

  // 24 h after the request the system rules for the buyer and the refund goes out.
  await hook(12 * 3600_000)
  await hook(0)
  await buyer.reload()
  await expect(buyer.getByTestId('case-state')).toHaveText('退款成功')
  await expect(buyer.getByTestId('ruling')).toContainText('系统自动判定（规则 dispute.merchant-evidence-timeout）')
  await expect(buyer.getByTestId('refund')).toContainText('已退款')
  await expect(buyer.getByText('商家举证超时，系统判定支持买家')).toBeVisible()
})
