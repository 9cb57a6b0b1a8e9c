// Message-box notifications and emails, written in the transaction of the change that causes them.
// The dedupe keys make "one message per reason" a database fact: a second write for the same
// reason is skipped, never duplicated. Every email has one recipient: no party ever sees another's
// address in a To: line.
import type { Notice } from '~/domain/case-machine'
import type { Policy } from '~/domain/policy'
import { translate, type MessageKey, type MessageParams } from '~/i18n/messages'
import { ruleParams } from '~/i18n/rule-params'
import type { Tx } from '~/infra/db.server'
import { membersWith } from '~/models/scopes.server'

export type Recipient = { userId: string; email: string }

/** What people are told: the machine's notices, and the refund lane's. */
export type NoticeKey = Notice | 'refundPaid' | 'refundDelayed' | 'refundFailed' | 'refundStuck' | 'refundOverpaid'

/** Shop members who hear about after-sales matters: everyone allowed to refund (同意退款). */
export async function merchantRecipients(tx: Tx, shopId: string): Promise<Recipient[]> {
  const members = await tx.shopMember.findMany({
    where: membersWith(shopId, 'AGREE_REFUND'),
    select: { user: { select: { id: true, email: true } } },
    orderBy: { createdAt: 'asc' },
  })
  return members.map((m) => ({ userId: m.user.id, email: m.user.email }))
}

export async function buyerRecipient(tx: Tx, buyerId: string): Promise<Recipient[]> {
  const buyer = await tx.buyer.findUniqueOrThrow({ where: { id: buyerId }, select: { user: { select: { id: true, email: true } } } })
  return [{ userId: buyer.user.id, email: buyer.user.email }]
}

export async function agentRecipient(tx: Tx, agentId: string | null): Promise<Recipient[]> {
  if (!agentId) return []
  const agent = await tx.user.findUnique({ where: { id: agentId }, select: { id: true, email: true } })
  return agent ? [{ userId: agent.id, email: agent.email }] : []
}

/** Every agent: for what no single agent holds (a refund the gateway would not pay). */
export async function allAgents(tx: Tx): Promise<Recipient[]> {
  const agents = await tx.user.findMany({ where: { kind: 'AGENT' }, select: { id: true, email: true }, orderBy: { createdAt: 'asc' } })
  return agents.map((a) => ({ userId: a.id, email: a.email }))
}

/** The message-box category each notice files under (消息盒子: 售后信息, 平台介入, 系统). */
const CATEGORY: Record<NoticeKey, 'AFTER_SALES' | 'DISPUTE' | 'SYSTEM'> = {
  refundPaid: 'AFTER_SALES',
  refundFailed: 'SYSTEM',
  refundStuck: 'SYSTEM',
  refundOverpaid: 'SYSTEM',
  refundDelayed: 'AFTER_SALES',
  caseOpened: 'AFTER_SALES',
  caseAutoRefunded: 'AFTER_SALES',
  caseRefundApproved: 'AFTER_SALES',
  caseReturnApproved: 'AFTER_SALES',
  caseRejected: 'AFTER_SALES',
  returnShipped: 'AFTER_SALES',
  receiptExtended: 'AFTER_SALES',
  caseOffline: 'AFTER_SALES',
  caseWithdrawn: 'AFTER_SALES',
  caseClosedNoReturn: 'AFTER_SALES',
  caseClosedNothingToRefund: 'AFTER_SALES',
  // rules.md: the evidence request and its reminder reach 消息盒子 → 售后信息.
  evidenceRequested: 'AFTER_SALES',
  evidenceReminderMerchant: 'AFTER_SALES',
  evidenceReminderBuyer: 'AFTER_SALES',
  disputeOpened: 'DISPUTE',
  disputeReopenedByRejection: 'DISPUTE',
  evidenceSubmitted: 'DISPUTE',
  buyerEvidenceExpired: 'DISPUTE',
  ruled: 'DISPUTE',
}

/** Bilingual email: Chinese first, then English, so every reader can read it. */
export function renderEmail(keys: { subject: MessageKey; body: MessageKey }, params: MessageParams, caseUrl: string) {
  const withUrl = { ...params, url: caseUrl }
  return {
    subject: `${translate('zh-CN', keys.subject, withUrl)} | ${translate('en', keys.subject, withUrl)}`,
    text: `${translate('zh-CN', keys.body, withUrl)}\n\n—\n\n${translate('en', keys.body, withUrl)}\n`,
  }
}

export async function notify(
  tx: Tx,
  input: {
    notice: NoticeKey
    /** A message key suffix that words the notice for its case (e.g. the ruling's outcome). */
    variant?: string
    reason: string
    recipients: Recipient[]
    caseId: string
    caseNo: string
    params: MessageParams
    at: Date
    appUrl: string
    policy: Policy
    email: boolean
  },
) {
  const recipients = [...new Map(input.recipients.map((r) => [r.userId, r])).values()]
  if (recipients.length === 0) return
  const suffix = input.variant ? `.${input.variant}` : ''
  const params = { caseNo: input.caseNo, ...input.params }
  await tx.notification.createMany({
    data: recipients.map((r) => ({
      userId: r.userId,
      category: CATEGORY[input.notice],
      messageKey: `notice.${input.notice}${suffix}`,
      params,
      caseId: input.caseId,
      dedupeKey: `${input.reason}:${r.userId}`,
      createdAt: input.at,
    })),
    skipDuplicates: true,
  })
  if (!input.email) return
  const keys = { subject: `email.${input.notice}.subject` as MessageKey, body: `email.${input.notice}${suffix}.body` as MessageKey }
  const { subject, text } = renderEmail(keys, { ...ruleParams(input.policy), ...params }, `${input.appUrl}/cases/${input.caseNo}`)
  await tx.emailOutbox.createMany({
    data: recipients.map((r) => ({ dedupeKey: `${input.reason}:${r.userId}`, recipients: [r.email], subject, textBody: text, nextAttemptAt: input.at, createdAt: input.at })),
    skipDuplicates: true,
  })
}
