// Outbound webhooks, so an ERP can stop shipping the moment an order is refunded. Events are
// written to WebhookDelivery in the transaction that causes them (one row per subscription and
// event: the unique key makes a repeat a no-op), then delivered by the worker's webhook lane:
// signed, timestamped, one row per slot leased only while its attempt runs (FOR UPDATE SKIP
// LOCKED), retried with exponential backoff. Delivery is at-least-once: the delivery id
// (X-Webhook-Id) is the same on every retry, so a receiver can drop a duplicate. Receivers are merchants' choice,
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
import { metrics } from '~/infra/metrics.server'
import { backoffMs, claimNextRow, drainSlots, releaseLease, startAttempt } from './leased-queue.server'
import type { DeliveryOutcome } from './outbox.server'

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

type Leased = { id: string; subscriptionId: string; eventType: string; payload: unknown; leaseToken: string }

/** One attempt's lease: three times the longest an attempt may take (the request's own timeout). */
export const webhookLeaseMs = (policy: Policy) => policy.integrations.webhookTimeoutMs * 3

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

export type WebhookDeliveryOptions = EgressOptions & {
  /** Rows one drain takes at most (tests, the e2e clock hook). */
  batchSize?: number
  /** Deliveries at once. */
  concurrency?: number
  stopping?: () => boolean
}

export const WEBHOOK_LANE_DEFAULTS = { batchSize: 20, concurrency: 8 }

/**
 * Claims one due delivery, attempts it and settles it (ADR 0011): the row is leased only while its
 * attempt runs. Null when nothing is due (or the lane is stopping: a row claimed meanwhile goes back
 * unattempted). The delivery id is the X-Webhook-Id of every attempt.
 */
export async function deliverNextWebhook(db: Db, now: () => Date, policy: Policy, options: WebhookDeliveryOptions): Promise<DeliveryOutcome | null> {
  const leaseMs = webhookLeaseMs(policy)
  const claimed = await claimNextRow<Omit<Leased, 'leaseToken'>>(db, 'WebhookDelivery', ['id', 'subscriptionId', 'eventType', 'payload'], now(), leaseMs)
  if (!claimed) return null
  const { leaseToken } = claimed
  if (options.stopping?.()) {
    await releaseLease(db, 'WebhookDelivery', claimed.id, leaseToken)
    return null
  }
  const subscription = await db.webhookSubscription.findUniqueOrThrow({ where: { id: claimed.subscriptionId }, select: { url: true, shopId: true } })
  const attempts = await startAttempt(db, 'WebhookDelivery', claimed.id, leaseToken, now(), leaseMs)
  if (attempts === null) return null // taken over meanwhile: not ours to send
  const delivery = { ...claimed, ...subscription, attempts }
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
    metrics().deliveryAttempts.inc({ lane: 'webhook', outcome: 'ok' })
    return 'ok'
  }
  const giveUp = attempts >= policy.integrations.webhookMaxAttempts
  await db.$transaction(async (tx) => {
    const { count } = await tx.webhookDelivery.updateMany({
      where: { id: delivery.id, leaseToken },
      data: {
        status: giveUp ? 'FAILED' : 'PENDING',
        lastStatusCode: statusCode,
        lastError: failure,
        nextAttemptAt: new Date(now().getTime() + webhookRetryDelayMs(attempts, policy)),
        leaseUntil: null,
        leaseToken: null,
      },
    })
    if (giveUp && count === 1) await noticeGaveUp(tx, { ...delivery, error: noticeReason(failure, statusCode) }, now())
  })
  // The raw error goes to the server log only: shown to a merchant it would map the internal network.
  const detail = result.ok ? undefined : result.detail
  logger.warn('webhook delivery failed', { deliveryId: delivery.id, attempts, giveUp, reason: failure, statusCode, detail })
  const outcome = giveUp ? 'gave_up' : 'failed'
  metrics().deliveryAttempts.inc({ lane: 'webhook', outcome })
  return outcome
}

/** One drain: what is due now, `concurrency` at a time; how many were delivered (2xx) and how many attempts failed. */
export async function deliverDueWebhooks(db: Db, now: () => Date, policy: Policy, options: WebhookDeliveryOptions): Promise<{ delivered: number; failed: number }> {
  const endPass = metrics().lanePassDuration.startTimer({ lane: 'webhook' })
  const outcomes = await drainSlots(options.concurrency ?? WEBHOOK_LANE_DEFAULTS.concurrency, options.batchSize ?? WEBHOOK_LANE_DEFAULTS.batchSize, () =>
    deliverNextWebhook(db, now, policy, options),
  )
  endPass()
  const delivered = outcomes.filter((o) => o === 'ok').length
  return { delivered, failed: outcomes.length - delivered }
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
