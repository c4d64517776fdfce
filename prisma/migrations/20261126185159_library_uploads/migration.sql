-- A video is analysed after it is probed at upload, and its status says which is happening now.
ALTER TYPE "VideoStatus" RENAME VALUE 'probing' TO 'analysing';

-- AlterTable
ALTER TABLE "Video" ADD COLUMN     "thumbnailKey" TEXT,
ADD COLUMN     "uploadId" TEXT;

-- AlterTable
ALTER TABLE "VideoAnalysis" ADD COLUMN     "artifacts" JSONB;

-- CreateIndex
CREATE UNIQUE INDEX "Video_uploadId_key" ON "Video"("uploadId");
