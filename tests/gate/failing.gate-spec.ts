// A deliberately failing end-to-end test against the real e2e server.
import { expect, test } from '@playwright/test'

test('fails an assertion on a real page', async ({ page }) => {
  await page.goto('/login')
  await expect(page.locator('h1')).toHaveText('a heading this page never has', { timeout: 1_000 })
})
