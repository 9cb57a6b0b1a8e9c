-- Case core: dispute rounds (many disputes and rulings per case), the binding ruling, and the refund
-- ledger with gateway delivery state.

-- Refund states: PENDING → SUBMITTED (accepted by the gateway) → SUCCEEDED / FAILED.
ALTER TYPE "RefundStatus" ADD VALUE 'SUBMITTED';

-- Rounds: one ruling per dispute, many disputes per case, numbered.
DROP INDEX "Dispute_caseId_idx";
DROP INDEX "Ruling_caseId_key";
ALTER TABLE "Dispute" ADD COLUMN "round" INTEGER NOT NULL DEFAULT 1;
CREATE UNIQUE INDEX "Dispute_caseId_round_key" ON "Dispute"("caseId", "round");
CREATE INDEX "Ruling_caseId_createdAt_idx" ON "Ruling"("caseId", "createdAt");
ALTER TABLE "AfterSalesCase" ADD COLUMN "bindingRulingId" UUID;

-- Refund rows gain their order, the ruling that ordered them and their delivery state. Existing
-- rows: the order through the case, the refund id as idempotency key, due at creation.
ALTER TABLE "Refund" ADD COLUMN "attempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "failureKind" TEXT,
ADD COLUMN "gatewayRefundId" TEXT,
ADD COLUMN "idempotencyKey" TEXT,
ADD COLUMN "lastError" TEXT,
ADD COLUMN "leaseToken" UUID,
ADD COLUMN "leaseUntil" TIMESTAMPTZ(3),
ADD COLUMN "nextAttemptAt" TIMESTAMPTZ(3),
ADD COLUMN "orderId" UUID,
ADD COLUMN "rulingId" UUID,
ADD COLUMN "submittedAt" TIMESTAMPTZ(3);
UPDATE "Refund" r SET "orderId" = c."orderId", "idempotencyKey" = r."id"::text, "nextAttemptAt" = r."createdAt"
  FROM "AfterSalesCase" c WHERE c."id" = r."caseId";
ALTER TABLE "Refund" ALTER COLUMN "orderId" SET NOT NULL,
  ALTER COLUMN "idempotencyKey" SET NOT NULL,
  ALTER COLUMN "nextAttemptAt" SET NOT NULL;
CREATE UNIQUE INDEX "Refund_idempotencyKey_key" ON "Refund"("idempotencyKey");
CREATE INDEX "Refund_orderId_idx" ON "Refund"("orderId");
CREATE INDEX "Refund_status_nextAttemptAt_idx" ON "Refund"("status", "nextAttemptAt");
ALTER TABLE "Refund" ADD CONSTRAINT "Refund_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "Order"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "Refund" ADD CONSTRAINT "Refund_rulingId_fkey" FOREIGN KEY ("rulingId") REFERENCES "Ruling"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "Refund" ADD CONSTRAINT "Refund_amount_positive" CHECK ("amountFen" > 0);

-- Orders already refunded above what was paid (the double refund): their refunds not yet paid out
-- are held as FAILED for an agent to look at, never sent to the gateway; what was paid stays paid.
UPDATE "Refund" r SET "status" = 'FAILED', "failureKind" = 'HELD_OVER_REFUNDED', "lastError" = 'held by the ledger migration: the order''s refunds exceeded its paid amount'
  FROM "Order" o
  WHERE o."id" = r."orderId" AND r."status" = 'PENDING'
    AND (SELECT sum(x."amountFen") FROM "Refund" x WHERE x."orderId" = o."id" AND x."status" <> 'FAILED') > o."paidAmountFen";

-- The ledger: what the order's refunds that have not failed add up to, never above what was paid.
ALTER TABLE "Order" ADD COLUMN "refundReservedFen" INTEGER NOT NULL DEFAULT 0;
UPDATE "Order" o SET "refundReservedFen" = LEAST(o."paidAmountFen", t.total)
  FROM (SELECT "orderId", sum("amountFen")::int AS total FROM "Refund" WHERE "status" <> 'FAILED' GROUP BY "orderId") t
  WHERE t."orderId" = o."id";
ALTER TABLE "Order" ADD CONSTRAINT "Order_refund_within_paid" CHECK ("refundReservedFen" >= 0 AND "refundReservedFen" <= "paidAmountFen");
