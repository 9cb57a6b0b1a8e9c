-- CreateEnum
CREATE TYPE "EvidencePurpose" AS ENUM ('DISPUTE_EVIDENCE', 'ESCALATION', 'REQUEST_PROOF', 'REJECTION_PROOF');

-- AlterTable
ALTER TABLE "AfterSalesCase" ADD COLUMN     "autoDecisionInputs" JSONB,
ADD COLUMN     "autoDecisionRuleId" TEXT,
ADD COLUMN     "offlineResolution" TEXT,
ADD COLUMN     "parcelSignedAt" TIMESTAMPTZ(3),
ADD COLUMN     "receiptExtensions" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "rejectionReason" TEXT,
ADD COLUMN     "returnAddress" JSONB,
ADD COLUMN     "returnCourier" TEXT,
ADD COLUMN     "returnSmsNotice" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "returnTrackingNo" TEXT,
ADD COLUMN     "trackingUploadedAt" TIMESTAMPTZ(3),
ADD COLUMN     "trackingUploadedBy" "ActorKind";

-- AlterTable
ALTER TABLE "EvidenceItem" ADD COLUMN     "purpose" "EvidencePurpose" NOT NULL DEFAULT 'DISPUTE_EVIDENCE';

-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "autoRefundDailyCapFen" INTEGER,
ADD COLUMN     "autoRefundEnabled" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "autoRefundPerOrderFen" INTEGER;

-- CreateTable
CREATE TABLE "ShopAddress" (
    "id" UUID NOT NULL,
    "shopId" UUID NOT NULL,
    "label" TEXT NOT NULL,
    "contactName" TEXT NOT NULL,
    "phone" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "isDefault" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "archivedAt" TIMESTAMPTZ(3),

    CONSTRAINT "ShopAddress_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AutoRefundDay" (
    "shopId" UUID NOT NULL,
    "day" TEXT NOT NULL,
    "totalFen" INTEGER NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "AutoRefundDay_pkey" PRIMARY KEY ("shopId","day")
);

-- CreateIndex
CREATE INDEX "ShopAddress_shopId_archivedAt_idx" ON "ShopAddress"("shopId", "archivedAt");

-- CreateIndex
CREATE INDEX "AfterSalesCase_shopId_expressRefund_createdAt_idx" ON "AfterSalesCase"("shopId", "expressRefund", "createdAt");

-- CreateIndex
CREATE INDEX "AfterSalesCase_returnTrackingNo_idx" ON "AfterSalesCase"("returnTrackingNo");

-- AddForeignKey
ALTER TABLE "ShopAddress" ADD CONSTRAINT "ShopAddress_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AutoRefundDay" ADD CONSTRAINT "AutoRefundDay_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Files recorded before purposes existed: those outside an evidence request came with an escalation.
UPDATE "EvidenceItem" SET "purpose" = 'ESCALATION' WHERE "requestId" IS NULL;
