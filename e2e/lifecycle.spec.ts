// The after-sales life cycle in Chromium: a return from request to refund, and the express refund.
import { expect, test } from '@playwright/test'
import { DEMO_LOGINS } from '../prisma/demo-data'
import { logIn } from './helpers'

test('buyer requests a return → merchant approves with an address → buyer ships → merchant confirms receipt → buyer sees the refund', async ({ browser }) => {
  // The buyer asks to return a shipped T-shirt bought at 北峰户外.
  const buyer = await browser.newPage()
  await logIn(buyer, DEMO_LOGINS.buyer2)
  await buyer.getByRole('link', { name: '我的订单' }).click()
  const row = buyer.locator('tbody tr').filter({ hasText: '速干T恤 M' })
  await row.getByRole('link', { name: '申请售后' }).click()
  await buyer.getByLabel('退货退款').check()
  await buyer.getByLabel('申请原因').selectOption('QUALITY_ISSUE')
  await buyer.getByLabel('问题描述').fill('领口开线')
  await buyer.getByRole('button', { name: '提交申请' }).click()
  await expect(buyer).toHaveURL(/\/cases\/AS\d{14}$/)
  const caseUrl = new URL(buyer.url()).pathname
  await expect(buyer.getByTestId('case-state')).toHaveText('待商家处理')
  await expect(buyer.getByTestId('case-deadline')).toContainText('商家处理截止')

  // The merchant approves with its default return address and the SMS notice.
  const merchant = await browser.newPage()
  await logIn(merchant, DEMO_LOGINS.shopBMain)
  await merchant.goto(caseUrl)
  await expect(merchant.getByTestId('case-deadline').getByRole('timer')).toHaveText(/剩余 (1天23小时59分|2天0小时0分)/)
  await expect(merchant.getByLabel('退货地址')).toHaveValue(/.+/)
  await merchant.getByLabel(/同时向买家发送短信提示/).check()
  await merchant.getByRole('button', { name: '同意退货' }).click()
  await expect(merchant.getByRole('status')).toHaveText('已同意。')
  await expect(merchant.getByTestId('case-state')).toHaveText('待买家退货')

  // The buyer sees where to send it and enters the tracking number.
  await buyer.reload()
  await expect(buyer.getByTestId('return-address')).toContainText('成都市武侯区天府大道 66 号')
  await expect(buyer.getByTestId('return-address')).toContainText('拒收到付/EMS/顺丰/邮政包邮')
  await buyer.getByLabel('快递公司').selectOption('SF')
  await buyer.getByLabel('退货单号').fill('SF1029384756')
  await buyer.getByRole('button', { name: '我已寄回' }).click()
  await expect(buyer.getByRole('status')).toHaveText('退货单号已保存。')
  await expect(buyer.getByTestId('case-state')).toHaveText('待商家收货')

  // The merchant confirms receipt; the refund goes out (the worker's job, run through the hook).
  await merchant.reload()
  await expect(merchant.getByTestId('return-tracking')).toContainText('顺丰速运 SF1029384756')
  merchant.once('dialog', (dialog) => dialog.accept())
  await merchant.getByRole('button', { name: '已收到货，退款' }).click()
  await expect(merchant.getByRole('status')).toHaveText('已确认收货，退款处理中。')
  const jobs = await merchant.request.post('/test-hooks/clock', { data: { advanceMs: 0 } })
  expect((await jobs.json()).refunds.submitted).toBeGreaterThanOrEqual(1) // this one, and any other refund waiting

  // The sandbox gateway pays and notifies the portal a moment later.
  await expect(async () => {
    await buyer.reload()
    await expect(buyer.getByTestId('case-state')).toHaveText('退款成功', { timeout: 500 })
  }).toPass()
  await expect(buyer.getByTestId('refund')).toContainText('已退款')
  await expect(buyer.getByTestId('refund-arrival')).toHaveText('原路退回，预计 1–3 个工作日到账')
  const history = buyer.getByTestId('negotiation')
  await expect(history).toContainText('上传退货单号')
  await expect(history).toContainText('确认收货')
  await expect(buyer.getByTestId('unread-badge')).toBeVisible()
})

test('an express-refund order is refunded the moment the buyer asks, and the merchant finds it under 极速退款', async ({ browser }) => {
  const page = await browser.newPage()
  await logIn(page, DEMO_LOGINS.buyer1)
  await page.goto('/buyer/orders')
  await page.locator('tbody tr').filter({ hasText: '桂花乌龙 100g' }).getByRole('link', { name: '申请售后' }).click()
  await page.getByLabel('仅退款').check()
  await page.getByLabel('申请原因').selectOption('NO_LONGER_NEEDED')
  await page.getByRole('button', { name: '提交申请' }).click()
  // Approved at once; the money is on its way (退款中 until the gateway has paid), within 24 hours.
  await expect(page.getByTestId('case-state')).toHaveText('退款中')
  await expect(page.getByTestId('auto-decision')).toContainText('极速退款（2023-09-13 起规则）')
  await expect(page.getByTestId('refund-arrival')).toHaveText('极速退款：原路退回，24 小时内到账')
  const caseUrl = new URL(page.url()).pathname

  const merchant = await browser.newPage()
  await logIn(merchant, DEMO_LOGINS.shopAMain)
  await merchant.getByLabel('极速退款').check()
  await merchant.getByRole('button', { name: '搜索', exact: true }).click()
  await expect(merchant).toHaveURL(/express=1/)
  await expect(merchant.locator(`a[href="${caseUrl}"]`)).toBeVisible()
  await expect(merchant.locator('a[href="/cases/AS2611220001"]')).toHaveCount(0) // not an express refund
})

test('merchants cannot open buyer pages; shop settings need the permission to manage them', async ({ browser }) => {
  const main = await browser.newPage()
  await logIn(main, DEMO_LOGINS.shopAMain)
  expect((await main.goto('/buyer/orders'))?.status()).toBe(403)
  expect((await main.goto('/merchant/settings'))?.status()).toBe(200)
  await expect(main.getByTestId('address-book')).toContainText('杭州仓')
  await expect(main.getByTestId('address-book')).not.toContainText('成都仓') // another shop's book
  const cs = await browser.newPage()
  await logIn(cs, DEMO_LOGINS.shopACsAdmin)
  expect((await cs.goto('/merchant/settings'))?.status()).toBe(403)
})

test('bulk receipt in the workbench: the insured return still awaiting its tracking number is held back with the warning', async ({ page }) => {
  await logIn(page, DEMO_LOGINS.shopAMain)
  await page.getByRole('link', { name: '待收货' }).click()
  const insured = page.locator('tbody tr').filter({ has: page.locator('a[href="/cases/AS2611220002"]') })
  await expect(insured).toContainText('运费险')
  await insured.getByRole('checkbox').check()
  await page.locator('tbody tr').filter({ has: page.locator('a[href="/cases/AS2611220003"]') }).getByRole('checkbox').check()
  page.once('dialog', (dialog) => dialog.accept())
  await page.getByRole('button', { name: '批量确认收货（退款）' }).click()
  const result = page.getByTestId('bulk-result')
  await expect(result).toContainText('已确认 1 单')
  await expect(result).toContainText('该订单有运费险，买家尚未上传退货单号')
  await page.goto('/cases/AS2611220003')
  await expect(page.getByTestId('case-state')).toHaveText('退款中') // until the gateway has paid
  await page.goto('/cases/AS2611220002')
  await expect(page.getByTestId('case-state')).toHaveText('待买家退货')
})

test('a flag set on a case shows in the workbench, and the notes keep who changed them', async ({ page }) => {
  await logIn(page, DEMO_LOGINS.shopBMain)
  await page.goto('/cases/AS2611220004')
  await page.getByLabel('插旗', { exact: true }).selectOption('ORANGE')
  await page.locator('#flags-notes form').filter({ has: page.getByLabel('插旗', { exact: true }) }).getByRole('button', { name: '保存' }).click()
  await expect(page.getByRole('status')).toHaveText('旗帜已保存。')
  await page.getByLabel('售后备注').fill('买家同意补发配件')
  await page.locator('form').filter({ has: page.getByLabel('售后备注') }).getByRole('button', { name: '保存' }).click()
  await expect(page.getByRole('status')).toHaveText('售后备注已保存。')
  await expect(page.locator('form').filter({ has: page.getByLabel('售后备注') })).toContainText('孙强 (Sun Qiang) 修改于')
  await page.goto('/merchant/workbench?flag=ORANGE')
  await expect(page.locator('a[href="/cases/AS2611220004"]')).toBeVisible()
  await expect(page.locator('tbody tr').first().getByTestId('flag')).toHaveAttribute('data-color', 'ORANGE')
})
