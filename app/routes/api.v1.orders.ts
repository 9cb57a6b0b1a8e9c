import type { ActionFunctionArgs } from '@remix-run/node'
import { methodNotAllowed, requireIntegration } from '~/infra/api-route.server'
import { upsertOrder } from '~/services/integration-api.server'

/** POST /api/v1/orders — signed, idempotent by eventId; see docs/api.md. */
export async function action({ request }: ActionFunctionArgs) {
  return requireIntegration(request, upsertOrder)
}

export const loader = methodNotAllowed
