-- AlterTable
ALTER TABLE "Post" ADD COLUMN     "goneUpstreamAt" TIMESTAMPTZ(3),
ADD COLUMN     "metricsDueAt" TIMESTAMPTZ(3),
ADD COLUMN     "metricsStep" INTEGER;

-- AlterTable
ALTER TABLE "SocialAccount" ADD COLUMN     "accountMetricsDueAt" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "AccountSnapshot" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "socialAccountId" UUID NOT NULL,
    "capturedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "followers" INTEGER,
    "raw" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "AccountSnapshot_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AccountSnapshot_workspaceId_socialAccountId_capturedAt_idx" ON "AccountSnapshot"("workspaceId", "socialAccountId", "capturedAt" DESC);

-- CreateIndex
CREATE INDEX "Post_metricsDueAt_socialAccountId_idx" ON "Post"("metricsDueAt", "socialAccountId");

-- CreateIndex
CREATE INDEX "SocialAccount_status_accountMetricsDueAt_idx" ON "SocialAccount"("status", "accountMetricsDueAt");

-- AddForeignKey
ALTER TABLE "AccountSnapshot" ADD CONSTRAINT "AccountSnapshot_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccountSnapshot" ADD CONSTRAINT "AccountSnapshot_socialAccountId_fkey" FOREIGN KEY ("socialAccountId") REFERENCES "SocialAccount"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Posts published before pulls existed are read at the next sweep, and from then on by the schedule's next step
-- (a late pull skips the steps it overtook); those past the last step (+63 d) are not pulled.
UPDATE "Post" SET "metricsDueAt" = now(), "metricsStep" = 0
WHERE "status" = 'published' AND "externalId" IS NOT NULL AND "publishedAt" > now() - interval '63 days';

-- Connected accounts get their first follower count at the next sweep.
UPDATE "SocialAccount" SET "accountMetricsDueAt" = now() WHERE "status" = 'active';
