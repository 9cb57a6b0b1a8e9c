-- Login brakes. "User"."failedLogins" now counts attempts reserved before the password is checked
-- (no schema change). A per-address throttle shared by every app process: one row per client
-- address and fixed window, upserted once per attempt; past windows are deleted by windowStart.
CREATE TABLE "LoginThrottle" (
    "ip" TEXT NOT NULL,
    "windowStart" TIMESTAMPTZ(3) NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "LoginThrottle_pkey" PRIMARY KEY ("ip","windowStart")
);

CREATE INDEX "LoginThrottle_windowStart_idx" ON "LoginThrottle"("windowStart");
