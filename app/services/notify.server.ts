// Message-box notifications and emails, written in the transaction of the change that causes them.
// The dedupe keys make "one message per reason" a database fact: a second write for the same
// reason is skipped, never duplicated.
import { translate, type MessageKey, type MessageParams } from '~/i18n/messages'
import type { Tx } from '~/infra/db.server'

export type NoticeKind = 'disputeOpened' | 'evidenceRequested' | 'evidenceReminder' | 'evidenceSubmitted' | 'ruled' | 'buyerEvidenceExpired'

const KEYS: Record<NoticeKind, { message: MessageKey; subject: MessageKey; body: MessageKey }> = {
  disputeOpened: { message: 'notice.disputeOpened', subject: 'email.disputeOpened.subject', body: 'email.disputeOpened.body' },
  evidenceRequested: { message: 'notice.evidenceRequested', subject: 'email.evidenceRequested.subject', body: 'email.evidenceRequested.body' },
  evidenceReminder: { message: 'notice.evidenceReminder', subject: 'email.evidenceReminder.subject', body: 'email.evidenceReminder.body' },
  evidenceSubmitted: { message: 'notice.evidenceSubmitted', subject: 'email.evidenceSubmitted.subject', body: 'email.evidenceSubmitted.body' },
  ruled: { message: 'notice.ruled', subject: 'email.ruled.subject', body: 'email.ruled.body' },
  buyerEvidenceExpired: { message: 'notice.buyerEvidenceExpired', subject: 'email.buyerEvidenceExpired.subject', body: 'email.buyerEvidenceExpired.body' },
}

export type Recipient = { userId: string; email: string }

/** Shop members who hear about after-sales matters: the main account and everyone allowed to refund. */
export async function merchantRecipients(tx: Tx, shopId: string): Promise<Recipient[]> {
  const members = await tx.shopMember.findMany({
    where: { shopId, OR: [{ role: { in: ['MAIN', 'ADMIN', 'CS_ADMIN'] } }, { permissions: { has: 'AGREE_REFUND' } }] },
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

/** Bilingual email: Chinese first, then English, so every reader can read it. */
export function renderEmail(kind: NoticeKind, params: MessageParams, caseUrl: string) {
  const keys = KEYS[kind]
  const withUrl = { ...params, url: caseUrl }
  return {
    subject: `${translate('zh-CN', keys.subject, withUrl)} | ${translate('en', keys.subject, withUrl)}`,
    text: `${translate('zh-CN', keys.body, withUrl)}\n\n—\n\n${translate('en', keys.body, withUrl)}\n`,
  }
}

export async function notify(
  tx: Tx,
  input: {
    kind: NoticeKind
    reason: string
    recipients: Recipient[]
    caseId: string
    caseNo: string
    params: MessageParams
    at: Date
    appUrl: string
    email: boolean
  },
) {
  if (input.recipients.length === 0) return
  const params = { caseNo: input.caseNo, ...input.params }
  await tx.notification.createMany({
    data: input.recipients.map((r) => ({
      userId: r.userId,
      category: input.kind === 'evidenceReminder' || input.kind === 'evidenceRequested' ? ('AFTER_SALES' as const) : ('DISPUTE' as const),
      messageKey: KEYS[input.kind].message,
      params,
      caseId: input.caseId,
      dedupeKey: `${input.reason}:${r.userId}`,
      createdAt: input.at,
    })),
    skipDuplicates: true,
  })
  if (!input.email) return
  const { subject, text } = renderEmail(input.kind, params, `${input.appUrl}/cases/${input.caseNo}`)
  await tx.emailOutbox.createMany({
    data: [{ dedupeKey: input.reason, recipients: input.recipients.map((r) => r.email), subject, textBody: text, nextAttemptAt: input.at, createdAt: input.at }],
    skipDuplicates: true,
  })
}

/** After-sales events the other party hears about in its message box (售后信息). */
export const CASE_NOTICES = [
  'caseOpened',
  'caseAutoRefunded',
  'caseRefundApproved',
  'caseReturnApproved',
  'caseRejected',
  'returnShipped',
  'receiptExtended',
  'caseExchange',
  'caseRepair',
  'caseWithdrawn',
  'caseClosedNoReturn',
] as const
export type CaseNotice = (typeof CASE_NOTICES)[number]

export async function notifyCaseEvent(
  tx: Tx,
  input: { notice: CaseNotice; reason: string; recipients: Recipient[]; caseId: string; caseNo: string; at: Date },
) {
  if (input.recipients.length === 0) return
  await tx.notification.createMany({
    data: input.recipients.map((r) => ({
      userId: r.userId,
      category: 'AFTER_SALES' as const,
      messageKey: `notice.${input.notice}` satisfies MessageKey,
      params: { caseNo: input.caseNo },
      caseId: input.caseId,
      dedupeKey: `${input.reason}:${r.userId}`,
      createdAt: input.at,
    })),
    skipDuplicates: true,
  })
}
