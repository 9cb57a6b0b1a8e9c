// The message box (消息盒子): the header count moves without a reload, categories with after-sales
// info first, each message links to its case, and marking read is per message or per category.
import { expect, test } from '@playwright/test'
import { DEMO_LOGINS } from '../prisma/demo-data'
import { logIn } from './helpers'

test('a new after-sales request raises the merchant’s unread count and workbench counts without a reload; the message opens the case and can be marked read', async ({ browser }) => {
  const merchant = await browser.newPage()
  await logIn(merchant, DEMO_LOGINS.shopACsAdmin)
  await merchant.goto('/messages')
  const categories = merchant.getByRole('navigation', { name: '消息分类' }).getByRole('link')
  await expect(categories.first()).toHaveText(/^售后信息/)
  // Start from an empty box: each category's "mark all read" clears only that category.
  for (const name of ['售后信息', '平台介入', '系统']) {
    await categories.filter({ hasText: name }).click()
    await expect(categories.filter({ hasText: name })).toHaveAttribute('aria-current', 'page')
    const markAll = merchant.getByRole('button', { name: `将${name}全部标为已读` })
    if (await markAll.isVisible()) {
      await markAll.click()
      await expect(markAll).toHaveCount(0)
      await expect(categories.filter({ hasText: name })).toHaveText(name)
    }
  }
  const badge = merchant.getByTestId('unread-badge')
  await expect(badge).toHaveCount(0)
  await merchant.goto('/messages')
  // A mark on the window survives only if the page is never reloaded.
  await merchant.evaluate(() => ((window as unknown as { stillTheSamePage: boolean }).stillTheSamePage = true))

  // The workbench is open in another tab; its counts are read now.
  const workbench = await browser.newPage()
  await logIn(workbench, DEMO_LOGINS.shopACsAdmin)
  await workbench.goto('/merchant/workbench')
  const tabs = workbench.getByRole('navigation', { name: '售后工作台' })
  const countOf = async (tab: string) => Number(/（(\d+)）/.exec((await tabs.getByRole('link', { name: tab }).textContent()) ?? '')?.[1])
  const pendingBefore = await countOf('已发货仅退款待处理')
  const allBefore = await countOf('全部')
  await workbench.evaluate(() => ((window as unknown as { stillTheSamePage: boolean }).stillTheSamePage = true))

  // The buyer asks for a refund on a shipped jasmine tea.
  const buyer = await browser.newPage()
  await logIn(buyer, DEMO_LOGINS.buyer3)
  await buyer.goto('/buyer/orders')
  await buyer.locator('tbody tr').filter({ hasText: '茉莉花茶 200g' }).getByRole('link', { name: '申请售后' }).click()
  await buyer.getByLabel('仅退款').check()
  await buyer.getByLabel('申请原因').selectOption('QUALITY_ISSUE')
  await buyer.getByLabel('问题描述').fill('茶叶受潮结块')
  await buyer.getByRole('button', { name: '提交申请' }).click()
  await expect(buyer).toHaveURL(/\/cases\/AS\d{14}$/)
  const caseNo = new URL(buyer.url()).pathname.split('/').pop()!

  // The merchant's tab comes back into view: the badge polls and shows one more, no page load.
  await merchant.evaluate(() => document.dispatchEvent(new Event('visibilitychange')))
  await expect(badge.locator('[aria-hidden]')).toHaveText('1')
  expect(await merchant.evaluate(() => (window as unknown as { stillTheSamePage?: boolean }).stillTheSamePage)).toBe(true)

  // The workbench tab comes back into view: its counts move, without a page load.
  await workbench.evaluate(() => document.dispatchEvent(new Event('visibilitychange')))
  await expect(tabs.getByRole('link', { name: '已发货仅退款待处理' })).toHaveText(`已发货仅退款待处理（${pendingBefore + 1}）`)
  await expect(tabs.getByRole('link', { name: '全部' })).toHaveText(`全部（${allBefore + 1}）`)
  expect(await workbench.evaluate(() => (window as unknown as { stillTheSamePage?: boolean }).stillTheSamePage)).toBe(true)

  // The message is in 售后信息, links to its case, and marking it read lowers the count.
  await merchant.reload()
  const message = merchant.getByTestId('notification').filter({ hasText: caseNo })
  await expect(message).toContainText(`买家发起了售后申请 ${caseNo}`)
  await message.getByRole('button', { name: '标为已读' }).focus() // by keyboard
  await merchant.keyboard.press('Enter')
  await expect(message.getByRole('button', { name: '标为已读' })).toHaveCount(0)
  await expect(badge).toHaveCount(0)
  await message.getByRole('link', { name: '查看售后单' }).click()
  await expect(merchant).toHaveURL(`/cases/${caseNo}`)
})
