-- AlterTable
ALTER TABLE "AfterSalesCase" ADD COLUMN     "flagColor" "FlagColor",
ADD COLUMN     "orderShipped" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "returnShippingInsurance" BOOLEAN NOT NULL DEFAULT false;

-- CreateIndex
CREATE INDEX "AfterSalesCase_shopId_state_type_orderShipped_nextDeadlineA_idx" ON "AfterSalesCase"("shopId", "state", "type", "orderShipped", "nextDeadlineAt", "id");

-- CreateIndex
CREATE INDEX "AfterSalesCase_shopId_flagColor_createdAt_id_idx" ON "AfterSalesCase"("shopId", "flagColor", "createdAt", "id");

-- Existing cases take their order's values.
UPDATE "AfterSalesCase" c SET "orderShipped" = o."shippedAt" IS NOT NULL, "returnShippingInsurance" = o."returnShippingInsurance", "flagColor" = o."flagColor"
FROM "Order" o WHERE o.id = c."orderId";
