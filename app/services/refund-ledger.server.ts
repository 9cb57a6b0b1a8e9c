// The refund ledger and the refund lane. A refund is reserved against its order's balance in the
// transaction that decides it (one conditional UPDATE, under a CHECK constraint: the balance can
// never go below zero, whatever races), then paid by the worker through the payment gateway with
// the refund's idempotency key: PENDING → SUBMITTED → SUCCEEDED / FAILED. Each refund retries on
// its own backoff (no head-of-line blocking); only FAILED gives the amount back to the balance.
// The gateway call is made outside any transaction and the row is settled afterwards under the
// lease token, so a worker that dies after the call leaves a row the next worker retries with the
// same key: the gateway answers with the first refund, and nothing is paid twice.
import { randomUUID } from 'node:crypto'
import type { AgentActor } from '~/domain/actor'
import { isUuid } from '~/domain/ids'
import type { ActorKind } from '~/generated/prisma/client'
import type { Db, Tx } from '~/infra/db.server'
import { logger } from '~/infra/logger.server'
import { caseScope } from '~/models/scopes.server'
import { GatewayRejectedError, type GatewayRefund, type PaymentGateway } from '~/infra/payment-gateway.server'
import { writeCaseLog } from './case-log.server'
import type { ServiceDeps } from './deps'
import { ServiceError } from './errors.server'
import { metrics } from '~/infra/metrics.server'
import { backoffMs, drainSlots, releaseLease, startAttempt } from './leased-queue.server'
import { allAgents, buyerRecipient, notify } from './notify.server'
import { emitWebhookEvent } from './webhooks.server'

export const refundLanePolicy = {
  /** Refunds one drain (tests, the e2e clock hook) takes at most. */
  batchSize: 10,
  /** Gateway calls at once. */
  concurrency: 10,
  /** A claimed refund is this worker's for this long, from the start of its call: longer than one gateway call can take. */
  leaseMs: 60_000,
  firstRetryMs: 30_000,
  maxRetryMs: 30 * 60_000,
  /** Gateway calls per refund before it is given up as FAILED and agents are told. */
  maxAttempts: 6,
  /** A SUBMITTED refund with no result notification this long is asked about (a lost notification). */
  confirmAfterMs: 5 * 60_000,
}

// ─── the ledger ────────────────────────────────────────────────────────────────

type ReserveInput = {
  orderId: string
  caseId: string
  shopId: string
  caseNo: string
  orderNo: string
  amountFen: number
  at: Date
  actorKind: ActorKind
  actorUserId: string | null
  ruleId: string | null
  rulingId: string | null
}

/**
 * Takes the amount from the order's balance and records the refund PENDING, in the caller's
 * transaction. The UPDATE's condition is the guard (the CHECK constraint its backstop): of racing
 * refunds on one order, those the balance cannot cover fail here with REFUND_ABOVE_BALANCE.
 */
export async function reserveRefund(tx: Tx, input: ReserveInput) {
  const reserved = await tx.$executeRaw`
    UPDATE "Order" SET "refundReservedFen" = "refundReservedFen" + ${input.amountFen}::int
    WHERE "id" = ${input.orderId}::uuid AND ${input.amountFen}::int > 0 AND "refundReservedFen" + ${input.amountFen}::int <= "paidAmountFen"`
  if (reserved === 0) throw new ServiceError('REFUND_ABOVE_BALANCE')
  const refund = await tx.refund.create({
    data: {
      caseId: input.caseId,
      orderId: input.orderId,
      rulingId: input.rulingId,
      amountFen: input.amountFen,
      actorKind: input.actorKind,
      actorUserId: input.actorUserId,
      ruleId: input.ruleId,
      idempotencyKey: randomUUID(),
      nextAttemptAt: input.at,
      createdAt: input.at,
    },
  })
  await refundEvent(tx, 'refund.approved', { ...refund, shopId: input.shopId, caseNo: input.caseNo, orderNo: input.orderNo }, input.at)
  return refund
}

async function refundEvent(
  tx: Tx,
  type: 'refund.approved' | 'refund.issued' | 'refund.failed',
  refund: { id: string; shopId: string; caseNo: string; orderNo: string; amountFen: number; ruleId: string | null },
  at: Date,
) {
  await emitWebhookEvent(tx, {
    shopId: refund.shopId,
    type,
    eventId: `${refund.id}:${type}`,
    at,
    data: { refundId: refund.id, caseNo: refund.caseNo, orderNo: refund.orderNo, amountFen: refund.amountFen, ruleId: refund.ruleId },
  })
}

// ─── settling ──────────────────────────────────────────────────────────────────

const REFUND_SETTLE_SELECT = {
  id: true,
  amountFen: true,
  status: true,
  ruleId: true,
  orderId: true,
  caseId: true,
  idempotencyKey: true,
  case: { select: { caseNo: true, orderNo: true, shopId: true, buyerId: true, expressRefund: true } },
} as const

type SettleTarget = { id: string; leaseToken?: string }

/** SUCCEEDED: the money is with the buyer. Idempotent; the order reads 已退款 once paid in full. */
async function settleSucceeded(tx: Tx, deps: ServiceDeps, target: SettleTarget, result: Pick<GatewayRefund, 'gatewayRefundId'>) {
  const at = deps.clock.now()
  const { count } = await tx.refund.updateMany({
    where: { id: target.id, status: { in: ['PENDING', 'SUBMITTED'] }, ...(target.leaseToken ? { leaseToken: target.leaseToken } : {}) },
    data: { status: 'SUCCEEDED', gatewayRefundId: result.gatewayRefundId, completedAt: at, leaseUntil: null, leaseToken: null },
  })
  if (count === 0) return false
  const refund = await tx.refund.findUniqueOrThrow({ where: { id: target.id }, select: REFUND_SETTLE_SELECT })
  // The order row is locked first: two refunds of one order settling at once see each other's success.
  await tx.$queryRaw`SELECT 1 FROM "Order" WHERE "id" = ${refund.orderId}::uuid FOR UPDATE`
  await tx.$executeRaw`
    UPDATE "Order" o SET "refundedAt" = ${at}
    WHERE o."id" = ${refund.orderId}::uuid AND o."refundedAt" IS NULL
      AND (SELECT coalesce(sum(r."amountFen"), 0) FROM "Refund" r WHERE r."orderId" = o."id" AND r."status" = 'SUCCEEDED') >= o."paidAmountFen"`
  await writeCaseLog(tx, { caseId: refund.caseId, at, actor: { kind: 'SYSTEM' }, action: 'refund.succeeded', details: { refundId: refund.id, refundFen: refund.amountFen } })
  await refundEvent(tx, 'refund.issued', { ...refund, ...refund.case }, at)
  await tellBuyer(tx, deps, refund, { notice: 'refundPaid', variant: refund.case.expressRefund ? 'express' : 'online', reason: `refund-paid:${refund.id}` })
  return true
}

/** The buyer hears how its refund stands, by email too. */
async function tellBuyer(
  tx: Tx,
  deps: ServiceDeps,
  refund: { caseId: string; amountFen: number; case: { buyerId: string; caseNo: string } },
  message: { notice: 'refundPaid' | 'refundDelayed'; variant?: string; reason: string },
) {
  await notify(tx, {
    ...message,
    recipients: await buyerRecipient(tx, refund.case.buyerId),
    caseId: refund.caseId,
    caseNo: refund.case.caseNo,
    params: { amountFen: refund.amountFen },
    at: deps.clock.now(),
    appUrl: deps.appUrl,
    policy: deps.policy,
    email: true,
  })
}

export type FailureKind = 'DECLINED' | 'REJECTED' | 'UNAVAILABLE'

/** FAILED: the amount goes back to the balance, and every agent is told (消息盒子 → 系统). */
async function settleFailed(tx: Tx, deps: ServiceDeps, target: SettleTarget, kind: FailureKind, error: string) {
  const at = deps.clock.now()
  const { count } = await tx.refund.updateMany({
    where: { id: target.id, status: { in: ['PENDING', 'SUBMITTED'] }, ...(target.leaseToken ? { leaseToken: target.leaseToken } : {}) },
    data: { status: 'FAILED', failureKind: kind, lastError: error.slice(0, 500), completedAt: at, leaseUntil: null, leaseToken: null },
  })
  if (count === 0) return false
  const refund = await tx.refund.findUniqueOrThrow({ where: { id: target.id }, select: { ...REFUND_SETTLE_SELECT, attempts: true } })
  await tx.$executeRaw`UPDATE "Order" SET "refundReservedFen" = "refundReservedFen" - ${refund.amountFen}::int WHERE "id" = ${refund.orderId}::uuid`
  await writeCaseLog(tx, { caseId: refund.caseId, at, actor: { kind: 'SYSTEM' }, action: 'refund.failed', details: { refundId: refund.id, refundFen: refund.amountFen, kind, attempts: refund.attempts } })
  await refundEvent(tx, 'refund.failed', { ...refund, ...refund.case }, at)
  await tellAgents(tx, deps, refund.id, 'refundFailed', `refund-failed:${refund.idempotencyKey}`)
  await tellBuyer(tx, deps, refund, { notice: 'refundDelayed', reason: `refund-delayed:${refund.idempotencyKey}` })
  return true
}

/** A refund no single agent holds is every agent's news (消息盒子 → 系统), once per reason. */
async function tellAgents(tx: Tx, deps: ServiceDeps, refundId: string, notice: 'refundFailed' | 'refundStuck' | 'refundOverpaid', reason: string) {
  const refund = await tx.refund.findUniqueOrThrow({ where: { id: refundId }, select: { caseId: true, amountFen: true, attempts: true, case: { select: { caseNo: true } } } })
  await notify(tx, {
    notice,
    reason,
    recipients: await allAgents(tx),
    caseId: refund.caseId,
    caseNo: refund.case.caseNo,
    params: { amountFen: refund.amountFen, attempts: refund.attempts },
    at: deps.clock.now(),
    appUrl: deps.appUrl,
    policy: deps.policy,
    email: false,
  })
}

// ─── the refund lane ───────────────────────────────────────────────────────────

type ClaimedRefund = {
  id: string
  status: 'PENDING' | 'SUBMITTED'
  idempotencyKey: string
  amountFen: number
  /** Gateway calls so far, this one included once it has started. */
  attempts: number
  orderNo: string
  paidAmountFen: number
  leaseToken: string
}

/**
 * Leases the most overdue due refund (PENDING, to call the gateway for, or SUBMITTED with its result
 * overdue), one at a time per slot of the refund lane: the lease covers this one call only.
 */
async function claimNextRefund(db: Db, now: Date, policy: typeof refundLanePolicy): Promise<ClaimedRefund | null> {
  const leaseToken = randomUUID()
  const rows = await db.$queryRaw<Omit<ClaimedRefund, 'leaseToken'>[]>`
    WITH claimed AS (
      UPDATE "Refund" SET "leaseUntil" = ${new Date(now.getTime() + policy.leaseMs)}, "leaseToken" = ${leaseToken}::uuid
      WHERE "id" IN (
        SELECT "id" FROM "Refund"
        WHERE "status" IN ('PENDING', 'SUBMITTED') AND "nextAttemptAt" <= ${now} AND ("leaseUntil" IS NULL OR "leaseUntil" < ${now})
        ORDER BY "nextAttemptAt" ASC LIMIT 1
        FOR UPDATE SKIP LOCKED)
      RETURNING "id", "status", "idempotencyKey", "amountFen", "attempts", "orderId")
    SELECT c."id", c."status"::text AS "status", c."idempotencyKey", c."amountFen", c."attempts", o."orderNo", o."paidAmountFen"
    FROM claimed c JOIN "Order" o ON o."id" = c."orderId"`
  const row = rows[0]
  return row ? { ...row, leaseToken } : null
}

export type RefundLaneResult = { submitted: number; succeeded: number; failed: number; retrying: number }
export type RefundLane = { deps: ServiceDeps; gateway: PaymentGateway; notifyUrl: string; policy?: typeof refundLanePolicy; stopping?: () => boolean }

/**
 * Claims one due refund, calls the gateway for it and settles it. Null when nothing is due (or the
 * lane is stopping: a refund claimed meanwhile goes back uncalled). Every gateway call for it (to
 * refund, or to ask about a SUBMITTED one) is an attempt, counted as it starts.
 */
export async function payNextRefund(lane: RefundLane): Promise<keyof RefundLaneResult | null> {
  const { deps } = lane
  const policy = lane.policy ?? refundLanePolicy
  const claimed = await claimNextRefund(deps.db, deps.clock.now(), policy)
  if (!claimed) return null
  if (lane.stopping?.()) {
    await releaseLease(deps.db, 'Refund', claimed.id, claimed.leaseToken)
    return null
  }
  const attempts = await startAttempt(deps.db, 'Refund', claimed.id, claimed.leaseToken, deps.clock.now(), policy.leaseMs)
  if (attempts === null) return null
  const outcome = await payOne(deps, lane.gateway, lane.notifyUrl, policy, { ...claimed, attempts })
  // ok: the gateway answered (paid, processing or declined); failed: tried again later; gave_up: FAILED after the last attempt.
  metrics().deliveryAttempts.inc({ lane: 'refund', outcome: outcome === 'retrying' ? 'failed' : outcome === 'failed' ? 'gave_up' : 'ok' })
  return outcome
}

/**
 * One drain of the refund lane: what is due now, `concurrency` refunds side by side, each standing
 * or failing on its own (a slow or failing call holds up no other refund), at most `batchSize`.
 */
export async function processDueRefunds(deps: ServiceDeps, gateway: PaymentGateway, notifyUrl: string, policy = refundLanePolicy): Promise<RefundLaneResult> {
  const endPass = metrics().lanePassDuration.startTimer({ lane: 'refund' })
  const result: RefundLaneResult = { submitted: 0, succeeded: 0, failed: 0, retrying: 0 }
  const outcomes = await drainSlots(policy.concurrency, policy.batchSize, () => payNextRefund({ deps, gateway, notifyUrl, policy }))
  for (const outcome of outcomes) result[outcome]++
  endPass()
  return result
}

async function payOne(deps: ServiceDeps, gateway: PaymentGateway, notifyUrl: string, policy: typeof refundLanePolicy, refund: ClaimedRefund): Promise<keyof RefundLaneResult> {
  const target = { id: refund.id, leaseToken: refund.leaseToken }
  let answer: GatewayRefund | null
  try {
    answer =
      refund.status === 'PENDING'
        ? await gateway.refund({ idempotencyKey: refund.idempotencyKey, orderNo: refund.orderNo, paidAmountFen: refund.paidAmountFen, amountFen: refund.amountFen, notifyUrl })
        : await gateway.query(refund.idempotencyKey)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    logger.warn('refund call failed', { refundId: refund.id, attempts: refund.attempts, error: message })
    return afterFailedCall(deps, gateway, policy, refund, target, error, message)
  }
  // Errors from here on are ours (the database), not the gateway's: the row stays leased and is
  // retried with the same key after its lease, which the gateway answers without paying again.
  return settleAnswer(deps, target, refund, answer, policy)
}

/** Kept pending (it may have been paid), asked about again later, and every agent told, once. */
async function holdStuck(deps: ServiceDeps, refund: ClaimedRefund, target: { id: string; leaseToken: string }, policy: typeof refundLanePolicy, message: string) {
  await deps.db.$transaction(async (tx) => {
    await tx.refund.updateMany({
      where: target,
      data: { lastError: message.slice(0, 500), nextAttemptAt: new Date(deps.clock.now().getTime() + policy.maxRetryMs), leaseUntil: null, leaseToken: null },
    })
    await tellAgents(tx, deps, refund.id, 'refundStuck', `refund-stuck:${refund.idempotencyKey}`)
  })
}

/**
 * A call that failed. The gateway refusing the request itself is final; no answer is retried on the
 * refund's own backoff. After the last attempt the gateway is asked whether the key ever reached
 * it: only a refund it never saw is FAILED (its amount back on the balance); one it cannot tell
 * about stays pending, retried, and agents are told it is stuck.
 */
async function afterFailedCall(
  deps: ServiceDeps,
  gateway: PaymentGateway,
  policy: typeof refundLanePolicy,
  refund: ClaimedRefund,
  target: { id: string; leaseToken: string },
  error: unknown,
  message: string,
): Promise<keyof RefundLaneResult> {
  if (error instanceof GatewayRejectedError) {
    // Only a first call the gateway refused outright was surely not paid. A refused question, or
    // "this key was used" (so it reached the gateway), may hide a payment: never release that.
    if (refund.status === 'PENDING' && error.code !== 'IDEMPOTENCY_KEY_REUSED') {
      await deps.db.$transaction((tx) => settleFailed(tx, deps, target, 'REJECTED', `${error.code}: ${message}`))
      return 'failed'
    }
    await holdStuck(deps, refund, target, policy, `${error.code}: ${message}`)
    return 'retrying'
  }
  // Counted when the call started.
  const attempts = refund.attempts
  const retryAt = (ms: number) => new Date(deps.clock.now().getTime() + ms)
  if (attempts < policy.maxAttempts) {
    await deps.db.refund.updateMany({
      where: target,
      data: { lastError: message.slice(0, 500), nextAttemptAt: retryAt(backoffMs(Math.max(1, attempts), policy.firstRetryMs, policy.maxRetryMs)), leaseUntil: null, leaseToken: null },
    })
    return 'retrying'
  }
  await deps.db.refund.updateMany({ where: target, data: { lastError: message.slice(0, 500) } })
  let known: GatewayRefund | null
  try {
    known = await gateway.query(refund.idempotencyKey)
  } catch {
    await holdStuck(deps, refund, target, policy, message)
    return 'retrying'
  }
  if (known) return settleAnswer(deps, target, refund, known, policy)
  await deps.db.$transaction((tx) => settleFailed(tx, deps, target, 'UNAVAILABLE', message))
  return 'failed'
}

async function settleAnswer(
  deps: ServiceDeps,
  target: { id: string; leaseToken: string },
  refund: ClaimedRefund,
  answer: GatewayRefund | null,
  policy: typeof refundLanePolicy,
): Promise<keyof RefundLaneResult> {
  const now = deps.clock.now()
  if (answer === null) {
    // The gateway never received the key (the call was lost on the way): submit it again, same key.
    await deps.db.refund.updateMany({ where: { ...target, status: 'SUBMITTED' }, data: { status: 'PENDING', nextAttemptAt: now, leaseUntil: null, leaseToken: null } })
    return 'retrying'
  }
  switch (answer.status) {
    case 'SUCCEEDED':
      await deps.db.$transaction((tx) => settleSucceeded(tx, deps, target, answer))
      return 'succeeded'
    case 'FAILED':
      await deps.db.$transaction((tx) => settleFailed(tx, deps, target, 'DECLINED', answer.failureReason ?? 'declined'))
      return 'failed'
    case 'PROCESSING':
      // The result comes by notification; if none comes, ask again after a while.
      await deps.db.refund.updateMany({
        where: target,
        data: {
          status: 'SUBMITTED',
          gatewayRefundId: answer.gatewayRefundId,
          submittedAt: refund.status === 'PENDING' ? now : undefined,
          nextAttemptAt: new Date(now.getTime() + policy.confirmAfterMs),
          leaseUntil: null,
          leaseToken: null,
        },
      })
      return 'submitted'
  }
}

/** The gateway's signed result notification (already verified by the route). Idempotent. */
export async function applyGatewayResult(
  deps: ServiceDeps,
  result: { idempotencyKey: string; gatewayRefundId: string; status: 'SUCCEEDED' | 'FAILED'; amountFen: number; failureReason?: string },
) {
  const refund = await deps.db.refund.findUnique({ where: { idempotencyKey: result.idempotencyKey }, select: { id: true, amountFen: true, status: true, gatewayRefundId: true } })
  if (!refund) return { known: false as const }
  // A signed result that does not describe this refund settles nothing (and is worth a look).
  if (refund.amountFen !== result.amountFen || (refund.gatewayRefundId && refund.gatewayRefundId !== result.gatewayRefundId)) {
    logger.error('gateway result does not match its refund', { refundId: refund.id, amountFen: result.amountFen, gatewayRefundId: result.gatewayRefundId })
    return { known: true as const, changed: false }
  }
  const changed = await deps.db.$transaction(async (tx) => {
    if (result.status === 'FAILED') return settleFailed(tx, deps, refund, 'DECLINED', result.failureReason ?? 'declined')
    if (refund.status === 'FAILED') return settleLateSuccess(tx, deps, refund.id, result.gatewayRefundId)
    return settleSucceeded(tx, deps, refund, result)
  })
  return { known: true as const, changed }
}

/**
 * The gateway paid a refund given up as FAILED (its call arrived after all). The money is out: it
 * takes its amount from the balance again and counts as paid; if the balance no longer covers it
 * (another refund took it meanwhile), the order was over-refunded and every agent is told.
 */
async function settleLateSuccess(tx: Tx, deps: ServiceDeps, refundId: string, gatewayRefundId: string) {
  const refund = await tx.refund.findUniqueOrThrow({ where: { id: refundId }, select: { amountFen: true, orderId: true, caseId: true, idempotencyKey: true } })
  const reserved = await tx.$executeRaw`
    UPDATE "Order" SET "refundReservedFen" = "refundReservedFen" + ${refund.amountFen}::int
    WHERE "id" = ${refund.orderId}::uuid AND "refundReservedFen" + ${refund.amountFen}::int <= "paidAmountFen"`
  if (reserved === 0) {
    await writeCaseLog(tx, { caseId: refund.caseId, at: deps.clock.now(), actor: { kind: 'SYSTEM' }, action: 'refund.paid-after-failure', details: { refundId, refundFen: refund.amountFen } })
    await tellAgents(tx, deps, refundId, 'refundOverpaid', `refund-overpaid:${refund.idempotencyKey}`)
    return false
  }
  await tx.refund.update({ where: { id: refundId }, data: { status: 'SUBMITTED', failureKind: null, completedAt: null } })
  return settleSucceeded(tx, deps, { id: refundId }, { gatewayRefundId })
}

/**
 * An agent sends a FAILED refund again. It takes the balance anew (someone may have been refunded
 * since); a refund the gateway declined gets a new key, one that never reached it keeps its key,
 * so that a call that did go through after all is answered, not paid again.
 */
export async function retryRefund(deps: ServiceDeps, agent: AgentActor, input: { caseId: string; refundId: string }) {
  if (!isUuid(input.refundId)) throw new ServiceError('NOT_FOUND')
  const now = deps.clock.now()
  return deps.db.$transaction(async (tx) => {
    const plain = await tx.refund.findFirst({
      where: { id: input.refundId, caseId: input.caseId, case: caseScope(agent) },
      select: { id: true, status: true, amountFen: true, orderId: true, caseId: true, failureKind: true, idempotencyKey: true },
    })
    if (!plain) throw new ServiceError('NOT_FOUND')
    if (plain.status !== 'FAILED') throw new ServiceError('REFUND_NOT_FAILED')
    const reserved = await tx.$executeRaw`
      UPDATE "Order" SET "refundReservedFen" = "refundReservedFen" + ${plain.amountFen}::int
      WHERE "id" = ${plain.orderId}::uuid AND "refundReservedFen" + ${plain.amountFen}::int <= "paidAmountFen"`
    if (reserved === 0) throw new ServiceError('REFUND_ABOVE_BALANCE')
    // Only the gateway's own "declined" burns a key; any other failure never reached a payment.
    const keepKey = plain.failureKind !== 'DECLINED'
    const { count } = await tx.refund.updateMany({
      where: { id: plain.id, status: 'FAILED' },
      data: {
        status: 'PENDING',
        attempts: 0,
        nextAttemptAt: now,
        failureKind: null,
        completedAt: null,
        idempotencyKey: keepKey ? plain.idempotencyKey : randomUUID(),
        // A new key is a new gateway refund: the declined one's id would make its first notification look forged.
        ...(keepKey ? {} : { gatewayRefundId: null }),
      },
    })
    if (count === 0) throw new ServiceError('CONFLICT_CHANGED')
    await writeCaseLog(tx, { caseId: plain.caseId, at: now, actor: agent, action: 'refund.retried', details: { refundId: plain.id, refundFen: plain.amountFen, sameKey: keepKey } })
  })
}
