-- Evidence access log: who viewed or downloaded which evidence file, when, and how much of it.

-- CreateEnum
CREATE TYPE "EvidenceAccessKind" AS ENUM ('VIEW', 'DOWNLOAD');

-- CreateTable
CREATE TABLE "EvidenceAccess" (
    "id" UUID NOT NULL,
    "itemId" UUID NOT NULL,
    "caseId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "actorKind" "ActorKind" NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "kind" "EvidenceAccessKind" NOT NULL,
    "range" TEXT,
    "bytes" BIGINT,

    CONSTRAINT "EvidenceAccess_pkey" PRIMARY KEY ("id")
);

-- The case page lists a case's accesses; the range window looks up a user's last access to a file.
CREATE INDEX "EvidenceAccess_caseId_at_idx" ON "EvidenceAccess"("caseId", "at");
CREATE INDEX "EvidenceAccess_itemId_userId_at_idx" ON "EvidenceAccess"("itemId", "userId", "at");

-- AddForeignKey
ALTER TABLE "EvidenceAccess" ADD CONSTRAINT "EvidenceAccess_itemId_fkey" FOREIGN KEY ("itemId") REFERENCES "EvidenceItem"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "EvidenceAccess" ADD CONSTRAINT "EvidenceAccess_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "AfterSalesCase"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "EvidenceAccess" ADD CONSTRAINT "EvidenceAccess_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
