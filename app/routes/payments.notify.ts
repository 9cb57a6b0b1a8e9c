// The payment gateway's signed refund result (Alipay / WeChat Pay style asynchronous notification).
// Unsigned, stale or tampered bodies are refused; a genuine one settles the refund, idempotently:
// the gateway repeats a notification until it hears 200.
import type { ActionFunctionArgs } from '@remix-run/node'
import { methodNotAllowed } from '~/infra/api-route.server'
import { serviceDeps } from '~/infra/deps.server'
import { requireGatewayNotification } from '~/infra/payments.server'
import { applyGatewayResult } from '~/services/refund-ledger.server'

export async function action({ request }: ActionFunctionArgs) {
  const notification = await requireGatewayNotification(request)
  const result = await applyGatewayResult(serviceDeps(), notification)
  // An unknown key is not ours to retry: answer so the gateway stops.
  return Response.json({ ok: true, known: result.known })
}

export const loader = methodNotAllowed
