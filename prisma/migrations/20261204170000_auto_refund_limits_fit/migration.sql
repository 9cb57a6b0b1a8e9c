-- A shop's auto-refund day total (at most its cap) plus one more request (at most its per-order
-- maximum) must stay an integer: the cap check adds them in SQL. The policy bounds what a merchant
-- may set (autoRefundStrategy.maxDailyCapFen, fitsStoredTotals in app/domain/policy.ts); this holds
-- every row to the same bound. Rows written before it are brought inside first.
UPDATE "Shop" SET "autoRefundDailyCapFen" = 2147483647 - "autoRefundPerOrderFen"
WHERE "autoRefundDailyCapFen"::bigint + "autoRefundPerOrderFen" > 2147483647;

ALTER TABLE "Shop" ADD CONSTRAINT "Shop_auto_refund_limits_fit"
  CHECK ("autoRefundDailyCapFen"::bigint + "autoRefundPerOrderFen" <= 2147483647);
