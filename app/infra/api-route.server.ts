// The one entry of every /api/v1 route: reads the raw body (bounded), authenticates the signed
// request first, runs the command, and answers JSON; refusals carry a code and a precise message.
import { ApiError, authenticate, type ApiDeps, type ApiResult, type Integration } from '~/services/integration-api.server'
import { readBoundedText } from './bounded-body.server'
import { clock } from './clock.server'
import { db } from './db.server'
import { logger } from './logger.server'
import { policy } from './policy.server'

const MAX_BODY_BYTES = 256 * 1024

export async function requireIntegration(request: Request, command: (deps: ApiDeps, integration: Integration, rawBody: string) => Promise<ApiResult>): Promise<Response> {
  try {
    if (request.method !== 'POST') throw new ApiError(405, 'METHOD_NOT_ALLOWED', 'Use POST.')
    if (!request.headers.get('Content-Type')?.startsWith('application/json')) throw new ApiError(415, 'JSON_REQUIRED', 'Send Content-Type: application/json.')
    const rawBody = await readBoundedText(request, MAX_BODY_BYTES)
    if (rawBody === null) throw new ApiError(413, 'BODY_TOO_LARGE', `The body is larger than ${MAX_BODY_BYTES} bytes.`)
    const deps = { db: db(), clock: clock(), policy: policy() }
    const integration = await authenticate(deps, request.headers, rawBody)
    const result = await command(deps, integration, rawBody)
    return Response.json(result.body, { status: result.status })
  } catch (error) {
    if (error instanceof ApiError) return Response.json({ ok: false, error: error.code, message: error.message }, { status: error.status })
    logger.error('api request failed', { error })
    return Response.json({ ok: false, error: 'INTERNAL', message: 'Something went wrong; nothing was recorded. Retry with the same eventId.' }, { status: 500 })
  }
}

export const methodNotAllowed = () => Response.json({ ok: false, error: 'METHOD_NOT_ALLOWED', message: 'Use POST.' }, { status: 405 })
