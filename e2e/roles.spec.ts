import { expect, test } from '@playwright/test'
import { DEMO_LOGINS } from '../prisma/demo-data'
import { expectSignedIn, logIn } from './helpers'

test.describe('each role lands on its own home', () => {
  for (const [who, email, path, heading] of [
    ['buyer', DEMO_LOGINS.buyer1, '/buyer/cases', '我的售后'],
    ['merchant main account', DEMO_LOGINS.shopAMain, '/merchant/workbench', '售后工作台'],
    ['merchant custom sub-account', DEMO_LOGINS.shopASub, '/merchant/workbench', '售后工作台'],
    ['platform agent', DEMO_LOGINS.agent, '/agent/queue', '平台介入队列'],
  ] as const) {
    test(who, async ({ page }) => {
      await logIn(page, email)
      await expect(page).toHaveURL(path)
      await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible()
      await expectSignedIn(page)
    })
  }

  test('the merchant workbench lists only its own shop, with masked phones and a countdown', async ({ page }) => {
    await logIn(page, DEMO_LOGINS.shopBMain)
    await expect(page).toHaveURL('/merchant/workbench')
    await expect(page.locator('a[href="/cases/AS2611220004"]')).toBeVisible() // shop B's
    await expect(page.locator('a[href="/cases/AS2611220001"]')).toHaveCount(0) // shop A's
    await expect(page.getByText('137****7003')).toBeVisible()
    await expect(page.getByText('13700137003')).toHaveCount(0)
  })

  test('the agent queue shows the escalated dispute with its evidence countdown', async ({ page }) => {
    await logIn(page, DEMO_LOGINS.agent)
    const row = page.locator('tbody tr', { hasText: 'AS2611220005' })
    await expect(row).toBeVisible()
    await expect(row.getByRole('timer').first()).toHaveText(/剩余 1[23]小时/)
  })

  test('logging out ends the session', async ({ page }) => {
    await logIn(page, DEMO_LOGINS.buyer2)
    await expectSignedIn(page)
    await page.getByRole('button', { name: '退出登录' }).click()
    await expect(page).toHaveURL('/login')
    await page.goto('/buyer/cases')
    await expect(page).toHaveURL(/\/login\?redirectTo=%2Fbuyer%2Fcases/)
  })
})
