-- Worker lanes wake on work instead of polling (ADR 0011). A statement that writes a deadline or
-- queues a delivery notifies channel "portal_jobs" with the lane's name; PostgreSQL delivers it at
-- commit and folds repeats within one transaction, so a bulk insert costs one notification. The
-- lanes re-read the next due time on each one; a missed notification only costs the lane's capped
-- sleep. No schema change: plain functions and triggers, no extension, no superuser.
CREATE FUNCTION "portal_notify_jobs"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('portal_jobs', TG_ARGV[0]);
  RETURN NULL;
END
$$;

CREATE TRIGGER "AfterSalesCase_wakes_deadlines" AFTER INSERT OR UPDATE OF "state", "nextDeadlineAt" ON "AfterSalesCase"
  FOR EACH STATEMENT EXECUTE FUNCTION "portal_notify_jobs"('deadlines');
CREATE TRIGGER "EvidenceRequest_wakes_deadlines" AFTER INSERT OR UPDATE OF "status", "dueAt", "reminderSentAt" ON "EvidenceRequest"
  FOR EACH STATEMENT EXECUTE FUNCTION "portal_notify_jobs"('deadlines');
CREATE TRIGGER "EmailOutbox_wakes_email" AFTER INSERT OR UPDATE OF "nextAttemptAt" ON "EmailOutbox"
  FOR EACH STATEMENT EXECUTE FUNCTION "portal_notify_jobs"('email');
CREATE TRIGGER "WebhookDelivery_wakes_webhook" AFTER INSERT OR UPDATE OF "nextAttemptAt" ON "WebhookDelivery"
  FOR EACH STATEMENT EXECUTE FUNCTION "portal_notify_jobs"('webhook');
CREATE TRIGGER "Refund_wakes_refund" AFTER INSERT OR UPDATE OF "nextAttemptAt" ON "Refund"
  FOR EACH STATEMENT EXECUTE FUNCTION "portal_notify_jobs"('refund');
