-- AlterTable
ALTER TABLE "Post" ADD COLUMN     "checks" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "groupId" UUID,
ADD COLUMN     "pending" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "privacy" TEXT,
ADD COLUMN     "processingDeadline" TIMESTAMPTZ(3),
ADD COLUMN     "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "waitingReason" TEXT;

-- AlterTable
ALTER TABLE "PostAttempt" ADD COLUMN     "responses" JSONB NOT NULL DEFAULT '[]';

-- AlterTable
ALTER TABLE "SocialAccount" ADD COLUMN     "failureCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "lastErrorAt" TIMESTAMPTZ(3),
ADD COLUMN     "lastRefreshedAt" TIMESTAMPTZ(3),
ADD COLUMN     "loginId" TEXT;

-- CreateTable
CREATE TABLE "OAuthFlow" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "platform" "Platform" NOT NULL,
    "stateHash" TEXT NOT NULL,
    "codeVerifierEnc" TEXT,
    "returnTo" TEXT NOT NULL DEFAULT '/accounts',
    "choicesEnc" TEXT,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OAuthFlow_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PlatformUsage" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "socialAccountId" UUID NOT NULL,
    "limitKey" TEXT NOT NULL,
    "amount" INTEGER NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PlatformUsage_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "OAuthFlow_stateHash_key" ON "OAuthFlow"("stateHash");

-- CreateIndex
CREATE INDEX "OAuthFlow_expiresAt_idx" ON "OAuthFlow"("expiresAt");

-- CreateIndex
CREATE INDEX "PlatformUsage_socialAccountId_limitKey_at_idx" ON "PlatformUsage"("socialAccountId", "limitKey", "at");

-- CreateIndex
CREATE INDEX "PlatformUsage_workspaceId_at_idx" ON "PlatformUsage"("workspaceId", "at");

-- CreateIndex
CREATE INDEX "Post_groupId_idx" ON "Post"("groupId");

-- CreateIndex
CREATE INDEX "Post_status_processingDeadline_idx" ON "Post"("status", "processingDeadline");

-- AddForeignKey
ALTER TABLE "OAuthFlow" ADD CONSTRAINT "OAuthFlow_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OAuthFlow" ADD CONSTRAINT "OAuthFlow_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PlatformUsage" ADD CONSTRAINT "PlatformUsage_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PlatformUsage" ADD CONSTRAINT "PlatformUsage_socialAccountId_fkey" FOREIGN KEY ("socialAccountId") REFERENCES "SocialAccount"("id") ON DELETE CASCADE ON UPDATE CASCADE;
