// The agent console: claim from 未分配, hand over to a colleague, who hears of it in the message box.
import { expect, test } from '@playwright/test'
import { DEMO_LOGINS } from '../prisma/demo-data'
import { fillRuling, logIn } from './helpers'

const CASE = 'AS2611220008' // 北峰户外's backpack, escalated 6 hours ago, nobody on it yet

test('an agent claims an unassigned dispute and hands it to a colleague, who is told in the message box', async ({ browser }) => {
  const agent = await browser.newPage()
  await logIn(agent, DEMO_LOGINS.agent)
  const scopes = agent.getByRole('navigation', { name: '负责人范围' })
  const mineOpen = agent.getByTestId('sla').locator('div', { hasText: '我负责的待处理' }).locator('dd')
  const before = Number(await mineOpen.textContent())

  await scopes.getByRole('link', { name: '未分配' }).click()
  await expect(scopes.getByRole('link', { name: '未分配' })).toHaveAttribute('aria-current', 'page') // the case is in 全部 too
  const row = agent.locator('tbody tr', { hasText: CASE })
  await expect(row).toContainText('北峰户外')
  await expect(row).toContainText('待判责')
  await row.getByRole('button', { name: `认领售后单 ${CASE}` }).focus() // by keyboard
  await agent.keyboard.press('Enter')
  await expect(agent.getByRole('status')).toHaveText('已认领。')
  await expect(mineOpen).toHaveText(String(before + 1))
  await expect(agent.locator('tbody tr', { hasText: CASE })).toHaveCount(0) // no longer unassigned

  await scopes.getByRole('link', { name: '我负责的' }).click()
  await expect(scopes.getByRole('link', { name: '我负责的' })).toHaveAttribute('aria-current', 'page')
  const mine = agent.locator('tbody tr', { hasText: CASE })
  await expect(mine).toContainText('我')
  await mine.getByLabel(`将售后单 ${CASE} 分配给`).selectOption({ label: '小二 赵敏 (Agent Zhao)' })
  await mine.getByRole('button', { name: '分配' }).click()
  await expect(agent.getByRole('status')).toHaveText('已分配。')
  await expect(mineOpen).toHaveText(String(before))

  // The colleague finds it in 平台介入 messages and in the queue under 我负责的.
  const colleague = await browser.newPage()
  await logIn(colleague, DEMO_LOGINS.agent2)
  await expect(colleague.getByTestId('unread-badge')).toBeVisible()
  await colleague.goto('/messages?category=DISPUTE')
  const message = colleague.getByTestId('notification').filter({ hasText: CASE })
  await expect(message).toContainText(`小二 李娜 (Agent Li) 将售后单 ${CASE} 的平台介入分配给了您。`)
  await message.getByRole('link', { name: '查看售后单' }).click()
  await expect(colleague.getByText('介入单分配给 小二 赵敏 (Agent Zhao)')).toBeVisible()
  await expect(colleague.getByText('小二 李娜 (Agent Li) 认领了介入单')).toBeVisible()
  // From 售后信息 (nothing unread there), "mark all read" clears the other categories too.
  await colleague.goto('/messages')
  await expect(colleague.getByRole('button', { name: /^将售后信息全部标为已读$/ })).toHaveCount(0)
  await colleague.getByRole('button', { name: '全部标为已读' }).click()
  await expect(colleague.getByTestId('unread-badge')).toHaveCount(0)
  await expect(colleague.getByRole('button', { name: '全部标为已读' })).toHaveCount(0)

  // The buyer's view of the same case shows neither.
  const buyer = await browser.newPage()
  await logIn(buyer, DEMO_LOGINS.buyer1)
  await buyer.goto(`/cases/${CASE}`)
  await expect(buyer.getByTestId('case-state')).toHaveText('平台介入中')
  await expect(buyer.getByText('介入单分配给')).toHaveCount(0)
  await expect(buyer.getByText('认领了介入单')).toHaveCount(0)
})

// Runs after the test above, which left CASE with 小二 赵敏 (Agent Zhao).
test("an agent cannot rule a colleague's dispute without taking it over, and the colleague is told", async ({ browser }) => {
  const agent = await browser.newPage()
  await logIn(agent, DEMO_LOGINS.agent)
  await agent.goto(`/cases/${CASE}`)
  const holder = agent.getByTestId('dispute-holder')
  await expect(holder).toContainText('负责客服：小二 赵敏 (Agent Zhao)')
  await expect(holder).toContainText('该介入单由 小二 赵敏 (Agent Zhao) 负责，您只能查看。')
  // Read-only: neither the ruling nor an evidence request is offered.
  await expect(agent.getByRole('heading', { name: '判责', exact: true })).toHaveCount(0)
  await expect(agent.getByRole('heading', { name: '要求举证' })).toHaveCount(0)

  // 接手 asks once more, naming the colleague; dismissing it changes nothing.
  const prompts: string[] = []
  agent.once('dialog', (dialog) => {
    prompts.push(dialog.message())
    void dialog.dismiss()
  })
  await holder.getByRole('button', { name: '接手' }).click()
  await expect.poll(() => prompts).toEqual(['确定从 小二 赵敏 (Agent Zhao) 手中接手该介入单吗？'])
  await expect(holder).toContainText('负责客服：小二 赵敏 (Agent Zhao)')
  agent.once('dialog', (dialog) => void dialog.accept())
  await holder.getByRole('button', { name: '接手' }).click()
  await expect(agent.getByRole('status')).toHaveText('已接手，该介入单由您负责。')
  await expect(holder).toContainText('负责客服：您（小二 李娜 (Agent Li)）')
  await expect(holder.getByRole('button')).toHaveCount(0)
  await expect(agent.getByRole('heading', { name: '判责', exact: true })).toBeVisible()

  const colleague = await browser.newPage()
  await logIn(colleague, DEMO_LOGINS.agent2)
  await colleague.goto('/messages?category=DISPUTE')
  await expect(colleague.getByTestId('notification').filter({ hasText: CASE }).first()).toContainText(
    `小二 李娜 (Agent Li) 接手了售后单 ${CASE} 的平台介入，您不再负责该介入单。`,
  )
  await colleague.goto(`/cases/${CASE}`)
  await expect(colleague.getByTestId('dispute-holder')).toContainText('负责客服：小二 李娜 (Agent Li)')
  await expect(colleague.getByRole('heading', { name: '判责', exact: true })).toHaveCount(0)
})

test('a ruling is never preselected, and is summarised with the evidence window it would end before anything is recorded', async ({ page }) => {
  await logIn(page, DEMO_LOGINS.agent)
  await page.goto('/cases/AS2611220005') // held by this agent; the merchant's evidence is due in about 13 hours
  await expect(page.getByLabel('责任方')).toHaveValue('')
  await expect(page.getByLabel('处理结果')).toHaveValue('')
  // Incomplete: the browser stops it, nothing is summarised.
  await page.getByRole('button', { name: '核对判责' }).click()
  await expect(page.getByTestId('ruling-summary')).toHaveCount(0)
  // A refund-only request: a return is offered only as an explicit conversion.
  await expect(page.getByLabel('处理结果').locator('option[value="RETURN_THEN_REFUND"]')).toHaveText('退货后退款（将仅退款转为退货退款）')
  await fillRuling(page, { liable: 'BUYER', outcome: 'REJECT_REQUEST', rationale: '证据不足' })
  await page.getByRole('button', { name: '核对判责' }).click()
  const summary = page.getByTestId('ruling-summary')
  await expect(summary).toContainText('责任方：买家')
  await expect(summary).toContainText('接下来：驳回买家申请，售后单关闭，买家不能就同一商品再次申请。')
  await expect(summary.getByRole('alert')).toContainText('商家的举证期尚未结束，现在判责将提前结束举证。')
  // Going back records nothing.
  await page.getByRole('button', { name: '返回修改' }).click()
  await expect(summary).toHaveCount(0)
  await page.reload()
  await expect(page.getByTestId('case-state')).toHaveText('平台介入中')
})

test('the dashboard draws its four charts with a text summary each, and the period can be changed', async ({ page }) => {
  await logIn(page, DEMO_LOGINS.agent)
  await page.getByRole('navigation', { name: '主菜单' }).getByRole('link', { name: '数据看板' }).click()
  await expect(page.getByRole('heading', { name: '纠纷数据看板' })).toBeVisible()
  await expect(page.getByRole('figure')).toHaveCount(4)
  const daily = page.getByRole('img', { name: /^近 30 天共介入 \d+ 起，判责 \d+ 起。$/ })
  await expect(daily).toBeVisible()
  await expect(daily.locator('rect')).toHaveCount(60) // two series × 30 days
  await page.getByRole('link', { name: '近 7 天' }).click()
  await expect(page.getByRole('img', { name: /^近 7 天共介入/ }).locator('rect')).toHaveCount(14)
  // the demo's escalations of the last days are counted
  const escalations = Number(await page.getByTestId('kpis').locator('div', { hasText: '介入数' }).locator('dd').textContent())
  expect(escalations).toBeGreaterThanOrEqual(2)
  await page.getByText('查看数据').first().click()
  await expect(page.getByRole('figure').first().getByRole('table')).toBeVisible()
})
