// Outbound webhooks, so an ERP can stop shipping the moment an order is refunded. Events are
// written to WebhookDelivery in the transaction that causes them (one row per subscription and
// event: the unique key makes a repeat a no-op), then delivered by the worker: signed, timestamped,
// claimed with a lease (FOR UPDATE SKIP LOCKED), retried with exponential backoff. The delivery id
// is the same on every retry, so a receiver can drop a duplicate. Receivers are merchants' choice,
// so every request goes through safe-egress: no private or internal address, at registration and
// again at delivery (after resolution, connecting only to the checked address).
import { merchantCan } from '~/domain/actor'
import type { Policy } from '~/domain/policy'
import type { MessageKey } from '~/i18n/messages'
import type { Prisma } from '~/generated/prisma/client'
import type { Db, Tx } from '~/infra/db.server'
import { logger } from '~/infra/logger.server'
import { checkEgressUrl, egressRequest, type EgressFailure, type EgressOptions } from '~/infra/safe-egress.server'
import { deriveSecret, sign } from '~/infra/signing.server'
import { backoffMs, leaseDueRows } from './leased-queue.server'

import type { WebhookEvent } from '~/domain/webhook-events'

export const WEBHOOK_HEADERS = {
  id: 'X-Webhook-Id',
  event: 'X-Webhook-Event',
  timestamp: 'X-Webhook-Timestamp',
  signature: 'X-Webhook-Signature',
} as const

/** Queues an event for every active subscription of the shop that wants it. */
export async function emitWebhookEvent(
  tx: Tx,
  input: { shopId: string; type: WebhookEvent; eventId: string; at: Date; data: Prisma.InputJsonObject },
) {
  const subscriptions = await tx.webhookSubscription.findMany({
    where: { shopId: input.shopId, disabledAt: null, events: { has: input.type } },
    select: { id: true },
  })
  if (subscriptions.length === 0) return
  const payload = { id: input.eventId, type: input.type, occurredAt: input.at.toISOString(), shopId: input.shopId, data: input.data }
  await tx.webhookDelivery.createMany({
    data: subscriptions.map((s) => ({
      subscriptionId: s.id,
      eventId: input.eventId,
      eventType: input.type,
      payload,
      nextAttemptAt: input.at,
      createdAt: input.at,
    })),
    skipDuplicates: true,
  })
}

export function webhookRetryDelayMs(attempts: number, policy: Policy): number {
  return backoffMs(attempts, policy.integrations.webhookFirstRetryMs, policy.integrations.webhookMaxRetryMs)
}

type Leased = { id: string; subscriptionId: string; eventType: string; payload: unknown; attempts: number }

async function claim(db: Db, now: Date, policy: Policy, batchSize: number) {
  // Held for longer than one attempt can take; a crashed worker's row is retried after it.
  const leaseMs = policy.integrations.webhookTimeoutMs * 3
  const { leaseToken, rows } = await leaseDueRows<Leased>(db, 'WebhookDelivery', ['id', 'subscriptionId', 'eventType', 'payload', 'attempts'], now, leaseMs, batchSize)
  if (rows.length === 0) return { leaseToken, rows: [] }
  const subscriptions = await db.webhookSubscription.findMany({ where: { id: { in: rows.map((r) => r.subscriptionId) } }, select: { id: true, url: true, shopId: true } })
  const byId = new Map(subscriptions.map((s) => [s.id, s]))
  return { leaseToken, rows: rows.map((r) => ({ ...r, url: byId.get(r.subscriptionId)!.url, shopId: byId.get(r.subscriptionId)!.shopId })) }
}

/** Why an attempt failed: stored in WebhookDelivery.lastError and shown to the merchant, never raw error text. */
export type WebhookFailure = EgressFailure | 'HTTP_STATUS' | 'REDIRECT'
/** What the settings page shows; OTHER stands for anything else stored (rows from before these codes). */
export type WebhookFailureShown = WebhookFailure | 'OTHER'
const FAILURES: readonly WebhookFailure[] = ['NOT_HTTP', 'BAD_URL', 'PRIVATE_ADDRESS', 'UNRESOLVABLE', 'TIMEOUT', 'TLS_FAILED', 'CONNECTION_FAILED', 'HTTP_STATUS', 'REDIRECT']

export function shownFailure(lastError: string | null): WebhookFailureShown | null {
  if (lastError === null) return null
  return (FAILURES as readonly string[]).includes(lastError) ? (lastError as WebhookFailure) : 'OTHER'
}

// The message-box notice is rendered in each reader's language from language-neutral params: a short technical word.
const NOTICE_REASON: Record<Exclude<WebhookFailure, 'HTTP_STATUS' | 'REDIRECT'>, string> = {
  NOT_HTTP: 'not http(s)',
  BAD_URL: 'invalid URL',
  PRIVATE_ADDRESS: 'private address refused',
  UNRESOLVABLE: 'DNS lookup failed',
  TIMEOUT: 'timeout',
  TLS_FAILED: 'TLS error',
  CONNECTION_FAILED: 'connection failed',
}
const noticeReason = (failure: WebhookFailure, statusCode: number | null) =>
  failure === 'HTTP_STATUS' || failure === 'REDIRECT' ? `HTTP ${statusCode}` : NOTICE_REASON[failure]

export type WebhookDeliveryOptions = EgressOptions & { batchSize?: number }

/** Sends what is due; returns how many were delivered (2xx) and how many attempts failed. */
export async function deliverDueWebhooks(db: Db, now: () => Date, policy: Policy, options: WebhookDeliveryOptions): Promise<{ delivered: number; failed: number }> {
  const { leaseToken, rows } = await claim(db, now(), policy, options.batchSize ?? 20)
  let delivered = 0
  let failed = 0
  for (const delivery of rows) {
    const body = JSON.stringify(delivery.payload)
    const timestamp = Math.floor(now().getTime() / 1000)
    const headers = {
      'Content-Type': 'application/json',
      'User-Agent': 'dispute-portal-webhooks/1',
      [WEBHOOK_HEADERS.id]: delivery.id,
      [WEBHOOK_HEADERS.event]: delivery.eventType,
      [WEBHOOK_HEADERS.timestamp]: String(timestamp),
      [WEBHOOK_HEADERS.signature]: sign(deriveSecret('webhook', delivery.subscriptionId), timestamp, body),
    }
    const result = await egressRequest(delivery.url, { method: 'POST', headers, body, timeoutMs: policy.integrations.webhookTimeoutMs }, options)
    const statusCode = result.ok ? result.status : null
    const failure: WebhookFailure | null = !result.ok
      ? result.reason
      : result.status >= 200 && result.status < 300
        ? null
        : result.status >= 300 && result.status < 400
          ? 'REDIRECT'
          : 'HTTP_STATUS'
    if (!failure) {
      await db.webhookDelivery.updateMany({
        where: { id: delivery.id, leaseToken },
        data: { status: 'DELIVERED', deliveredAt: now(), lastStatusCode: statusCode, lastError: null, leaseUntil: null, leaseToken: null },
      })
      delivered++
      continue
    }
    failed++
    const giveUp = delivery.attempts >= policy.integrations.webhookMaxAttempts
    await db.$transaction(async (tx) => {
      const { count } = await tx.webhookDelivery.updateMany({
        where: { id: delivery.id, leaseToken },
        data: {
          status: giveUp ? 'FAILED' : 'PENDING',
          lastStatusCode: statusCode,
          lastError: failure,
          nextAttemptAt: new Date(now().getTime() + webhookRetryDelayMs(delivery.attempts, policy)),
          leaseUntil: null,
          leaseToken: null,
        },
      })
      if (giveUp && count === 1) await noticeGaveUp(tx, { ...delivery, error: noticeReason(failure, statusCode) }, now())
    })
    // The raw error goes to the server log only: shown to a merchant it would map the internal network.
    const detail = result.ok ? undefined : result.detail
    logger.warn('webhook delivery failed', { deliveryId: delivery.id, attempts: delivery.attempts, giveUp, reason: failure, statusCode, detail })
  }
  return { delivered, failed }
}

/**
 * A delivery given up on is news for whoever manages the shop's settings: a SYSTEM message in their
 * message box (消息盒子 → 系统), since the receiving system has missed an event for good.
 */
async function noticeGaveUp(tx: Tx, delivery: { id: string; shopId: string; url: string; eventType: string; attempts: number; error: string }, at: Date) {
  const members = await tx.shopMember.findMany({ where: { shopId: delivery.shopId }, select: { userId: true, role: true, permissions: true } })
  const managers = members.filter((m) => merchantCan({ role: m.role, grantedPermissions: m.permissions }, 'MANAGE_SETTINGS'))
  await tx.notification.createMany({
    data: managers.map((m) => ({
      userId: m.userId,
      category: 'SYSTEM' as const,
      messageKey: 'notice.webhookGaveUp' satisfies MessageKey,
      params: { url: delivery.url, event: delivery.eventType, attempts: delivery.attempts, error: delivery.error },
      dedupeKey: `webhook-gave-up:${delivery.id}:${m.userId}`,
      createdAt: at,
    })),
    skipDuplicates: true,
  })
}

// ─── subscriptions (shop settings) ─────────────────────────────────────────────

export async function listSubscriptions(db: Db, shopId: string) {
  const subscriptions = await db.webhookSubscription.findMany({
    where: { shopId, disabledAt: null },
    orderBy: { createdAt: 'asc' },
    select: {
      id: true,
      url: true,
      events: true,
      createdAt: true,
      deliveries: {
        orderBy: { createdAt: 'desc' },
        take: 10,
        select: { id: true, eventType: true, status: true, attempts: true, lastStatusCode: true, lastError: true, deliveredAt: true, createdAt: true, nextAttemptAt: true },
      },
    },
  })
  return subscriptions.map((s) => ({
    ...s,
    deliveries: s.deliveries.map(({ lastError, ...d }) => ({ ...d, failure: shownFailure(lastError) })),
    secret: deriveSecret('webhook', s.id),
  }))
}

/** A receiver must be reachable over http(s); the secret is shown on the settings page. */
export function validWebhookUrl(text: string): boolean {
  try {
    const url = new URL(text)
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname.length > 0 && !url.username && !url.password
  } catch {
    return false
  }
}

/**
 * Whether a receiver URL may be registered. A private or internal target is refused; a name that
 * does not resolve (yet) is accepted, since its DNS may not be live and delivery checks again anyway.
 */
export async function webhookUrlAllowed(text: string, egress: EgressOptions, timeoutMs: number): Promise<boolean> {
  const check = await checkEgressUrl(text, { ...egress, signal: AbortSignal.timeout(timeoutMs) })
  return check.ok || check.reason === 'UNRESOLVABLE'
}
