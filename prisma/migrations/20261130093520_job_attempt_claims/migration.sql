-- AlterTable
ALTER TABLE "Render" ADD COLUMN     "claim" TEXT,
ADD COLUMN     "claimedAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "VideoAnalysis" ADD COLUMN     "claim" TEXT,
ADD COLUMN     "claimedAt" TIMESTAMPTZ(3);
