// The order and logistics API for the marketplace's order system and carriers. Every request is
// signed (API key id + HMAC-SHA256 over "timestamp.body", within a clock skew), every event
// carries an eventId and has one effect however often it is sent, and a bad payload is answered
// with 400 and the exact field and problem.
import { z } from 'zod'
import { COURIERS } from '~/domain/lifecycle'
import type { Policy } from '~/domain/policy'
import type { IntegrationKind } from '~/generated/prisma/client'
import type { Clock } from '~/infra/clock.server'
import type { Db, Tx } from '~/infra/db.server'
import { deriveSecret, sha256Hex, sign, signaturesMatch } from '~/infra/signing.server'

export type ApiDeps = { db: Db; clock: Clock; policy: Policy }

/** A refusal with its HTTP status and a message precise enough to fix the request by. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

export type Integration = { id: string; keyId: string; kind: IntegrationKind }

export const API_HEADERS = { key: 'X-Api-Key', timestamp: 'X-Timestamp', signature: 'X-Signature' } as const

/** Checks the key, the timestamp window and the signature of the raw body. */
export async function authenticate(deps: ApiDeps, headers: Headers, rawBody: string): Promise<Integration> {
  const keyId = headers.get(API_HEADERS.key)
  const timestamp = headers.get(API_HEADERS.timestamp)
  const signature = headers.get(API_HEADERS.signature)
  if (!keyId || !timestamp || !signature) {
    throw new ApiError(401, 'SIGNATURE_MISSING', `Send ${API_HEADERS.key}, ${API_HEADERS.timestamp} (unix seconds) and ${API_HEADERS.signature} (hex HMAC-SHA256 of "timestamp.body").`)
  }
  if (!/^\d{1,12}$/.test(timestamp)) throw new ApiError(401, 'TIMESTAMP_INVALID', `${API_HEADERS.timestamp} must be unix seconds.`)
  const skew = Math.abs(deps.clock.now().getTime() - Number(timestamp) * 1000)
  if (skew > deps.policy.integrations.signatureMaxSkewMs) {
    throw new ApiError(401, 'TIMESTAMP_OUT_OF_WINDOW', `${API_HEADERS.timestamp} is more than ${deps.policy.integrations.signatureMaxSkewMs / 1000} seconds from the server's time.`)
  }
  const integration = await deps.db.apiIntegration.findUnique({ where: { keyId }, select: { id: true, keyId: true, kind: true, revokedAt: true } })
  // The same answer for an unknown key and a bad signature: a caller learns nothing about keys.
  const expected = sign(deriveSecret('api', keyId), Number(timestamp), rawBody)
  if (!integration || integration.revokedAt || !signaturesMatch(expected, signature.toLowerCase())) {
    throw new ApiError(401, 'SIGNATURE_INVALID', 'The signature does not match, or the key is unknown or revoked.')
  }
  return { id: integration.id, keyId: integration.keyId, kind: integration.kind }
}

function requireKind(integration: Integration, kinds: IntegrationKind[]) {
  if (!kinds.includes(integration.kind)) throw new ApiError(403, 'NOT_ALLOWED', `This endpoint is for ${kinds.join(' or ')} integrations.`)
}

/** Parses JSON against a schema; the first problem is reported as "path: message". */
export function parseBody<T extends z.ZodType>(schema: T, rawBody: string): z.infer<T> {
  let json: unknown
  try {
    json = JSON.parse(rawBody)
  } catch {
    throw new ApiError(400, 'INVALID_JSON', 'The body is not valid JSON.')
  }
  const result = schema.safeParse(json)
  if (!result.success) {
    const issue = result.error.issues[0]!
    throw new ApiError(400, 'INVALID_PAYLOAD', `${issue.path.join('.') || 'body'}: ${issue.message}`)
  }
  return result.data
}

const eventId = z.string().min(1).max(100)
const isoTime = z.iso.datetime({ offset: true })
const uuid = z.uuid()

export const OrderUpsert = z.strictObject({
  eventId,
  order: z.strictObject({
    orderNo: z.string().regex(/^[0-9A-Za-z-]{6,40}$/, 'must be 6–40 letters, digits or dashes'),
    shopId: uuid,
    buyerId: uuid,
    itemTitle: z.string().min(1).max(200),
    paidAmountFen: z.number().int().positive(),
    paidAt: isoTime,
    isVirtual: z.boolean().default(false),
    expressRefundBadge: z.boolean().default(false),
    returnShippingInsurance: z.boolean().default(false),
    customerName: z.string().min(1).max(50),
    customerPhone: z.string().regex(/^[0-9+\- ]{5,20}$/, 'must be a phone number'),
  }),
})

export const ShipmentEvent = z.strictObject({
  eventId,
  orderNo: z.string().min(1).max(40),
  courier: z.enum(COURIERS),
  trackingNo: z.string().regex(/^[0-9A-Za-z-]{6,40}$/, 'must be 6–40 letters, digits or dashes'),
  shippedAt: isoTime,
})

export const LogisticsEventBody = z.strictObject({
  eventId,
  trackingNo: z.string().regex(/^[0-9A-Za-z-]{6,40}$/, 'must be 6–40 letters, digits or dashes'),
  kind: z.enum(['PICKED_UP', 'IN_TRANSIT', 'SIGNED']),
  at: isoTime,
})

export type ApiResult = { status: number; body: Record<string, unknown> }

/**
 * Runs an event's effect once. The event row is inserted in the effect's transaction: a repeat
 * (also a concurrent one, which waits on the row) finds it and changes nothing.
 */
async function once(deps: ApiDeps, integration: Integration, input: { eventId: string; endpoint: string; rawBody: string }, effect: (tx: Tx) => Promise<Record<string, unknown>>): Promise<ApiResult> {
  const bodySha256 = sha256Hex(input.rawBody)
  return deps.db.$transaction(async (tx) => {
    const inserted = await tx.$executeRaw`
      INSERT INTO "ApiEvent" ("integrationId", "eventId", "endpoint", "bodySha256", "receivedAt")
      VALUES (${integration.id}::uuid, ${input.eventId}, ${input.endpoint}, ${bodySha256}, ${deps.clock.now()}::timestamptz)
      ON CONFLICT DO NOTHING`
    if (inserted === 0) {
      const seen = await tx.apiEvent.findUniqueOrThrow({ where: { integrationId_eventId: { integrationId: integration.id, eventId: input.eventId } } })
      if (seen.endpoint !== input.endpoint || seen.bodySha256 !== bodySha256) {
        throw new ApiError(409, 'EVENT_ID_REUSED', `eventId ${input.eventId} was already used for a different request.`)
      }
      return { status: 200, body: { ok: true, duplicate: true, eventId: input.eventId } }
    }
    const result = await effect(tx)
    return { status: 200, body: { ok: true, duplicate: false, eventId: input.eventId, ...result } }
  })
}

export async function upsertOrder(deps: ApiDeps, integration: Integration, rawBody: string): Promise<ApiResult> {
  requireKind(integration, ['ORDER_SYSTEM'])
  const input = parseBody(OrderUpsert, rawBody)
  const o = input.order
  return once(deps, integration, { eventId: input.eventId, endpoint: 'orders', rawBody }, async (tx) => {
    const [shop, buyer] = await Promise.all([tx.shop.findUnique({ where: { id: o.shopId }, select: { id: true } }), tx.buyer.findUnique({ where: { id: o.buyerId }, select: { id: true } })])
    if (!shop) throw new ApiError(400, 'INVALID_PAYLOAD', 'order.shopId: no such shop')
    if (!buyer) throw new ApiError(400, 'INVALID_PAYLOAD', 'order.buyerId: no such buyer')
    const existing = await tx.order.findUnique({ where: { orderNo: o.orderNo }, select: { id: true, shopId: true, buyerId: true } })
    if (existing && (existing.shopId !== o.shopId || existing.buyerId !== o.buyerId)) {
      throw new ApiError(409, 'ORDER_OWNER_CHANGED', `order ${o.orderNo} belongs to another shop or buyer; they cannot change.`)
    }
    const fields = {
      itemTitle: o.itemTitle,
      paidAmountFen: o.paidAmountFen,
      paidAt: new Date(o.paidAt),
      isVirtual: o.isVirtual,
      expressRefundBadge: o.expressRefundBadge,
      returnShippingInsurance: o.returnShippingInsurance,
      customerName: o.customerName,
      customerPhone: o.customerPhone,
    }
    const saved = existing
      ? await tx.order.update({ where: { id: existing.id }, data: fields })
      : await tx.order.create({ data: { ...fields, orderNo: o.orderNo, shopId: o.shopId, buyerId: o.buyerId, createdAt: deps.clock.now() } })
    return { orderNo: saved.orderNo, created: !existing }
  })
}

/** The merchant pressed "ship": the order counts as shipped from then on (express refund, strategy). */
export async function recordShipment(deps: ApiDeps, integration: Integration, rawBody: string): Promise<ApiResult> {
  requireKind(integration, ['ORDER_SYSTEM'])
  const input = parseBody(ShipmentEvent, rawBody)
  return once(deps, integration, { eventId: input.eventId, endpoint: 'shipments', rawBody }, async (tx) => {
    const order = await tx.order.findUnique({ where: { orderNo: input.orderNo }, select: { id: true, shippedAt: true } })
    if (!order) throw new ApiError(404, 'ORDER_NOT_FOUND', `orderNo: no order ${input.orderNo}`)
    await tx.order.update({
      where: { id: order.id },
      // The first shipment time stands; a corrected tracking number replaces the old one.
      data: { shippedAt: order.shippedAt ?? new Date(input.shippedAt), shipCourier: input.courier, shipTrackingNo: input.trackingNo },
    })
    return { orderNo: input.orderNo }
  })
}

/** A carrier's scan. "Signed for" on a return parcel stops the merchant extending receipt. */
export async function recordLogisticsEvent(deps: ApiDeps, integration: Integration, rawBody: string): Promise<ApiResult> {
  requireKind(integration, ['CARRIER', 'ORDER_SYSTEM'])
  const input = parseBody(LogisticsEventBody, rawBody)
  return once(deps, integration, { eventId: input.eventId, endpoint: 'logistics-events', rawBody }, async (tx) => {
    const at = new Date(input.at)
    await tx.logisticsEvent.create({ data: { trackingNo: input.trackingNo, kind: input.kind, at, recordedAt: deps.clock.now() } })
    let returnsSigned = 0
    if (input.kind === 'SIGNED') {
      const { count } = await tx.afterSalesCase.updateMany({ where: { returnTrackingNo: input.trackingNo, parcelSignedAt: null }, data: { parcelSignedAt: at } })
      returnsSigned = count
    }
    return { returnsSigned }
  })
}

/** Issues credentials for an integration: the key id is public, the secret is derived. */
export async function createIntegration(db: Db, input: { name: string; kind: IntegrationKind; now: Date; keyId: string; secretRoot?: string }) {
  const created = await db.apiIntegration.create({ data: { keyId: input.keyId, name: input.name, kind: input.kind, createdAt: input.now } })
  return { id: created.id, keyId: created.keyId, secret: deriveSecret('api', created.keyId, input.secretRoot) }
}
