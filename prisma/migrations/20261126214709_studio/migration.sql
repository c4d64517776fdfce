-- CreateEnum
CREATE TYPE "StudioAssetKind" AS ENUM ('music', 'logo');

-- AlterTable
ALTER TABLE "Render" ADD COLUMN     "checks" JSONB,
ADD COLUMN     "height" INTEGER,
ADD COLUMN     "jobId" UUID,
ADD COLUMN     "platform" "Platform",
ADD COLUMN     "previewKey" TEXT,
ADD COLUMN     "thumbnailKey" TEXT,
ADD COLUMN     "width" INTEGER;

-- CreateTable
CREATE TABLE "StudioAsset" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "createdById" UUID,
    "kind" "StudioAssetKind" NOT NULL,
    "name" TEXT NOT NULL,
    "storageKey" TEXT NOT NULL,
    "mimeType" TEXT NOT NULL,
    "sizeBytes" BIGINT NOT NULL,
    "durationMs" INTEGER,
    "width" INTEGER,
    "height" INTEGER,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StudioAsset_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "StudioAsset_workspaceId_kind_createdAt_idx" ON "StudioAsset"("workspaceId", "kind", "createdAt" DESC);

-- AddForeignKey
ALTER TABLE "StudioAsset" ADD CONSTRAINT "StudioAsset_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StudioAsset" ADD CONSTRAINT "StudioAsset_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
