-- ShopCaseCount: the tab counts of the workbench per shop and (state, type, orderShipped) group, kept exact
-- by statement-level triggers on AfterSalesCase, so no writer (service, seed, test, psql) can forget it.
-- Created, filled and armed in one transaction with writers to the cases held off, so no change
-- falls between the backfill and the triggers.
BEGIN;

LOCK TABLE "AfterSalesCase" IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE "ShopCaseCount" (
    "shopId" UUID NOT NULL,
    "state" "CaseState" NOT NULL,
    "type" "CaseType" NOT NULL,
    "orderShipped" BOOLEAN NOT NULL,
    "n" INTEGER NOT NULL,

    CONSTRAINT "ShopCaseCount_pkey" PRIMARY KEY ("shopId","state","type","orderShipped")
);

ALTER TABLE "ShopCaseCount" ADD CONSTRAINT "ShopCaseCount_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

INSERT INTO "ShopCaseCount" ("shopId", "state", "type", "orderShipped", "n")
SELECT "shopId", "state", "type", "orderShipped", count(*)::int FROM "AfterSalesCase" GROUP BY 1, 2, 3, 4;

-- One function for the three triggers: the rows of each statement, old ones counted -1 and new ones +1,
-- summed per group; groups whose sum is 0 (an update that moved no case between groups, the common
-- case) write nothing. Rows are applied in key order so concurrent statements lock them in one order.
CREATE FUNCTION "shop_case_count_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "ShopCaseCount" AS t ("shopId", "state", "type", "orderShipped", "n")
    SELECT "shopId", "state", "type", "orderShipped", count(*)::int FROM new_rows GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT ("shopId", "state", "type", "orderShipped") DO UPDATE SET "n" = t."n" + EXCLUDED."n";
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO "ShopCaseCount" AS t ("shopId", "state", "type", "orderShipped", "n")
    SELECT "shopId", "state", "type", "orderShipped", -count(*)::int FROM old_rows GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT ("shopId", "state", "type", "orderShipped") DO UPDATE SET "n" = t."n" + EXCLUDED."n";
  ELSE
    INSERT INTO "ShopCaseCount" AS t ("shopId", "state", "type", "orderShipped", "n")
    SELECT "shopId", "state", "type", "orderShipped", sum(d)::int FROM (
      SELECT "shopId", "state", "type", "orderShipped", 1 AS d FROM new_rows
      UNION ALL
      SELECT "shopId", "state", "type", "orderShipped", -1 AS d FROM old_rows) changes
    GROUP BY 1, 2, 3, 4 HAVING sum(d) <> 0 ORDER BY 1, 2, 3, 4
    ON CONFLICT ("shopId", "state", "type", "orderShipped") DO UPDATE SET "n" = t."n" + EXCLUDED."n";
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "AfterSalesCase_count_insert" AFTER INSERT ON "AfterSalesCase"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "shop_case_count_apply"();
CREATE TRIGGER "AfterSalesCase_count_update" AFTER UPDATE ON "AfterSalesCase"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "shop_case_count_apply"();
CREATE TRIGGER "AfterSalesCase_count_delete" AFTER DELETE ON "AfterSalesCase"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "shop_case_count_apply"();

COMMIT;
