-- AlterTable
ALTER TABLE "Post" ADD COLUMN     "notice" TEXT;
