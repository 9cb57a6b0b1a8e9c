// The control: a passing spec through the same setup exits 0.
import { expect, test } from '@playwright/test'

test('the login page loads', async ({ page }) => {
  const response = await page.goto('/login')
  expect(response?.status()).toBe(200)
  await expect(page.locator('form').first()).toBeVisible()
})
