import { expect, test } from '@playwright/test'
import { DEMO_LOGINS } from '../prisma/demo-data'
import { logIn } from './helpers'

test('the language switch changes the page and is remembered', async ({ page }) => {
  await logIn(page, DEMO_LOGINS.shopAMain)
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('售后工作台')
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN')
  await page.getByRole('button', { name: 'English' }).click()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('After-sales workbench')
  await expect(page.locator('html')).toHaveAttribute('lang', 'en')
  await expect(page.getByRole('columnheader', { name: 'Order' })).toBeVisible()
  await page.reload()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('After-sales workbench')
  await page.getByRole('button', { name: '中文' }).click()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('售后工作台')
})

test('without a chosen language the browser language decides', async ({ browser }) => {
  const context = await browser.newContext({ locale: 'en-US' })
  const page = await context.newPage()
  await page.goto('/login')
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Log in')
  await context.close()
})
