-- DropIndex
DROP INDEX "Notification_userId_createdAt_id_idx";

-- CreateIndex
CREATE INDEX "Notification_userId_category_createdAt_id_idx" ON "Notification"("userId", "category", "createdAt", "id");
