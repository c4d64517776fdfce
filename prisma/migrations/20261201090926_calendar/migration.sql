-- CreateEnum
CREATE TYPE "SeriesKind" AS ENUM ('recurring', 'evergreen');

-- CreateEnum
CREATE TYPE "NotificationKind" AS ENUM ('post_published', 'post_failed', 'post_needs_approval', 'post_approved', 'post_rejected');

-- DropIndex
DROP INDEX "Post_status_scheduledAt_idx";

-- AlterTable
ALTER TABLE "Post" ADD COLUMN     "dueAt" TIMESTAMPTZ(3),
ADD COLUMN     "fromQueue" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "lateSeconds" INTEGER,
ADD COLUMN     "needsApproval" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "notifiedAt" TIMESTAMPTZ(3),
ADD COLUMN     "reviewComment" TEXT,
ADD COLUMN     "reviewedAt" TIMESTAMPTZ(3),
ADD COLUMN     "scheduledWall" TEXT,
ADD COLUMN     "scheduledZone" TEXT,
ADD COLUMN     "seriesId" UUID;

-- AlterTable
ALTER TABLE "SocialAccount" ADD COLUMN     "queueSlots" JSONB NOT NULL DEFAULT '[]';

-- AlterTable
ALTER TABLE "Workspace" ADD COLUMN     "lateLimitMinutes" INTEGER NOT NULL DEFAULT 120;

-- CreateTable
CREATE TABLE "PostSeries" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "kind" "SeriesKind" NOT NULL,
    "rule" TEXT NOT NULL,
    "startWall" TEXT NOT NULL,
    "zone" TEXT NOT NULL,
    "renderIds" UUID[],
    "minGapDays" INTEGER,
    "template" JSONB NOT NULL,
    "expandedUntil" TIMESTAMPTZ(3),
    "endedAt" TIMESTAMPTZ(3),
    "createdById" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "PostSeries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Notification" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "kind" "NotificationKind" NOT NULL,
    "groupId" UUID,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "readAt" TIMESTAMPTZ(3),
    "emailedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Notification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApprovalLink" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "groupId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "usedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ApprovalLink_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PostSeries_workspaceId_idx" ON "PostSeries"("workspaceId");

-- CreateIndex
CREATE INDEX "PostSeries_endedAt_expandedUntil_idx" ON "PostSeries"("endedAt", "expandedUntil");

-- CreateIndex
CREATE INDEX "Notification_userId_workspaceId_createdAt_idx" ON "Notification"("userId", "workspaceId", "createdAt" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "ApprovalLink_tokenHash_key" ON "ApprovalLink"("tokenHash");

-- CreateIndex
CREATE INDEX "ApprovalLink_groupId_idx" ON "ApprovalLink"("groupId");

-- CreateIndex
CREATE INDEX "Post_status_dueAt_idx" ON "Post"("status", "dueAt");

-- CreateIndex
CREATE INDEX "Post_seriesId_scheduledAt_idx" ON "Post"("seriesId", "scheduledAt");

-- CreateIndex
CREATE INDEX "Post_notifiedAt_status_idx" ON "Post"("notifiedAt", "status");

-- AddForeignKey
ALTER TABLE "Post" ADD CONSTRAINT "Post_seriesId_fkey" FOREIGN KEY ("seriesId") REFERENCES "PostSeries"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PostSeries" ADD CONSTRAINT "PostSeries_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Notification" ADD CONSTRAINT "Notification_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Notification" ADD CONSTRAINT "Notification_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApprovalLink" ADD CONSTRAINT "ApprovalLink_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApprovalLink" ADD CONSTRAINT "ApprovalLink_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Posts already waiting keep their time as the moment the next attempt is due; finished ones were already seen.
UPDATE "Post" SET "dueAt" = "scheduledAt" WHERE "status" = 'scheduled';
UPDATE "Post" SET "notifiedAt" = "updatedAt" WHERE "status" IN ('published', 'failed', 'canceled');
