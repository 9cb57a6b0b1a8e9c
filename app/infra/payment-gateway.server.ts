// Client for the payment gateway's refund API (Alipay / WeChat Pay style): a refund is idempotent by its key,
// and its outcome arrives later as a signed notification. scripts/sandbox-gateway.ts speaks the same protocol.
// Signing is done here with node:crypto rather than signing.server.ts, which reads the portal's env.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { z } from 'zod'

export type GatewayRefundStatus = 'PROCESSING' | 'SUCCEEDED' | 'FAILED'
export type GatewayRefundRequest = { idempotencyKey: string; orderNo: string; paidAmountFen: number; amountFen: number; notifyUrl: string }
export type GatewayRefund = { idempotencyKey: string; gatewayRefundId: string; status: GatewayRefundStatus; amountFen: number; failureReason?: string }
export type GatewayNotification = { idempotencyKey: string; gatewayRefundId: string; status: 'SUCCEEDED' | 'FAILED'; amountFen: number; failureReason?: string; at: string }

export interface PaymentGateway {
  /** Asks for a refund. The same idempotencyKey never pays twice: a repeat returns the first refund's record. */
  refund(request: GatewayRefundRequest): Promise<GatewayRefund>
  /** The gateway's record for a key, or null when it never received that key. */
  query(idempotencyKey: string): Promise<GatewayRefund | null>
}

/** Transport failures, timeouts, 5xx: the call may be retried with the same key. */
export class GatewayUnavailableError extends Error {
  override name = 'GatewayUnavailableError'
}

/** The gateway refused the request itself (4xx, e.g. same key with another amount, bad signature): retrying the same request will not help. */
export class GatewayRejectedError extends Error {
  override name = 'GatewayRejectedError'
  constructor(
    readonly code: string,
    message?: string,
  ) {
    super(message ?? code)
  }
}

export const GATEWAY_HEADERS = { timestamp: 'X-Gateway-Timestamp', signature: 'X-Gateway-Signature' } as const
const MAX_SKEW_SECONDS = 5 * 60

/** Hex HMAC-SHA256 of "timestamp.body"; the same scheme in both directions. */
export function gatewaySignature(secret: string, timestamp: string, rawBody: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')
}

export function signedGatewayHeaders(secret: string, rawBody: string, now = new Date()): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000))
  return { [GATEWAY_HEADERS.timestamp]: timestamp, [GATEWAY_HEADERS.signature]: gatewaySignature(secret, timestamp, rawBody) }
}

/** True when the signature matches the body and the timestamp is within 5 minutes of now. */
export function gatewaySignatureValid(secret: string, headers: { timestamp: string | null; signature: string | null }, rawBody: string, now = new Date()): boolean {
  const { timestamp, signature } = headers
  // The shape checks make both buffers 32 bytes, as timingSafeEqual requires.
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp) || !/^[0-9a-f]{64}$/i.test(signature)) return false
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > MAX_SKEW_SECONDS) return false
  return timingSafeEqual(Buffer.from(gatewaySignature(secret, timestamp, rawBody), 'hex'), Buffer.from(signature, 'hex'))
}

const refundSchema = z.object({
  idempotencyKey: z.string(),
  gatewayRefundId: z.string().min(1),
  status: z.enum(['PROCESSING', 'SUCCEEDED', 'FAILED']),
  amountFen: z.number().int(),
  failureReason: z.string().optional(),
})
const notificationSchema = refundSchema.extend({ status: z.enum(['SUCCEEDED', 'FAILED']), at: z.iso.datetime() })
const errorSchema = z.object({ error: z.string(), message: z.string().optional() })

/** Checks a notification's signature and freshness (5 min skew); null when it is not genuine or malformed. */
export function verifyGatewayNotification(
  secret: string,
  headers: { timestamp: string | null; signature: string | null },
  rawBody: string,
  now = new Date(),
): GatewayNotification | null {
  if (!gatewaySignatureValid(secret, headers, rawBody, now)) return null
  const parsed = notificationSchema.safeParse(parseJson(rawBody))
  return parsed.success ? parsed.data : null
}

export function httpPaymentGateway(options: { baseUrl: string; secret: string; timeoutMs?: number; fetch?: typeof fetch }): PaymentGateway {
  const baseUrl = options.baseUrl.replace(/\/+$/, '')
  const timeoutMs = options.timeoutMs ?? 10_000

  async function send(method: 'GET' | 'POST', path: string, body?: GatewayRefundRequest): Promise<{ status: number; json: unknown }> {
    const raw = body ? JSON.stringify(body) : ''
    const headers = { ...signedGatewayHeaders(options.secret, raw), ...(body ? { 'Content-Type': 'application/json' } : {}) }
    let status: number
    let text: string
    try {
      const init: RequestInit = { method, headers, body: body ? raw : undefined, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) }
      const response = await (options.fetch ?? fetch)(`${baseUrl}${path}`, init)
      status = response.status
      text = await response.text()
    } catch (error) {
      throw new GatewayUnavailableError(`Payment gateway ${method} ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
    }
    // 3xx is never followed (a redirect is not the gateway answering); 408 and 429 are worth a retry like 5xx.
    const answered = status === 200 || (status >= 400 && status < 500 && status !== 408 && status !== 429)
    if (!answered) throw new GatewayUnavailableError(`Payment gateway ${method} ${path}: HTTP ${status}`)
    return { status, json: parseJson(text) }
  }

  function rejected(status: number, json: unknown): GatewayRejectedError {
    const parsed = errorSchema.safeParse(json)
    return parsed.success ? new GatewayRejectedError(parsed.data.error, parsed.data.message) : new GatewayRejectedError(`HTTP_${status}`)
  }

  function parseRefund(json: unknown, idempotencyKey: string): GatewayRefund {
    const parsed = refundSchema.safeParse(json)
    // Retrying is safe (same key), so a garbled answer counts as no answer.
    if (!parsed.success || parsed.data.idempotencyKey !== idempotencyKey) throw new GatewayUnavailableError('Payment gateway: malformed refund in the response')
    return parsed.data
  }

  return {
    async refund(request) {
      const { status, json } = await send('POST', '/v1/refunds', request)
      if (status !== 200) throw rejected(status, json)
      return parseRefund(json, request.idempotencyKey)
    },
    async query(idempotencyKey) {
      const { status, json } = await send('GET', `/v1/refunds/${encodeURIComponent(idempotencyKey)}`)
      if (status === 200) return parseRefund(json, idempotencyKey)
      // Only the gateway's own "no such key" means it never got it; a bare 404 could be a wrong baseUrl.
      const error = rejected(status, json)
      if (status === 404 && error.code === 'NOT_FOUND') return null
      throw error
    },
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
