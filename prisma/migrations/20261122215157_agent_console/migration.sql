-- CreateIndex
CREATE INDEX "Ruling_agentId_createdAt_idx" ON "Ruling"("agentId", "createdAt");

-- CreateIndex
CREATE INDEX "Ruling_createdAt_idx" ON "Ruling"("createdAt");
