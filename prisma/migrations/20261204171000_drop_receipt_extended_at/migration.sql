-- Never written or read: the extension is counted in "receiptExtensions" and dated by its case-log row.
ALTER TABLE "AfterSalesCase" DROP COLUMN "receiptExtendedAt";
