// The worker's lanes (ADR 0011). Deadlines, email, webhooks and refunds each run in their own lane:
// their own loop, their own concurrency, their own sleep. So a slow or failing lane (an SMTP server
// answering in 500 ms, a receiver that hangs, a gateway that is down) never delays another.
//   deadlines  one loop: sweep what is due (fired `concurrency` at a time), then sleep until the
//              next due moment (MIN of the due columns), capped, or until woken;
//   delivery   (email, webhook, refund) `concurrency` slots, each claiming one row at a time and
//              holding its lease only while that row's attempt runs; an idle lane sleeps until the
//              next row is claimable, capped, or until woken.
// A lane is woken by LISTEN "portal_jobs" (triggers notify it when a transaction writes a deadline
// or queues a delivery: the migration of ADR 0011), by `wakeLanes()` in this process (the e2e clock
// hook after moving the clock), and at the latest after `maxSleepMs`.
// `runJobsOnce` drains every lane once, in order, for tests and the e2e clock hook.
import pg from 'pg'
import type { Transporter } from 'nodemailer'
import { clock } from '~/infra/clock.server'
import { db } from '~/infra/db.server'
import { serviceDeps } from '~/infra/deps.server'
import { env } from '~/infra/env.server'
import { logger } from '~/infra/logger.server'
import { mailer } from '~/infra/mailer.server'
import { metrics } from '~/infra/metrics.server'
import type { PaymentGateway } from '~/infra/payment-gateway.server'
import { paymentGateway, paymentNotifyUrl } from '~/infra/payments.server'
import { policy } from '~/infra/policy.server'
import type { EgressOptions } from '~/infra/safe-egress.server'
import { dueDeadlines, fireDeadline, nextDeadlineDueAt, sweepDeadlines } from './deadlines.server'
import type { ServiceDeps } from './deps'
import { nextClaimableAt } from './leased-queue.server'
import { deliverDueEmails, deliverNextEmail, outboxPolicy } from './outbox.server'
import { payNextRefund, processDueRefunds, refundLanePolicy } from './refund-ledger.server'
import { deliverDueWebhooks, deliverNextWebhook, WEBHOOK_LANE_DEFAULTS } from './webhooks.server'

/** Drains every lane once, in order: deadlines (which may queue refunds, emails and webhooks), refunds, emails, webhooks. */
export async function runJobsOnce() {
  const now = () => clock().now()
  const deps = serviceDeps()
  const endPass = metrics().lanePassDuration.startTimer({ lane: 'deadlines' })
  const fired = await sweepDeadlines(deps)
  endPass()
  const refunds = await processDueRefunds(deps, paymentGateway(), paymentNotifyUrl())
  const emails = await deliverDueEmails(db(), mailer(), env().MAIL_FROM, now)
  const webhooks = await deliverDueWebhooks(db(), now, policy(), { allowPrivate: env().EGRESS_ALLOW_PRIVATE })
  const firedCount = Object.values(fired).reduce((sum, n) => sum + n, 0)
  const refundWork = refunds.submitted + refunds.succeeded + refunds.failed + refunds.retrying
  const busy = firedCount + refundWork + emails.sent + emails.failed + webhooks.delivered + webhooks.failed > 0
  return { fired, firedCount, refunds, emails, webhooks, busy }
}

// ─── lanes ─────────────────────────────────────────────────────────────────────

export const LANE_NAMES = ['deadlines', 'email', 'webhook', 'refund'] as const
export type LaneName = (typeof LANE_NAMES)[number]

/** The channel the wake-up triggers notify, with the lane's name as payload. */
export const JOBS_CHANNEL = 'portal_jobs'

/** Due rows the deadline lane reads per kind and look. */
const DEADLINE_BATCH = 200

export const laneDefaults = {
  concurrency: { deadlines: 4, email: outboxPolicy.concurrency, webhook: WEBHOOK_LANE_DEFAULTS.concurrency, refund: refundLanePolicy.concurrency } satisfies Record<LaneName, number>,
  /** The longest a lane sleeps without being woken: the bound on a missed notification. */
  maxSleepMs: 10_000,
  /** After a pass that found due work it could not do (a failing handler), before looking again. */
  stuckRetryMs: 1_000,
  /** After a lane's own error (the database away), before trying again. */
  errorRetryMs: 1_000,
}

export type LanesConfig = {
  /** Services for the delivery lanes. */
  deps: ServiceDeps
  /** Services for the deadline lane; the worker gives it its own connection pool. Defaults to `deps`. */
  deadlineDeps?: ServiceDeps
  transport: Transporter
  mailFrom: string
  gateway: PaymentGateway
  notifyUrl: string
  egress: EgressOptions
  /** A database URL to LISTEN on for wake-ups; without it lanes wake on their own timers only. */
  listenUrl?: string
  lanes?: readonly LaneName[]
  concurrency?: Partial<Record<LaneName, number>>
  maxSleepMs?: number
  stuckRetryMs?: number
  outbox?: typeof outboxPolicy
  refunds?: typeof refundLanePolicy
  /** Told of each deadline that took effect (benchmarks). */
  onFired?: (kind: string, dueAt: Date, firedAt: Date) => void
}

export type RunningLanes = {
  /** Makes the lane (or every lane) look for work now. */
  wake(lane?: LaneName): void
  /** When the lane's sleep ends unless woken earlier (null while it is working). */
  sleepingUntil(lane: LaneName): Date | null
  /** Resolves once the wake-up connection listens (at once without one). */
  listening(): Promise<void>
  /** Finishes the attempts in hand, claims nothing new, gives back rows claimed but not started. */
  stop(): Promise<void>
}

/**
 * A lane's sleep: one timer shared by the lane's idle slots, ended early by `ring`. A ring while
 * nobody sleeps is kept, so the next sleep returns at once (no wake-up is lost between "found
 * nothing" and "going to sleep").
 */
class Alarm {
  private rung = false
  private sleeping: Promise<void> | undefined
  private end: (() => void) | undefined
  until: Date | null = null

  ring() {
    if (this.end) this.end()
    else this.rung = true
  }

  /** Sleeps until `at` (computed once for all idle slots by `when`) or a ring. */
  sleep(when: () => Promise<{ ms: number; at: Date }>): Promise<void> {
    if (this.rung) {
      this.rung = false
      return Promise.resolve()
    }
    this.sleeping ??= (async () => {
      const { ms, at } = await when()
      if (this.rung) return
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms)
        this.until = at
        this.end = done
        function done() {
          clearTimeout(timer)
          resolve()
        }
      })
    })().finally(() => {
      this.rung = false
      this.sleeping = undefined
      this.end = undefined
      this.until = null
    })
    return this.sleeping
  }
}

/**
 * How long the deadline lane sleeps after a pass that began at `sweptAt`, given the next due moment
 * of any kind: until just after it, within the cap. Already due: at once if it fell due after the
 * pass looked (or the pass fired something: there may be more than one batch); if it was due
 * before the pass and is still there, its handler failed or another worker holds it: look again
 * shortly (another worker's commit notifies and wakes the lane sooner). Pure, so bench:deadlines
 * replays exactly the lane's schedule.
 */
export function deadlineSleepMs(next: Date | null, now: Date, sweptAt: Date, firedAny: boolean, limits: { maxSleepMs: number; stuckRetryMs: number }): number {
  if (!next) return limits.maxSleepMs
  if (next > now) return Math.min(limits.maxSleepMs, next.getTime() - now.getTime() + 1)
  return firedAny || next > sweptAt ? 0 : Math.min(limits.stuckRetryMs, limits.maxSleepMs)
}

const running = globalThis as unknown as { __lanes?: Set<RunningLanes> }

/** Wakes every lane running in this process (the e2e clock hook, after moving the clock). */
export function wakeLanes() {
  for (const lanes of running.__lanes ?? []) lanes.wake()
}

export function startLanes(config: LanesConfig): RunningLanes {
  const names = config.lanes ?? LANE_NAMES
  const maxSleepMs = config.maxSleepMs ?? laneDefaults.maxSleepMs
  const stuckRetryMs = config.stuckRetryMs ?? laneDefaults.stuckRetryMs
  const concurrency = (lane: LaneName) => Math.max(1, config.concurrency?.[lane] ?? laneDefaults.concurrency[lane])
  const deadlineDeps = config.deadlineDeps ?? config.deps
  const { deps } = config
  const now = () => deps.clock.now()
  let stopping = false
  const isStopping = () => stopping
  const alarms = new Map<LaneName, Alarm>(names.map((name) => [name, new Alarm()]))

  /** How long to sleep until `next` (a due moment, maybe past, or null), within [0, maxSleepMs]. */
  const sleepFor = (clockNow: Date, next: Date | null, floorMs = 0) => {
    const ms = next ? Math.min(maxSleepMs, Math.max(floorMs, next.getTime() - clockNow.getTime() + 1)) : maxSleepMs
    return { ms, at: new Date(clockNow.getTime() + ms) }
  }

  const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

  async function deadlineLane() {
    const alarm = alarms.get('deadlines')!
    const slots = concurrency('deadlines')
    const limits = { maxSleepMs, stuckRetryMs }
    // Fires run in the background, `slots` at a time, so the lane looks again (and fires a deadline
    // falling due meanwhile) while they run. Their cases are left out of the next look, and a case
    // whose fire did not take effect rests `stuckRetryMs` (a failing handler is not retried in a loop).
    const inFlight = new Map<string, Promise<boolean>>()
    const resting = new Map<string, number>()
    let starved = false // due rows were left for want of a free slot
    const excluded = () => {
      const at = Date.now()
      for (const [caseId, until] of resting) if (until <= at) resting.delete(caseId)
      return [...inFlight.keys(), ...resting.keys()]
    }
    while (!stopping) {
      try {
        const endPass = metrics().lanePassDuration.startTimer({ lane: 'deadlines' })
        const sweptAt = deadlineDeps.clock.now()
        const skip = new Set(excluded())
        const fires: Promise<boolean>[] = []
        if (inFlight.size < slots) {
          for (const due of await dueDeadlines(deadlineDeps, sweptAt, DEADLINE_BATCH + skip.size)) {
            if (stopping) break
            if (inFlight.size >= slots) {
              starved = true
              break
            }
            if (skip.has(due.caseId)) continue
            skip.add(due.caseId)
            const fire = fireDeadline(deadlineDeps, due, config.onFired).then((fired) => {
              if (!fired) resting.set(due.caseId, Date.now() + stuckRetryMs)
              inFlight.delete(due.caseId)
              // Look again if due rows waited for this slot, or to reckon the rest. (A fire that took
              // effect also notifies through its commit, which wakes the lane anyway.)
              if (starved || !fired) {
                starved = false
                alarm.ring()
              }
              return fired
            })
            inFlight.set(due.caseId, fire)
            fires.push(fire)
          }
        }
        if (fires.length) void Promise.all(fires).then(() => endPass())
        if (stopping) break
        await alarm.sleep(async () => {
          const at = deadlineDeps.clock.now()
          // Every slot busy: a finishing fire rings.
          if (inFlight.size >= slots) {
            starved = true
            return { ms: maxSleepMs, at: new Date(at.getTime() + maxSleepMs) }
          }
          let ms = deadlineSleepMs(await nextDeadlineDueAt(deadlineDeps, excluded()), at, sweptAt, fires.length > 0, limits)
          const firstRested = Math.min(...resting.values())
          if (Number.isFinite(firstRested)) ms = Math.min(ms, Math.max(0, firstRested - Date.now()))
          return { ms, at: new Date(at.getTime() + ms) }
        })
      } catch (error) {
        logger.error('deadline lane failed', { error })
        await pause(laneDefaults.errorRetryMs)
      }
    }
    await Promise.all(inFlight.values()) // a stop finishes the fires in hand
  }

  type Delivery = { next: () => Promise<string | null>; nextDue: () => Promise<Date | null> }
  const deliveries: Record<Exclude<LaneName, 'deadlines'>, Delivery> = {
    email: {
      next: () => deliverNextEmail({ db: deps.db, transport: config.transport, from: config.mailFrom, now, policy: config.outbox, stopping: isStopping }),
      nextDue: () => nextClaimableAt(deps.db, 'EmailOutbox'),
    },
    webhook: {
      next: () => deliverNextWebhook(deps.db, now, deps.policy, { ...config.egress, stopping: isStopping }),
      nextDue: () => nextClaimableAt(deps.db, 'WebhookDelivery'),
    },
    refund: {
      next: () => payNextRefund({ deps, gateway: config.gateway, notifyUrl: config.notifyUrl, policy: config.refunds, stopping: isStopping }),
      nextDue: () => nextClaimableAt(deps.db, 'Refund', ['PENDING', 'SUBMITTED']),
    },
  }

  async function deliverySlot(lane: Exclude<LaneName, 'deadlines'>) {
    const alarm = alarms.get(lane)!
    const { next, nextDue } = deliveries[lane]
    while (!stopping) {
      // One pass of a slot: from waking until it finds nothing due.
      const endPass = metrics().lanePassDuration.startTimer({ lane })
      let attempted = 0
      try {
        while (!stopping && (await next()) !== null) attempted++
      } catch (error) {
        logger.error('delivery lane failed', { lane, error })
        await pause(laneDefaults.errorRetryMs)
        continue
      }
      if (attempted) endPass()
      if (stopping) break
      try {
        await alarm.sleep(async () => {
          const at = now()
          // Claimable now yet nothing claimed: another worker's claim in flight; look again shortly.
          return sleepFor(at, await nextDue(), 50)
        })
      } catch (error) {
        logger.error('delivery lane failed', { lane, error })
        await pause(laneDefaults.errorRetryMs)
      }
    }
  }

  const loops: Promise<void>[] = []
  for (const name of names) {
    if (name === 'deadlines') loops.push(deadlineLane())
    else for (let i = 0; i < concurrency(name); i++) loops.push(deliverySlot(name))
  }

  const listener = config.listenUrl ? listen(config.listenUrl, (lane) => wake(lane), () => wake(), isStopping) : undefined

  function wake(lane?: string) {
    if (lane === undefined) for (const alarm of alarms.values()) alarm.ring()
    else alarms.get(lane as LaneName)?.ring()
  }

  const lanes: RunningLanes = {
    wake,
    sleepingUntil: (lane) => alarms.get(lane)?.until ?? null,
    listening: () => listener?.ready ?? Promise.resolve(),
    async stop() {
      stopping = true
      wake()
      await Promise.all(loops)
      await listener?.close()
      running.__lanes?.delete(lanes)
    },
  }
  running.__lanes ??= new Set()
  running.__lanes.add(lanes)
  return lanes
}

/**
 * LISTEN on the wake-up channel with a connection of its own, reconnecting after a loss (and then
 * waking every lane: notifications sent meanwhile are gone).
 */
function listen(url: string, onLane: (lane: string) => void, onReconnect: () => void, stopping: () => boolean) {
  let client: pg.Client | undefined
  let retry: NodeJS.Timeout | undefined
  let closed = false
  let firstConnect: () => void
  const ready = new Promise<void>((resolve) => (firstConnect = resolve))
  const again = () => {
    if (!closed && !stopping()) retry = setTimeout(() => void connect(), 1_000)
  }
  const connect = async () => {
    const next = new pg.Client({ connectionString: url })
    let lost = false
    const onLost = (error?: Error) => {
      if (lost || closed) return
      lost = true
      logger.warn('lane wake-up connection lost', { error: error?.message })
      if (client === next) client = undefined
      void next.end().catch(() => undefined)
      again()
    }
    next.on('notification', (message) => {
      if (message.channel === JOBS_CHANNEL && message.payload) onLane(message.payload)
    })
    next.on('error', onLost)
    next.on('end', () => onLost())
    try {
      await next.connect()
      await next.query(`LISTEN ${JOBS_CHANNEL}`)
    } catch (error) {
      onLost(error as Error)
      return
    }
    if (closed) {
      await next.end().catch(() => undefined)
      return
    }
    client = next
    firstConnect()
    onReconnect()
  }
  void connect()
  return {
    ready,
    async close() {
      closed = true
      clearTimeout(retry)
      firstConnect()
      await client?.end().catch(() => undefined)
    },
  }
}
