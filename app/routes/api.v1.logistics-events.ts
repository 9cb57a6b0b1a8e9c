import type { ActionFunctionArgs } from '@remix-run/node'
import { methodNotAllowed, requireIntegration } from '~/infra/api-route.server'
import { recordLogisticsEvent } from '~/services/integration-api.server'

/** POST /api/v1/logistics-events — signed, idempotent by eventId; see docs/api.md. */
export async function action({ request }: ActionFunctionArgs) {
  return requireIntegration(request, recordLogisticsEvent)
}

export const loader = methodNotAllowed
