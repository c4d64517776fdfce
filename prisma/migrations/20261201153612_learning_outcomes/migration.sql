-- AlterTable
ALTER TABLE "Pattern" DROP COLUMN "alpha",
DROP COLUMN "beta",
DROP COLUMN "kappa",
DROP COLUMN "mu",
DROP COLUMN "n",
ADD COLUMN     "posts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "sum" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN     "sumSquares" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN     "weight" DOUBLE PRECISION NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "Workspace" ADD COLUMN     "exploration" DOUBLE PRECISION NOT NULL DEFAULT 1,
ADD COLUMN     "outcomeHorizonHours" INTEGER NOT NULL DEFAULT 48,
ADD COLUMN     "outcomeMetric" TEXT NOT NULL DEFAULT 'views';

-- CreateTable
CREATE TABLE "PostOutcome" (
    "postId" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "socialAccountId" UUID NOT NULL,
    "publishedAt" TIMESTAMPTZ(3) NOT NULL,
    "metric" TEXT NOT NULL,
    "horizonHours" INTEGER NOT NULL,
    "logValue" DOUBLE PRECISION NOT NULL,
    "baseline" DOUBLE PRECISION,
    "baselinePosts" INTEGER NOT NULL DEFAULT 0,
    "outcome" DOUBLE PRECISION,
    "reason" TEXT,
    "computedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PostOutcome_pkey" PRIMARY KEY ("postId")
);

-- CreateIndex
CREATE INDEX "PostOutcome_workspaceId_socialAccountId_publishedAt_idx" ON "PostOutcome"("workspaceId", "socialAccountId", "publishedAt");

-- CreateIndex
CREATE UNIQUE INDEX "PatternEvidence_patternId_postId_key" ON "PatternEvidence"("patternId", "postId");

-- AddForeignKey
ALTER TABLE "PostOutcome" ADD CONSTRAINT "PostOutcome_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PostOutcome" ADD CONSTRAINT "PostOutcome_postId_fkey" FOREIGN KEY ("postId") REFERENCES "Post"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PostOutcome" ADD CONSTRAINT "PostOutcome_socialAccountId_fkey" FOREIGN KEY ("socialAccountId") REFERENCES "SocialAccount"("id") ON DELETE CASCADE ON UPDATE CASCADE;
