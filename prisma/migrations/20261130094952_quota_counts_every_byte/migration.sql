-- AlterTable
ALTER TABLE "Render" ADD COLUMN     "storedBytes" BIGINT NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "VideoAnalysis" ADD COLUMN     "storedBytes" BIGINT NOT NULL DEFAULT 0;
