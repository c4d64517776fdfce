-- AlterTable
ALTER TABLE "BrandProfile" ADD COLUMN     "cadence" TEXT,
ADD COLUMN     "platforms" "Platform"[] DEFAULT ARRAY[]::"Platform"[];

-- AlterTable
ALTER TABLE "JobRun" ADD COLUMN     "subject" JSONB;
