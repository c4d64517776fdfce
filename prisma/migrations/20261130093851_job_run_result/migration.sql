-- AlterTable
ALTER TABLE "JobRun" ADD COLUMN     "result" JSONB;
