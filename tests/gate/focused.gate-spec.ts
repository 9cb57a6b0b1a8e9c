// `.only` in an end-to-end spec must fail the run (forbidOnly).
import { expect, test } from '@playwright/test'

test.only('is focused', async ({ page }) => {
  await page.goto('/login')
  await expect(page.locator('form')).toBeVisible()
})

test('would be skipped', async ({ page }) => {
  await page.goto('/login')
})
