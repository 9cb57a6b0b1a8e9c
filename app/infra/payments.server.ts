// The process's payment gateway client, from env (one place, like the mailer and S3).
import { readBoundedText } from './bounded-body.server'
import { env } from './env.server'
import { GATEWAY_HEADERS, httpPaymentGateway, verifyGatewayNotification, type GatewayNotification, type PaymentGateway } from './payment-gateway.server'

const globalStore = globalThis as unknown as { __gateway?: PaymentGateway }

export function paymentGateway(): PaymentGateway {
  globalStore.__gateway ??= httpPaymentGateway({ baseUrl: env().PAYMENT_GATEWAY_URL, secret: env().PAYMENT_GATEWAY_SECRET })
  return globalStore.__gateway
}

/**
 * The one entry of the gateway's notification route: a POST whose body (at most 64 KB) carries a
 * valid, fresh signature, or a 401/405/413 answer.
 */
export async function requireGatewayNotification(request: Request): Promise<GatewayNotification> {
  if (request.method !== 'POST') throw Response.json({ error: 'METHOD_NOT_ALLOWED' }, { status: 405 })
  const body = await readBoundedText(request, MAX_NOTIFICATION_BYTES)
  if (body === null) throw Response.json({ error: 'BODY_TOO_LARGE' }, { status: 413 })
  const signature = { timestamp: request.headers.get(GATEWAY_HEADERS.timestamp), signature: request.headers.get(GATEWAY_HEADERS.signature) }
  const notification = verifyGatewayNotification(env().PAYMENT_GATEWAY_SECRET, signature, body)
  if (!notification) throw Response.json({ error: 'BAD_SIGNATURE' }, { status: 401 })
  return notification
}

const MAX_NOTIFICATION_BYTES = 64 * 1024


/** Where the gateway posts refund results: the portal's signed notification route. */
export const paymentNotifyUrl = () => env().PAYMENT_NOTIFY_URL ?? `${env().APP_URL}/payments/notify`
