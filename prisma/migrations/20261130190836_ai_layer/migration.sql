-- AlterEnum
ALTER TYPE "EvidenceSource" ADD VALUE 'semantic';

-- AlterTable
ALTER TABLE "AiCall" ADD COLUMN     "cachedTokens" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "PatternEvidence" ADD COLUMN     "readingId" UUID;

-- AlterTable
ALTER TABLE "Script" ADD COLUMN     "batchId" UUID,
ADD COLUMN     "notes" JSONB,
ADD COLUMN     "provenance" JSONB,
ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "Strategy" ADD COLUMN     "provenance" JSONB,
ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1;

-- CreateTable
CREATE TABLE "ReferencePerformance" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "videoId" UUID NOT NULL,
    "platform" "Platform",
    "views" BIGINT,
    "likes" BIGINT,
    "comments" BIGINT,
    "shares" BIGINT,
    "saves" BIGINT,
    "followers" BIGINT,
    "postedAt" TIMESTAMPTZ(3),
    "observedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "source" TEXT NOT NULL DEFAULT 'manual',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ReferencePerformance_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VideoReading" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "videoId" UUID NOT NULL,
    "analysisId" UUID,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "promptVersion" TEXT NOT NULL,
    "aiCallId" UUID,
    "content" JSONB NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "VideoReading_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Transcript" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "videoId" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "approximate" BOOLEAN NOT NULL DEFAULT false,
    "language" TEXT,
    "text" TEXT NOT NULL,
    "words" JSONB NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Transcript_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AiSettings" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "provider" TEXT NOT NULL DEFAULT 'local',
    "model" TEXT,
    "baseUrl" TEXT,
    "apiKeyEncrypted" TEXT,
    "monthlyBudgetUsd" DECIMAL(12,2),
    "updatedById" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "AiSettings_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ReferencePerformance_videoId_key" ON "ReferencePerformance"("videoId");

-- CreateIndex
CREATE INDEX "ReferencePerformance_workspaceId_idx" ON "ReferencePerformance"("workspaceId");

-- CreateIndex
CREATE INDEX "VideoReading_workspaceId_videoId_createdAt_idx" ON "VideoReading"("workspaceId", "videoId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "Transcript_workspaceId_videoId_createdAt_idx" ON "Transcript"("workspaceId", "videoId", "createdAt" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "AiSettings_workspaceId_key" ON "AiSettings"("workspaceId");

-- CreateIndex
CREATE INDEX "Script_workspaceId_batchId_idx" ON "Script"("workspaceId", "batchId");

-- AddForeignKey
ALTER TABLE "ReferencePerformance" ADD CONSTRAINT "ReferencePerformance_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReferencePerformance" ADD CONSTRAINT "ReferencePerformance_videoId_fkey" FOREIGN KEY ("videoId") REFERENCES "Video"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VideoReading" ADD CONSTRAINT "VideoReading_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VideoReading" ADD CONSTRAINT "VideoReading_videoId_fkey" FOREIGN KEY ("videoId") REFERENCES "Video"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Transcript" ADD CONSTRAINT "Transcript_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Transcript" ADD CONSTRAINT "Transcript_videoId_fkey" FOREIGN KEY ("videoId") REFERENCES "Video"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PatternEvidence" ADD CONSTRAINT "PatternEvidence_readingId_fkey" FOREIGN KEY ("readingId") REFERENCES "VideoReading"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AiSettings" ADD CONSTRAINT "AiSettings_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;
