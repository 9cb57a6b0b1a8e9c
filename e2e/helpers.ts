import { expect, type Page } from '@playwright/test'
import { DEMO_PASSWORD } from '../prisma/demo-data'

/** The operators' bearer token the e2e portal runs with (global-setup). */
export const E2E_METRICS_TOKEN = 'e2e-metrics-token-0123456789abcdef'

async function submitLogin(page: Page, email: string, password: string) {
  await page.goto('/login')
  await page.getByLabel(/邮箱|Email/).fill(email)
  await page.getByLabel(/密码|Password/).fill(password)
  await page.getByRole('button', { name: /^(登录|Log in)$/ }).click()
}

/** Logs in and waits until the user has landed on a page past the login form. */
export async function logIn(page: Page, email: string, password = DEMO_PASSWORD) {
  await submitLogin(page, email, password)
  await page.waitForURL((url) => !url.pathname.startsWith('/login'))
  await expectSignedIn(page)
}

export async function attemptLogIn(page: Page, email: string, password: string) {
  await submitLogin(page, email, password)
}

export async function expectSignedIn(page: Page) {
  await expect(page.getByTestId('signed-in-as')).toBeVisible()
}

/** Opens a page and requires it to be the page itself: a 2xx answer, not an error page. */
export async function visit(page: Page, url: string) {
  const response = await page.goto(url)
  expect(response?.status(), `${url}: the answer's status`).toBeLessThan(300)
  await expect(page.getByTestId('error-page'), `${url}: an error page`).toHaveCount(0)
}

/** Fills the agent's ruling form (nothing is preselected); the caller reviews and confirms it. */
export async function fillRuling(page: Page, ruling: { liable: string; outcome: string; amount?: string; rationale: string }) {
  await page.getByLabel('责任方').selectOption(ruling.liable)
  await page.getByLabel('处理结果').selectOption(ruling.outcome)
  if (ruling.amount !== undefined) await page.getByLabel(/退款金额/).fill(ruling.amount)
  await page.getByLabel('判责理由（双方可见）').fill(ruling.rationale)
}
