import { expect, test, type Page } from '@playwright/test'
import { makePdf, makePng } from '../tests/fixtures/files'
import { DEMO_LOGINS } from '../prisma/demo-data'
import { fillRuling, logIn } from './helpers'

const CASE = 'AS2611220004' // 北峰户外's rejected case of buyer3

async function openCase(page: Page, email: string) {
  await logIn(page, email)
  await page.goto(`/cases/${CASE}`)
}

test('buyer escalates → agent asks → merchant uploads and submits → agent rules → buyer sees the refund', async ({ browser }) => {
  test.slow() // four people's pages, uploads and a refund through the worker: about 15 s on a quiet machine
  // The buyer escalates the rejected case.
  const buyer = await browser.newPage()
  await openCase(buyer, DEMO_LOGINS.buyer3)
  await expect(buyer.getByTestId('case-state')).toHaveText('商家已拒绝')
  await buyer.getByLabel('介入原因').selectOption('MERCHANT_REJECTED_UNFAIRLY')
  await buyer.getByLabel('问题描述').fill('衣服颜色与图片严重不符')
  await buyer.getByRole('button', { name: '申请平台介入' }).click()
  await expect(buyer.getByRole('status')).toHaveText('已申请平台介入，已通知双方。')
  await expect(buyer.getByTestId('case-state')).toHaveText('平台介入中')

  // The agent finds it in the queue and asks the merchant for evidence.
  const agent = await browser.newPage()
  await logIn(agent, DEMO_LOGINS.agent)
  await agent.getByRole('link', { name: CASE }).click()
  await agent.getByLabel('举证说明').fill('请提供商品实拍图及出库记录')
  await agent.getByLabel('所需材料清单，每行一项（可选）').fill('实拍图\n出库记录')
  await agent.getByRole('button', { name: '发起举证' }).click()
  await expect(agent.getByRole('status')).toHaveText('已发起举证。')

  // The merchant sees the countdown in the workbench and uploads a real PNG and PDF.
  const merchant = await browser.newPage()
  await logIn(merchant, DEMO_LOGINS.shopBMain)
  await merchant.getByRole('link', { name: '待举证' }).click()
  const row = merchant.locator('tbody tr').first()
  await expect(row.getByRole('timer')).toHaveText(/剩余 23小时59分|剩余 1天0小时0分/)
  await row.getByRole('link').first().click()
  await expect(merchant).toHaveURL(`/cases/${CASE}`)
  await merchant.getByLabel(/添加文件/).setInputFiles([
    { name: '实拍图.png', mimeType: 'image/png', buffer: makePng(120, 80) },
    { name: '出库记录.pdf', mimeType: 'application/pdf', buffer: makePdf() },
  ])
  await expect(merchant.getByRole('link', { name: '实拍图.png' })).toBeVisible()
  await expect(merchant.getByRole('link', { name: '出库记录.pdf' })).toBeVisible()
  await expect(merchant.getByTestId('evidence-file')).toHaveCount(2)
  await merchant.getByLabel(/拒绝说明/).fill('发货前已核对颜色，见实拍图与出库记录。')
  merchant.once('dialog', (dialog) => dialog.accept())
  await merchant.getByRole('button', { name: '提交举证（2 个文件）' }).click()
  await expect(merchant.getByRole('status')).toHaveText('举证已提交。')
  await expect(merchant.getByText('已提交', { exact: true })).toBeVisible()
  const pngHref = await merchant.getByRole('link', { name: '实拍图.png' }).getAttribute('href')

  // The agent sees both files, with previews, and rules a partial refund.
  await agent.reload()
  const merchantSide = agent.getByTestId('side-MERCHANT')
  await expect(merchantSide.getByRole('img', { name: '实拍图.png' })).toBeVisible()
  await expect(merchantSide.locator('iframe[title="出库记录.pdf"]')).toBeVisible()
  const image = await agent.request.get(pngHref!)
  expect(image.status()).toBe(200)
  expect(image.headers()['content-type']).toBe('image/png')
  // Streamed by the portal under its own preview policy: sandboxed, no scripts, never sniffed.
  expect(image.headers()['content-security-policy']).toContain('sandbox')
  expect(image.headers()['content-security-policy']).toContain("default-src 'none'")
  expect(image.headers()['x-content-type-options']).toBe('nosniff')
  expect(image.headers()['cache-control']).toBe('private, no-store')
  await fillRuling(agent, { liable: 'MERCHANT', outcome: 'PARTIAL_REFUND', amount: '300.00', rationale: '颜色存在色差，双方各担部分责任' })
  await agent.getByLabel('内部备注（仅客服可见）').fill('实拍图与详情页对比明显')
  await agent.getByLabel('实拍图.png').check()
  await agent.getByRole('button', { name: '核对判责' }).click()
  await agent.getByRole('button', { name: '确认并记录判责' }).click()
  await expect(agent.getByRole('status')).toHaveText('判责已提交并执行。')

  // The refund is issued (the worker's job, run through the test hook) and the buyer sees it.
  const jobs = await agent.request.post('/test-hooks/clock', { data: { advanceMs: 0 } })
  expect(jobs.status(), await jobs.text()).toBe(200)
  expect((await jobs.json()).refunds.submitted).toBeGreaterThanOrEqual(1) // this one, and any other refund waiting
  // A partial refund reads as partial everywhere: the case's badge, the ruling, the order, the refund line.
  await expect(async () => {
    await buyer.reload()
    await expect(buyer.getByTestId('case-state')).toHaveText('部分退款', { timeout: 500 })
  }).toPass()
  const ruling = buyer.getByTestId('ruling')
  await expect(ruling).toContainText('部分退款 ¥300.00 / 实付 ¥899.00')
  await expect(buyer.getByTestId('refund-standing')).toHaveText('部分退款 ¥300.00 / 实付 ¥899.00')
  await expect(buyer.getByTestId('refund-arrival')).toHaveText('原路退回，预计 1–3 个工作日到账')
  await expect(ruling).toContainText('颜色存在色差，双方各担部分责任')
  await expect(ruling).not.toContainText('实拍图与详情页对比明显') // the internal note stays with agents
  await expect(buyer.getByTestId('refund')).toContainText('已退款')
  await expect(buyer.getByTestId('unread-badge')).toBeVisible()
  await buyer.goto('/buyer/orders')
  await expect(buyer.locator('tbody tr').filter({ hasText: '防风冲锋衣 L' }).getByTestId('refund-standing')).toHaveText('部分退款 ¥300.00 / 实付 ¥899.00')
  // In English too.
  await buyer.goto(`/cases/${CASE}`)
  await buyer.getByRole('button', { name: 'English' }).click()
  await expect(buyer.getByTestId('refund-standing')).toHaveText('Partial refund ¥300.00 / paid ¥899.00')
  await expect(buyer.getByTestId('case-state')).toHaveText('Partially refunded')

  // Another shop's merchant finds neither the case nor its files.
  const stranger = await browser.newPage()
  await logIn(stranger, DEMO_LOGINS.shopAMain)
  expect((await stranger.goto(`/cases/${CASE}`))?.status()).toBe(404)
  expect((await stranger.request.get(pngHref!, { maxRedirects: 0 })).status()).toBe(404)
  // and the buyer does not get the merchant's files either
  expect((await buyer.request.get(pngHref!, { maxRedirects: 0 })).status()).toBe(404)
})

test('an HTML file renamed .jpg is refused with a clear message', async ({ page }) => {
  await logIn(page, DEMO_LOGINS.shopAMain)
  await page.goto('/cases/AS2611220005')
  await page.getByLabel(/添加文件/).setInputFiles([{ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('<html><script>alert(1)</script></html>') }])
  await expect(page.getByRole('alert')).toHaveText('不支持该文件类型，请上传 JPEG、PNG、WebP、HEIC、PDF、MP4 或 MOV。')
  await expect(page.getByTestId('evidence-file')).toHaveCount(0)
})
