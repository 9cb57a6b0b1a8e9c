-- Dispute.shopId: the case's shop, copied so per-shop dispute figures (the dashboard's dispute rate)
-- read the Dispute table alone. Added nullable, filled from the cases, then made required, so the
-- migration works on a database that already holds disputes.
ALTER TABLE "Dispute" ADD COLUMN "shopId" UUID;
UPDATE "Dispute" d SET "shopId" = c."shopId" FROM "AfterSalesCase" c WHERE c.id = d."caseId";
ALTER TABLE "Dispute" ALTER COLUMN "shopId" SET NOT NULL;

-- CreateIndex
CREATE INDEX "Dispute_openedAt_shopId_idx" ON "Dispute"("openedAt", "shopId");

-- CreateIndex
CREATE INDEX "EvidenceRequest_disputeId_status_dueAt_idx" ON "EvidenceRequest"("disputeId", "status", "dueAt");

-- AddForeignKey
ALTER TABLE "Dispute" ADD CONSTRAINT "Dispute_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
