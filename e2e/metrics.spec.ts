import { expect, test } from '@playwright/test'
import { E2E_METRICS_TOKEN, logIn } from './helpers'

const scrape = (request: import('@playwright/test').APIRequestContext, token?: string) =>
  request.get('/metrics', { headers: token ? { Authorization: `Bearer ${token}` } : {} })

test('the metrics endpoint answers only the operators token, with latency by route and the lanes', async ({ page, request }) => {
  expect((await scrape(request)).status()).toBe(401)
  expect((await scrape(request, 'not-the-token-at-all-0000000000')).status()).toBe(401)

  await logIn(page, 'main@jade-tea.test')
  await page.goto('/cases/AS2611220005')
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible()

  const answer = await scrape(request, E2E_METRICS_TOKEN)
  expect(answer.status()).toBe(200)
  const text = await answer.text()
  // The case number is not a label: the route that answered it is.
  expect(text).toMatch(/portal_http_request_duration_seconds_count\{route="routes\/cases\.\$caseNo",method="GET",status="2xx"\} [1-9]/)
  expect(text).toMatch(/portal_http_request_duration_seconds_count\{route="routes\/login",method="POST",status="2xx"\} [1-9]/)
  expect(text).not.toContain('AS2611220005')
  expect(text).not.toMatch(/route="unmatched"/) // the manifest endpoint and favicon have labels of their own
  for (const lane of ['email', 'webhook', 'refund', 'deadline']) expect(text).toMatch(new RegExp(`portal_lane_due\\{lane="${lane}"\\} \\d+`))
  expect(text).toMatch(/portal_refunds\{state="SUCCEEDED"\} \d+/)
})
