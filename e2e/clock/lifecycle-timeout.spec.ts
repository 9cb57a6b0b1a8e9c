// Moves the server's clock (after every other spec): a merchant silent for 48 hours.
import { expect, test } from '@playwright/test'
import { DEMO_LOGINS } from '../../prisma/demo-data'
import { logIn } from '../helpers'

test('a refund-only request the merchant leaves for 48 hours is approved and refunded by the system', async ({ browser }) => {
  const buyer = await browser.newPage()
  await logIn(buyer, DEMO_LOGINS.buyer1)
  await buyer.goto('/cases/AS2611220001') // refund-only at 玉溪茶庄, seeded 18 h into its 48 h
  await expect(buyer.getByTestId('case-state')).toHaveText('待商家处理')
  const hook = async (advanceMs: number) => (await buyer.request.post('/test-hooks/clock', { data: { advanceMs } })).json()
  await hook(29 * 3600_000) // one hour before the deadline: nothing happens
  await buyer.reload()
  await expect(buyer.getByTestId('case-state')).toHaveText('待商家处理')
  await hook(3600_000 + 60_000)
  await hook(0) // the worker's refund job
  await buyer.reload()
  await expect(buyer.getByTestId('case-state')).toHaveText('退款成功')
  await expect(buyer.getByText('商家 48 小时内未处理：系统自动同意并退款')).toBeVisible()
  await expect(buyer.getByTestId('refund')).toContainText('已退款')
})
