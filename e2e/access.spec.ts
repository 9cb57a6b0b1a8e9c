import { expect, test } from '@playwright/test'
import { DEMO_LOGINS } from '../prisma/demo-data'
import { attemptLogIn, logIn } from './helpers'

test('a buyer opening the agent queue gets the 403 page', async ({ page }) => {
  await logIn(page, DEMO_LOGINS.buyer1)
  await expect(page).toHaveURL('/buyer/cases')
  const response = await page.goto('/agent/queue')
  expect(response?.status()).toBe(403)
  await expect(page.getByRole('heading', { name: '无权访问此页面' })).toBeVisible()
  await expect(page.getByRole('link', { name: '返回我的首页' })).toHaveAttribute('href', '/buyer/cases')
})

test('a merchant opening the buyer pages gets 403', async ({ page }) => {
  await logIn(page, DEMO_LOGINS.shopACsAdmin)
  const response = await page.goto('/buyer/cases')
  expect(response?.status()).toBe(403)
})

test('a wrong password shows a clear error and logs nobody in', async ({ page }) => {
  await attemptLogIn(page, DEMO_LOGINS.buyer3, 'not-the-password')
  await expect(page.getByRole('alert')).toHaveText('邮箱或密码错误。')
  await expect(page).toHaveURL('/login')
  await expect(page.getByTestId('signed-in-as')).toHaveCount(0)
})

test('an anonymous visitor is sent to log in and then back to the page asked for', async ({ page }) => {
  await page.goto('/merchant/workbench')
  await expect(page).toHaveURL(/\/login\?redirectTo=%2Fmerchant%2Fworkbench/)
  await page.getByLabel('邮箱').fill(DEMO_LOGINS.shopAAdmin)
  await page.getByLabel('密码').fill((await import('../prisma/demo-data')).DEMO_PASSWORD)
  await page.getByRole('button', { name: '登录' }).click()
  await expect(page).toHaveURL('/merchant/workbench')
})

test('a cross-site form post is refused', async ({ request, baseURL }) => {
  const response = await request.post('/login', {
    headers: { Origin: 'https://evil.example' },
    form: { email: DEMO_LOGINS.buyer1, password: 'x' },
  })
  expect(response.status()).toBe(403)
  expect(baseURL).toBeTruthy()
})

test('a form without the CSRF token is refused', async ({ request }) => {
  const response = await request.post('/login', { form: { email: DEMO_LOGINS.buyer1, password: 'x' } })
  expect(response.status()).toBe(403)
})

test('healthz says the portal is ready, and its dependency report finds every dependency ok', async ({ request }) => {
  const ready = await request.get('/healthz')
  expect(ready.status()).toBe(200)
  expect(await ready.json()).toMatchObject({ status: 'ok', checks: { database: { status: 'ok' } } })
  const dependencies = await request.get('/healthz/dependencies')
  expect(dependencies.status()).toBe(200)
  expect(await dependencies.json()).toMatchObject({ status: 'ok', checks: { database: { status: 'ok' }, s3: { status: 'ok' }, smtp: { status: 'ok' } } })
})

test('every page runs under a strict Content-Security-Policy: Remix scripts carry the nonce, nothing is blocked', async ({ page }) => {
  const violations: string[] = []
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text())
  })
  const response = await page.goto('/login')
  const csp = response!.headers()['content-security-policy']!
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1]
  expect(nonce).toBeTruthy()
  expect(csp).toContain("frame-ancestors 'none'")
  expect(csp).not.toContain('unsafe-inline')
  // Every script on the page carries this response's nonce (the browser hides the attribute, not the property).
  const nonces = await page.locator('script').evaluateAll((scripts) => scripts.map((s) => (s as HTMLScriptElement).nonce))
  expect(nonces.length).toBeGreaterThan(0)
  expect(new Set(nonces)).toEqual(new Set([nonce]))
  // The app is alive under the policy: log in, then client-side navigation and a form with previews.
  await logIn(page, DEMO_LOGINS.agent)
  await page.getByRole('link', { name: 'AS2611220005' }).click()
  await expect(page.getByTestId('case-state')).toBeVisible()
  await page.getByRole('button', { name: 'English' }).click()
  await expect(page.getByTestId('case-state')).toHaveText('Platform intervention')
  expect(violations).toEqual([])
})
