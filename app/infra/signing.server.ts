// HMAC-SHA256 signatures for the order/logistics API (inbound) and webhooks (outbound). Each
// party's secret is derived from API_SECRET_ROOT and its id, so no secret is stored in the
// database; rotating one means issuing a new id.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { env } from './env.server'

export type SecretPurpose = 'api' | 'webhook'

export function deriveSecret(purpose: SecretPurpose, id: string, root = env().API_SECRET_ROOT): string {
  return createHmac('sha256', root).update(`${purpose}:${id}`).digest('base64url')
}

/** The signature of a body at a timestamp (unix seconds): hex HMAC-SHA256 of "timestamp.body". */
export function sign(secret: string, timestamp: number, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')
}

export function signaturesMatch(expected: string, given: string): boolean {
  const a = Buffer.from(expected)
  const b = Buffer.from(given)
  return a.length === b.length && timingSafeEqual(a, b)
}

export const sha256Hex = (body: string | Buffer) => createHash('sha256').update(body).digest('hex')
