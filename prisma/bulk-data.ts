// Bulk data for scale work: 1,000 shops, 10,000 buyers and 1,000,000 orders with one after-sales
// case each, generated inside PostgreSQL (generate_series) from a fixed seed, so every run on an
// empty database produces the same rows. Shop sizes are skewed like a real marketplace: a few shops
// hold tens of thousands of cases, most hold a few hundred.
import type { PrismaClient } from '~/generated/prisma/client'
import { hashPassword } from '~/services/auth.server'

export const BULK_PASSWORD = 'bulk-pass-2026'
/** The instant the bulk data is generated around (its open deadlines lie after it). */
export const BULK_NOW = new Date('2026-11-22T00:00:00Z')
export const BULK_AGENTS = 20
export const bulkAgentEmail = (n: number) => `agent${String(n).padStart(2, '0')}@platform.bulk`
export const bulkShopEmail = (n: number) => `main@shop-${String(n).padStart(4, '0')}.bulk`

export type BulkOptions = { shops?: number; buyers?: number; cases?: number; now?: Date; log?: (line: string) => void }

export async function seedBulkData(db: PrismaClient, options: BulkOptions = {}): Promise<{ seeded: boolean }> {
  const shops = options.shops ?? 1_000
  const buyers = options.buyers ?? 10_000
  const cases = options.cases ?? 1_000_000
  const now = (options.now ?? BULK_NOW).toISOString()
  const log = options.log ?? (() => {})
  if ((await db.user.count({ where: { email: { endsWith: '.bulk' } } })) > 0) return { seeded: false }
  const passwordHash = await hashPassword(BULK_PASSWORD)

  const step = async (what: string, sql: string) => {
    const started = performance.now()
    await db.$executeRawUnsafe(sql)
    log(`${what}: ${((performance.now() - started) / 1000).toFixed(1)} s`)
  }
  await db.$transaction(
    async (tx) => {
      // Reproducible: one seed, no parallel workers (each would draw its own random numbers).
      await tx.$executeRawUnsafe(`SET LOCAL max_parallel_workers_per_gather = 0`)
      await tx.$executeRawUnsafe(`SELECT setseed(0.2026)`)
      const exec = async (what: string, sql: string) => {
        const started = performance.now()
        await tx.$executeRawUnsafe(sql)
        log(`${what}: ${((performance.now() - started) / 1000).toFixed(1)} s`)
      }
      await exec(
        'shops and their main accounts',
        `WITH s AS (
           INSERT INTO "Shop" (id, name, "expressRefundEnabled", "createdAt")
           SELECT md5('shop' || n)::uuid, '店铺 ' || lpad(n::text, 4, '0') || ' Shop', n % 3 = 0, '${now}'::timestamptz - interval '400 days'
           FROM generate_series(1, ${shops}) n RETURNING id),
         u AS (
           INSERT INTO "User" (id, email, "passwordHash", "displayName", kind, "createdAt")
           SELECT md5('shop-user' || n)::uuid, 'main@shop-' || lpad(n::text, 4, '0') || '.bulk', '${passwordHash}', '店主 ' || n, 'MERCHANT', '${now}'::timestamptz - interval '400 days'
           FROM generate_series(1, ${shops}) n RETURNING id)
         INSERT INTO "ShopMember" (id, "shopId", "userId", role, permissions, "createdAt")
         SELECT md5('member' || n)::uuid, md5('shop' || n)::uuid, md5('shop-user' || n)::uuid, 'MAIN', '{}', '${now}'::timestamptz - interval '400 days'
         FROM generate_series(1, ${shops}) n`,
      )
      await exec(
        'buyers',
        `WITH u AS (
           INSERT INTO "User" (id, email, "passwordHash", "displayName", kind, "createdAt")
           SELECT md5('buyer-user' || n)::uuid, 'buyer' || n || '@buyers.bulk', '${passwordHash}', '买家 ' || n, 'BUYER', '${now}'::timestamptz - interval '400 days'
           FROM generate_series(1, ${buyers}) n RETURNING id)
         INSERT INTO "Buyer" (id, "userId", nickname) SELECT md5('buyer' || n)::uuid, md5('buyer-user' || n)::uuid, 'b' || n FROM generate_series(1, ${buyers}) n`,
      )
      // One random draw per row, kept in a temporary table so orders and cases agree.
      await exec(
        'draws',
        `CREATE TEMP TABLE bulk_draw ON COMMIT DROP AS
         SELECT i,
           1 + floor(${shops} * power(random(), 2.2))::int AS shop,
           1 + floor(random() * ${buyers})::int AS buyer,
           random() AS r_state, random() AS r_type, random() AS r_flag, random() AS r_days, random() AS r_due,
           random() AS r_amount, random() AS r_name, random() AS r_phone, random() AS r_misc
         FROM generate_series(1, ${cases}) i`,
      )
      await exec(
        'orders',
        `INSERT INTO "Order" (id, "orderNo", "shopId", "buyerId", "itemTitle", "paidAmountFen", "paidAt", "shippedAt", "isVirtual",
                              "expressRefundBadge", "returnShippingInsurance", "customerName", "customerPhone", "flagColor", "createdAt")
         SELECT md5('order' || i)::uuid, '26' || lpad(i::text, 10, '0'), md5('shop' || shop)::uuid, md5('buyer' || buyer)::uuid,
           '商品 ' || (i % 997), 100 + floor(r_amount * 200000)::int,
           '${now}'::timestamptz - (r_days * interval '180 days') - interval '1 day',
           CASE WHEN r_type < 0.7 THEN '${now}'::timestamptz - (r_days * interval '180 days') END,
           r_misc < 0.02, r_misc < 0.3, r_misc > 0.8,
           (ARRAY['王','李','张','刘','陈','杨','黄','赵','吴','周'])[1 + floor(r_name * 10)::int] || (ARRAY['伟','芳','娜','敏','静','丽','强','磊','军','洋'])[1 + floor(r_phone * 10)::int],
           '1' || (ARRAY['38','39','37','36','50','51','86','88'])[1 + floor(r_phone * 8)::int] || lpad(floor(r_misc * 100000000)::text, 8, '0'),
           CASE WHEN r_flag < 0.05 THEN (ARRAY['RED','ORANGE','YELLOW','GREEN','BLUE','PURPLE'])[1 + floor(r_flag * 120)::int]::"FlagColor" END,
           '${now}'::timestamptz - (r_days * interval '180 days') - interval '1 day'
         FROM bulk_draw`,
      )
      // States: 10% awaiting the merchant, up to 5% awaiting the return and 5% awaiting receipt (returns
      // of shipped orders), then rejected, 50% refunded, 20% closed. Open deadlines fall over the next days.
      await exec(
        'cases',
        `INSERT INTO "AfterSalesCase" (id, "caseNo", "orderId", "shopId", "buyerId", type, state, reason, "requestedAmountFen", "orderNo",
                                       "customerName", "customerPhone", "merchantRespondBy", "buyerShipBy", "merchantReceiveBy", "nextDeadlineAt",
                                       "expressRefund", "orderShipped", "returnShippingInsurance", "flagColor", "closedAt", "createdAt", "updatedAt")
         SELECT md5('case' || d.i)::uuid, 'AS' || lpad(d.i::text, 12, '0'), o.id, o."shopId", o."buyerId",
           c.type::"CaseType", c.state::"CaseState",
           (ARRAY['NOT_AS_DESCRIBED','QUALITY_ISSUE','DAMAGED','WRONG_ITEM','MISSING_PARTS','NOT_RECEIVED','NO_LONGER_NEEDED','OTHER'])[1 + floor(d.r_misc * 8)::int]::"CaseReason",
           o."paidAmountFen", o."orderNo", o."customerName", o."customerPhone",
           CASE WHEN c.state = 'PENDING_MERCHANT' THEN c.due END,
           CASE WHEN c.state = 'AWAITING_RETURN' THEN c.due END,
           CASE WHEN c.state = 'AWAITING_RECEIPT' THEN c.due END,
           CASE WHEN c.state IN ('PENDING_MERCHANT','AWAITING_RETURN','AWAITING_RECEIPT') THEN c.due
                WHEN c.state = 'IN_DISPUTE' AND d.r_misc < 0.67 THEN '${now}'::timestamptz + d.r_due * interval '24 hours' END,
           c.state = 'REFUNDED' AND o."shippedAt" IS NULL AND d.r_misc < 0.1,
           o."shippedAt" IS NOT NULL, o."returnShippingInsurance", o."flagColor",
           CASE WHEN c.state IN ('REFUNDED','CLOSED') THEN o."createdAt" + interval '3 days' END,
           c.created, c.created
         FROM bulk_draw d
         JOIN "Order" o ON o.id = md5('order' || d.i)::uuid
         CROSS JOIN LATERAL (SELECT
           CASE WHEN d.r_type < 0.55 OR o."shippedAt" IS NULL THEN 'REFUND_ONLY' ELSE 'RETURN_AND_REFUND' END AS type,
           CASE WHEN d.r_state < 0.10 THEN 'PENDING_MERCHANT'
                WHEN d.r_state < 0.15 AND o."shippedAt" IS NOT NULL AND d.r_type >= 0.55 THEN 'AWAITING_RETURN'
                WHEN d.r_state < 0.20 AND o."shippedAt" IS NOT NULL AND d.r_type >= 0.55 THEN 'AWAITING_RECEIPT'
                WHEN d.r_state >= 0.20 AND d.r_state < 0.215 THEN 'IN_DISPUTE'
                WHEN d.r_state < 0.30 THEN 'REJECTED'
                WHEN d.r_state < 0.80 THEN 'REFUNDED'
                ELSE 'CLOSED' END AS state,
           '${now}'::timestamptz + d.r_due * interval '10 days' AS due,
           CASE WHEN d.r_state < 0.215 THEN '${now}'::timestamptz - d.r_due * interval '2 days' - interval '1 day' ELSE o."createdAt" + interval '1 day' END AS created
         ) c`,
      )
      await exec(
        'agents',
        `INSERT INTO "User" (id, email, "passwordHash", "displayName", kind, "createdAt")
         SELECT md5('agent' || n)::uuid, 'agent' || lpad(n::text, 2, '0') || '@platform.bulk', '${passwordHash}', '小二 ' || n, 'AGENT', '${now}'::timestamptz - interval '400 days'
         FROM generate_series(1, ${BULK_AGENTS}) n`,
      )
      // Disputes: every open one (IN_DISPUTE; two in three wait for the merchant's evidence, half are
      // unassigned), and a ruled one behind 6% of the refunded or closed cases, ruled by an agent or,
      // one in six, by the merchant-evidence timeout 24 hours after it opened.
      await exec(
        'disputes',
        `WITH picked AS (
           SELECT d.i, d.r_misc, d.r_due, d.r_flag, c.id AS "caseId", c."shopId", c.state, c."requestedAmountFen", c."nextDeadlineAt", t.opened,
             LEAST(t.opened + CASE WHEN d.r_misc < 0.17 THEN interval '24 hours' ELSE d.r_due * interval '1200 hours' + interval '2 hours' END, '${now}'::timestamptz) AS ruled
           FROM bulk_draw d JOIN "AfterSalesCase" c ON c.id = md5('case' || d.i)::uuid
           CROSS JOIN LATERAL (SELECT LEAST(c."createdAt" + interval '1 day', '${now}'::timestamptz - interval '3 days' * d.r_due - interval '1 hour') AS opened) t
           WHERE c.state = 'IN_DISPUTE' OR (c.state IN ('REFUNDED', 'CLOSED') AND d.r_due < 0.06)),
         disputes AS (
           INSERT INTO "Dispute" (id, "caseId", "shopId", status, "openedByRole", "openedById", reason, "assignedAgentId", "openedAt", "ruledAt")
           SELECT md5('dispute' || i)::uuid, "caseId", "shopId", CASE WHEN state = 'IN_DISPUTE' THEN 'OPEN' ELSE 'RULED' END::"DisputeStatus",
             CASE WHEN r_flag < 0.7 THEN 'BUYER' ELSE 'MERCHANT' END::"PartyRole", md5('buyer-user' || 1)::uuid,
             (ARRAY['MERCHANT_REJECTED_UNFAIRLY','MERCHANT_NOT_RESPONDING','NEGOTIATION_FAILED','BUYER_CLAIM_UNFOUNDED','OTHER'])[1 + floor(r_flag * 5)::int],
             CASE WHEN state = 'IN_DISPUTE' AND r_flag < 0.5 THEN NULL ELSE md5('agent' || (1 + floor(r_flag * 1000)::int % ${BULK_AGENTS}))::uuid END,
             opened, CASE WHEN state <> 'IN_DISPUTE' THEN ruled END
           FROM picked RETURNING id),
         requests AS (
           INSERT INTO "EvidenceRequest" (id, "disputeId", "caseId", party, instructions, checklist, "requestedById", "createdAt", "dueAt", status)
           SELECT md5('request' || i)::uuid, md5('dispute' || i)::uuid, "caseId", 'MERCHANT', '请提供发货凭证与商品实拍图', '{}',
             md5('agent' || 1)::uuid, GREATEST(opened, "nextDeadlineAt" - interval '24 hours'), "nextDeadlineAt", 'OPEN'
           FROM picked WHERE state = 'IN_DISPUTE' AND "nextDeadlineAt" IS NOT NULL RETURNING id)
         INSERT INTO "Ruling" (id, "caseId", "disputeId", "actorKind", "agentId", "ruleId", "liableParty", outcome, "refundAmountFen", rationale, "reliedEvidenceIds", "createdAt")
         SELECT md5('ruling' || i)::uuid, "caseId", md5('dispute' || i)::uuid,
           CASE WHEN r_misc < 0.17 THEN 'SYSTEM' ELSE 'AGENT' END::"ActorKind",
           CASE WHEN r_misc >= 0.17 THEN md5('agent' || (1 + floor(r_flag * 1000)::int % ${BULK_AGENTS}))::uuid END,
           CASE WHEN r_misc < 0.17 THEN 'dispute.merchant-evidence-timeout' END,
           CASE WHEN state = 'REFUNDED' THEN 'MERCHANT' ELSE 'BUYER' END::"LiableParty",
           CASE WHEN state = 'CLOSED' THEN 'REJECT_REQUEST' WHEN r_misc < 0.17 OR r_flag < 0.8 THEN 'FULL_REFUND' ELSE 'PARTIAL_REFUND' END::"RulingOutcome",
           CASE WHEN state = 'REFUNDED' THEN CASE WHEN r_misc >= 0.17 AND r_flag >= 0.8 THEN "requestedAmountFen" / 2 ELSE "requestedAmountFen" END END,
           '依据双方举证判定', '{}', ruled
         FROM picked WHERE state <> 'IN_DISPUTE'`,
      )
    },
    { timeout: 30 * 60_000, maxWait: 60_000 },
  )
  // A table at rest has been vacuumed (autovacuum): the visibility map lets counts read the index only.
  await step('vacuum analyze', `VACUUM ANALYZE`)
  return { seeded: true }
}
