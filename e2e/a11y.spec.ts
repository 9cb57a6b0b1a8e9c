// Accessibility: axe finds no violation at all (of any impact) on the pages people live in, and the
// main tasks work from the keyboard alone.
import AxeBuilder from '@axe-core/playwright'
import { expect, test, type Page } from '@playwright/test'
import { DEMO_LOGINS, DEMO_PASSWORD } from '../prisma/demo-data'
import { logIn, visit } from './helpers'

async function expectNoViolations(page: Page, name: string) {
  // axe passes an error page as readily as the real one: the page must be the one asked for.
  await expect(page.getByTestId('error-page'), `${name}: an error page`).toHaveCount(0)
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()
  // Minor findings fail too: there are none today, so any is news.
  const serious = results.violations
  const summary = serious.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
  expect(summary, `${name}: ${summary.join('\n')}`).toEqual([])
  // axe really ran on the page: it checked rules and found the page's landmarks
  expect(results.passes.length, name).toBeGreaterThan(10)
}

// axe needs pages of contexts made by the test (browser.newContext), not the default one.
async function newPage(browser: import('@playwright/test').Browser) {
  return (await browser.newContext()).newPage()
}

test('login, workbench, case, queue, dashboard and message pages have no axe violations (WCAG 2.1 AA rules)', async ({ browser }) => {
  test.slow() // nine pages, each loaded, checked for errors and analysed by axe
  const page = await newPage(browser)
  await visit(page, '/login')
  await expectNoViolations(page, 'login')

  await logIn(page, DEMO_LOGINS.shopAMain)
  await visit(page, '/merchant/workbench')
  await expectNoViolations(page, 'workbench')
  await visit(page, '/merchant/workbench?tab=awaitingReceipt')
  await expectNoViolations(page, 'workbench, awaiting receipt')
  await visit(page, '/cases/AS2611220005')
  await expectNoViolations(page, 'case (merchant, evidence requested)')
  await visit(page, '/messages')
  await expectNoViolations(page, 'messages')

  const agent = await newPage(browser)
  await logIn(agent, DEMO_LOGINS.agent)
  await visit(agent, '/agent/queue')
  await expectNoViolations(agent, 'agent queue')
  await visit(agent, '/cases/AS2611220005')
  await expectNoViolations(agent, 'case (agent)')
  await visit(agent, '/agent/dashboard')
  await expectNoViolations(agent, 'dashboard')

  const buyer = await newPage(browser)
  await logIn(buyer, DEMO_LOGINS.buyer2)
  await visit(buyer, '/cases/AS2611220005')
  await expectNoViolations(buyer, 'case (buyer)')
})

test('by keyboard alone: log in, skip to the content, search the workbench, open a case, set a flag', async ({ page }) => {
  await page.goto('/login')
  await page.keyboard.press('Tab') // the skip link comes first and moves focus to the content
  await expect(page.getByRole('link', { name: '跳到主要内容' })).toBeFocused()
  await page.keyboard.press('Enter')
  await page.keyboard.press('Tab')
  await expect(page.getByLabel(/邮箱/)).toBeFocused()
  await page.keyboard.type(DEMO_LOGINS.shopAMain)
  await page.keyboard.press('Tab')
  await page.keyboard.type(DEMO_PASSWORD)
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('signed-in-as')).toBeVisible()

  // Search by order number: type, Enter submits the form.
  await page.getByLabel('订单号').focus()
  const orderNo = (await page.locator('tbody tr').first().getByRole('link').first().textContent())!.trim()
  await page.keyboard.type(orderNo)
  await page.keyboard.press('Enter')
  await expect(page).toHaveURL(new RegExp(`orderNo=${orderNo}`))
  await expect(page.locator('tbody tr')).toHaveCount(1)

  // Open the case from its link with Enter, then set a flag with the keyboard.
  await page.locator('tbody tr').first().getByRole('link').first().focus()
  await page.keyboard.press('Enter')
  await expect(page).toHaveURL(/\/cases\/AS\d+/)
  const flag = page.getByLabel('插旗', { exact: true })
  await flag.focus()
  await page.keyboard.press('ArrowDown') // a closed select steps to the next colour
  const color = await flag.inputValue()
  expect(color).not.toBe('')
  await page.keyboard.press('Tab') // to its save button
  await page.keyboard.press('Enter')
  await expect(page.getByRole('status')).toHaveText('旗帜已保存。')
  await expect(page.getByTestId('flag').first()).toHaveAttribute('data-color', color)
})

test('by keyboard alone: an agent changes the queue order', async ({ page }) => {
  await logIn(page, DEMO_LOGINS.agent)
  await page.getByLabel('排序').focus()
  await page.keyboard.press('ArrowDown')
  await page.keyboard.press('Tab') // the search button
  await expect(page.getByRole('button', { name: '查询' })).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(page).toHaveURL(/sort=age/)
  await expect(page.getByLabel('排序')).toHaveValue('age')
})
