import type { ActionFunctionArgs } from '@remix-run/node'
import { methodNotAllowed, requireIntegration } from '~/infra/api-route.server'
import { recordShipment } from '~/services/integration-api.server'

/** POST /api/v1/shipments — signed, idempotent by eventId; see docs/api.md. */
export async function action({ request }: ActionFunctionArgs) {
  return requireIntegration(request, recordShipment)
}

export const loader = methodNotAllowed
