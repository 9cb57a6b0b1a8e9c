-- CreateEnum
CREATE TYPE "UserKind" AS ENUM ('BUYER', 'MERCHANT', 'AGENT');

-- CreateEnum
CREATE TYPE "ShopRole" AS ENUM ('MAIN', 'ADMIN', 'CS_ADMIN', 'CUSTOM');

-- CreateEnum
CREATE TYPE "ShopPermission" AS ENUM ('AGREE_REFUND', 'HANDLE_AFTER_SALES', 'MANAGE_SETTINGS');

-- CreateEnum
CREATE TYPE "FlagColor" AS ENUM ('RED', 'ORANGE', 'YELLOW', 'GREEN', 'BLUE', 'PURPLE');

-- CreateEnum
CREATE TYPE "CaseType" AS ENUM ('REFUND_ONLY', 'RETURN_AND_REFUND');

-- CreateEnum
CREATE TYPE "CaseState" AS ENUM ('PENDING_MERCHANT', 'AWAITING_RETURN', 'AWAITING_RECEIPT', 'REJECTED', 'IN_DISPUTE', 'REFUNDED', 'CLOSED');

-- CreateEnum
CREATE TYPE "CaseReason" AS ENUM ('NOT_AS_DESCRIBED', 'QUALITY_ISSUE', 'DAMAGED', 'WRONG_ITEM', 'MISSING_PARTS', 'NOT_RECEIVED', 'NO_LONGER_NEEDED', 'OTHER');

-- CreateEnum
CREATE TYPE "PartyRole" AS ENUM ('BUYER', 'MERCHANT');

-- CreateEnum
CREATE TYPE "DisputeStatus" AS ENUM ('OPEN', 'RULED');

-- CreateEnum
CREATE TYPE "EvidenceRequestStatus" AS ENUM ('OPEN', 'SUBMITTED', 'EXPIRED');

-- CreateEnum
CREATE TYPE "EvidenceItemStatus" AS ENUM ('DRAFT', 'SUBMITTED', 'REMOVED');

-- CreateEnum
CREATE TYPE "LiableParty" AS ENUM ('MERCHANT', 'BUYER', 'BOTH', 'PLATFORM', 'LOGISTICS');

-- CreateEnum
CREATE TYPE "RulingOutcome" AS ENUM ('FULL_REFUND', 'PARTIAL_REFUND', 'RETURN_THEN_REFUND', 'REJECT_REQUEST');

-- CreateEnum
CREATE TYPE "ActorKind" AS ENUM ('BUYER', 'MERCHANT', 'AGENT', 'SYSTEM');

-- CreateEnum
CREATE TYPE "RefundStatus" AS ENUM ('PENDING', 'SUCCEEDED', 'FAILED');

-- CreateEnum
CREATE TYPE "NotificationCategory" AS ENUM ('AFTER_SALES', 'DISPUTE', 'SYSTEM');

-- CreateEnum
CREATE TYPE "EmailStatus" AS ENUM ('PENDING', 'SENT', 'FAILED');

-- CreateTable
CREATE TABLE "User" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "kind" "UserKind" NOT NULL,
    "failedLogins" INTEGER NOT NULL DEFAULT 0,
    "lockedUntil" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Session" (
    "id" UUID NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "userId" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "revokedAt" TIMESTAMPTZ(3),
    "userAgent" TEXT,
    "ip" TEXT,

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Buyer" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "nickname" TEXT NOT NULL,

    CONSTRAINT "Buyer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Shop" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "expressRefundEnabled" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Shop_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ShopMember" (
    "id" UUID NOT NULL,
    "shopId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "role" "ShopRole" NOT NULL,
    "permissions" "ShopPermission"[],
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ShopMember_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Order" (
    "id" UUID NOT NULL,
    "orderNo" TEXT NOT NULL,
    "shopId" UUID NOT NULL,
    "buyerId" UUID NOT NULL,
    "itemTitle" TEXT NOT NULL,
    "paidAmountFen" INTEGER NOT NULL,
    "paidAt" TIMESTAMPTZ(3) NOT NULL,
    "shippedAt" TIMESTAMPTZ(3),
    "isVirtual" BOOLEAN NOT NULL DEFAULT false,
    "expressRefundBadge" BOOLEAN NOT NULL DEFAULT false,
    "returnShippingInsurance" BOOLEAN NOT NULL DEFAULT false,
    "customerName" TEXT NOT NULL,
    "customerPhone" TEXT NOT NULL,
    "refundedAt" TIMESTAMPTZ(3),
    "flagColor" "FlagColor",
    "flagUpdatedAt" TIMESTAMPTZ(3),
    "flagUpdatedById" UUID,
    "note" TEXT,
    "noteUpdatedAt" TIMESTAMPTZ(3),
    "noteUpdatedById" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Order_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AfterSalesCase" (
    "id" UUID NOT NULL,
    "caseNo" TEXT NOT NULL,
    "orderId" UUID NOT NULL,
    "shopId" UUID NOT NULL,
    "buyerId" UUID NOT NULL,
    "type" "CaseType" NOT NULL,
    "state" "CaseState" NOT NULL,
    "reason" "CaseReason" NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "requestedAmountFen" INTEGER NOT NULL,
    "orderNo" TEXT NOT NULL,
    "customerName" TEXT NOT NULL,
    "customerPhone" TEXT NOT NULL,
    "merchantRespondBy" TIMESTAMPTZ(3),
    "buyerShipBy" TIMESTAMPTZ(3),
    "merchantReceiveBy" TIMESTAMPTZ(3),
    "receiptExtendedAt" TIMESTAMPTZ(3),
    "nextDeadlineAt" TIMESTAMPTZ(3),
    "rejectedAt" TIMESTAMPTZ(3),
    "escalatedAt" TIMESTAMPTZ(3),
    "closedAt" TIMESTAMPTZ(3),
    "expressRefund" BOOLEAN NOT NULL DEFAULT false,
    "note" TEXT,
    "noteUpdatedAt" TIMESTAMPTZ(3),
    "noteUpdatedById" UUID,
    "version" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "AfterSalesCase_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Dispute" (
    "id" UUID NOT NULL,
    "caseId" UUID NOT NULL,
    "status" "DisputeStatus" NOT NULL DEFAULT 'OPEN',
    "openedByRole" "PartyRole" NOT NULL,
    "openedById" UUID NOT NULL,
    "reason" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "assignedAgentId" UUID,
    "openedAt" TIMESTAMPTZ(3) NOT NULL,
    "ruledAt" TIMESTAMPTZ(3),

    CONSTRAINT "Dispute_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EvidenceRequest" (
    "id" UUID NOT NULL,
    "disputeId" UUID NOT NULL,
    "caseId" UUID NOT NULL,
    "party" "PartyRole" NOT NULL,
    "instructions" TEXT NOT NULL,
    "checklist" TEXT[],
    "requestedById" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "dueAt" TIMESTAMPTZ(3) NOT NULL,
    "status" "EvidenceRequestStatus" NOT NULL DEFAULT 'OPEN',
    "explanation" TEXT,
    "submittedAt" TIMESTAMPTZ(3),
    "submittedById" UUID,
    "reminderSentAt" TIMESTAMPTZ(3),

    CONSTRAINT "EvidenceRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EvidenceItem" (
    "id" UUID NOT NULL,
    "requestId" UUID,
    "caseId" UUID NOT NULL,
    "uploadedById" UUID NOT NULL,
    "uploadedByRole" "PartyRole" NOT NULL,
    "s3Key" TEXT NOT NULL,
    "fileName" TEXT NOT NULL,
    "sizeBytes" BIGINT NOT NULL,
    "contentType" TEXT NOT NULL,
    "sha256" CHAR(64) NOT NULL,
    "status" "EvidenceItemStatus" NOT NULL DEFAULT 'DRAFT',
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "removedAt" TIMESTAMPTZ(3),

    CONSTRAINT "EvidenceItem_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Ruling" (
    "id" UUID NOT NULL,
    "caseId" UUID NOT NULL,
    "disputeId" UUID NOT NULL,
    "actorKind" "ActorKind" NOT NULL,
    "agentId" UUID,
    "ruleId" TEXT,
    "liableParty" "LiableParty" NOT NULL,
    "outcome" "RulingOutcome" NOT NULL,
    "refundAmountFen" INTEGER,
    "rationale" TEXT NOT NULL,
    "internalNote" TEXT,
    "reliedEvidenceIds" UUID[],
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Ruling_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Refund" (
    "id" UUID NOT NULL,
    "caseId" UUID NOT NULL,
    "amountFen" INTEGER NOT NULL,
    "status" "RefundStatus" NOT NULL DEFAULT 'PENDING',
    "actorKind" "ActorKind" NOT NULL,
    "actorUserId" UUID,
    "ruleId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "completedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Refund_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CaseLog" (
    "id" UUID NOT NULL,
    "caseId" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "actorKind" "ActorKind" NOT NULL,
    "actorUserId" UUID,
    "actorRole" TEXT,
    "action" TEXT NOT NULL,
    "fromState" "CaseState",
    "toState" "CaseState",
    "ruleId" TEXT,
    "details" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "CaseLog_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NegotiationEntry" (
    "id" UUID NOT NULL,
    "caseId" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "role" "ActorKind" NOT NULL,
    "actorUserId" UUID,
    "kind" TEXT NOT NULL,
    "message" TEXT NOT NULL DEFAULT '',
    "amountFen" INTEGER,
    "details" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "NegotiationEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Notification" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "category" "NotificationCategory" NOT NULL,
    "messageKey" TEXT NOT NULL,
    "params" JSONB NOT NULL DEFAULT '{}',
    "caseId" UUID,
    "dedupeKey" TEXT NOT NULL,
    "readAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Notification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EmailOutbox" (
    "id" UUID NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "recipients" TEXT[],
    "subject" TEXT NOT NULL,
    "textBody" TEXT NOT NULL,
    "htmlBody" TEXT,
    "status" "EmailStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMPTZ(3) NOT NULL,
    "leaseUntil" TIMESTAMPTZ(3),
    "leaseToken" UUID,
    "lastError" TEXT,
    "messageId" TEXT,
    "sentAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "EmailOutbox_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE UNIQUE INDEX "Session_tokenHash_key" ON "Session"("tokenHash");

-- CreateIndex
CREATE INDEX "Session_userId_idx" ON "Session"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "Buyer_userId_key" ON "Buyer"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "ShopMember_userId_key" ON "ShopMember"("userId");

-- CreateIndex
CREATE INDEX "ShopMember_shopId_role_idx" ON "ShopMember"("shopId", "role");

-- CreateIndex
CREATE UNIQUE INDEX "Order_orderNo_key" ON "Order"("orderNo");

-- CreateIndex
CREATE INDEX "Order_shopId_paidAt_idx" ON "Order"("shopId", "paidAt");

-- CreateIndex
CREATE INDEX "Order_buyerId_paidAt_idx" ON "Order"("buyerId", "paidAt");

-- CreateIndex
CREATE UNIQUE INDEX "AfterSalesCase_caseNo_key" ON "AfterSalesCase"("caseNo");

-- CreateIndex
CREATE INDEX "AfterSalesCase_shopId_state_nextDeadlineAt_id_idx" ON "AfterSalesCase"("shopId", "state", "nextDeadlineAt", "id");

-- CreateIndex
CREATE INDEX "AfterSalesCase_shopId_createdAt_id_idx" ON "AfterSalesCase"("shopId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "AfterSalesCase_shopId_orderNo_idx" ON "AfterSalesCase"("shopId", "orderNo");

-- CreateIndex
CREATE INDEX "AfterSalesCase_shopId_customerPhone_idx" ON "AfterSalesCase"("shopId", "customerPhone");

-- CreateIndex
CREATE INDEX "AfterSalesCase_shopId_customerName_idx" ON "AfterSalesCase"("shopId", "customerName");

-- CreateIndex
CREATE INDEX "AfterSalesCase_buyerId_createdAt_id_idx" ON "AfterSalesCase"("buyerId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "AfterSalesCase_orderId_idx" ON "AfterSalesCase"("orderId");

-- CreateIndex
CREATE INDEX "AfterSalesCase_state_nextDeadlineAt_id_idx" ON "AfterSalesCase"("state", "nextDeadlineAt", "id");

-- CreateIndex
CREATE INDEX "Dispute_caseId_idx" ON "Dispute"("caseId");

-- CreateIndex
CREATE INDEX "Dispute_status_openedAt_idx" ON "Dispute"("status", "openedAt");

-- CreateIndex
CREATE INDEX "Dispute_assignedAgentId_status_idx" ON "Dispute"("assignedAgentId", "status");

-- CreateIndex
CREATE INDEX "EvidenceRequest_caseId_createdAt_idx" ON "EvidenceRequest"("caseId", "createdAt");

-- CreateIndex
CREATE INDEX "EvidenceRequest_status_dueAt_idx" ON "EvidenceRequest"("status", "dueAt");

-- CreateIndex
CREATE UNIQUE INDEX "EvidenceItem_s3Key_key" ON "EvidenceItem"("s3Key");

-- CreateIndex
CREATE INDEX "EvidenceItem_caseId_createdAt_idx" ON "EvidenceItem"("caseId", "createdAt");

-- CreateIndex
CREATE INDEX "EvidenceItem_requestId_status_idx" ON "EvidenceItem"("requestId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "Ruling_caseId_key" ON "Ruling"("caseId");

-- CreateIndex
CREATE UNIQUE INDEX "Ruling_disputeId_key" ON "Ruling"("disputeId");

-- CreateIndex
CREATE INDEX "Refund_caseId_idx" ON "Refund"("caseId");

-- CreateIndex
CREATE INDEX "CaseLog_caseId_at_idx" ON "CaseLog"("caseId", "at");

-- CreateIndex
CREATE INDEX "NegotiationEntry_caseId_at_idx" ON "NegotiationEntry"("caseId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "Notification_dedupeKey_key" ON "Notification"("dedupeKey");

-- CreateIndex
CREATE INDEX "Notification_userId_createdAt_id_idx" ON "Notification"("userId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Notification_userId_readAt_idx" ON "Notification"("userId", "readAt");

-- CreateIndex
CREATE UNIQUE INDEX "EmailOutbox_dedupeKey_key" ON "EmailOutbox"("dedupeKey");

-- CreateIndex
CREATE INDEX "EmailOutbox_status_nextAttemptAt_idx" ON "EmailOutbox"("status", "nextAttemptAt");

-- AddForeignKey
ALTER TABLE "Session" ADD CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Buyer" ADD CONSTRAINT "Buyer_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ShopMember" ADD CONSTRAINT "ShopMember_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ShopMember" ADD CONSTRAINT "ShopMember_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Order" ADD CONSTRAINT "Order_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Order" ADD CONSTRAINT "Order_buyerId_fkey" FOREIGN KEY ("buyerId") REFERENCES "Buyer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AfterSalesCase" ADD CONSTRAINT "AfterSalesCase_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "Order"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AfterSalesCase" ADD CONSTRAINT "AfterSalesCase_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AfterSalesCase" ADD CONSTRAINT "AfterSalesCase_buyerId_fkey" FOREIGN KEY ("buyerId") REFERENCES "Buyer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Dispute" ADD CONSTRAINT "Dispute_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "AfterSalesCase"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EvidenceRequest" ADD CONSTRAINT "EvidenceRequest_disputeId_fkey" FOREIGN KEY ("disputeId") REFERENCES "Dispute"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EvidenceRequest" ADD CONSTRAINT "EvidenceRequest_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "AfterSalesCase"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EvidenceItem" ADD CONSTRAINT "EvidenceItem_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "EvidenceRequest"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EvidenceItem" ADD CONSTRAINT "EvidenceItem_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "AfterSalesCase"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Ruling" ADD CONSTRAINT "Ruling_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "AfterSalesCase"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Ruling" ADD CONSTRAINT "Ruling_disputeId_fkey" FOREIGN KEY ("disputeId") REFERENCES "Dispute"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Refund" ADD CONSTRAINT "Refund_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "AfterSalesCase"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CaseLog" ADD CONSTRAINT "CaseLog_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "AfterSalesCase"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NegotiationEntry" ADD CONSTRAINT "NegotiationEntry_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "AfterSalesCase"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Notification" ADD CONSTRAINT "Notification_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Notification" ADD CONSTRAINT "Notification_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "AfterSalesCase"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
