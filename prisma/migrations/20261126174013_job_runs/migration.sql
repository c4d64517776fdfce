-- CreateTable
CREATE TABLE "JobRun" (
    "id" UUID NOT NULL,
    "workspaceId" UUID,
    "queue" TEXT NOT NULL,
    "state" "JobStatus" NOT NULL DEFAULT 'queued',
    "stage" TEXT,
    "percent" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMPTZ(3),
    "finishedAt" TIMESTAMPTZ(3),
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "JobRun_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "JobRun_workspaceId_createdAt_idx" ON "JobRun"("workspaceId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "JobRun_workspaceId_state_idx" ON "JobRun"("workspaceId", "state");

-- AddForeignKey
ALTER TABLE "JobRun" ADD CONSTRAINT "JobRun_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;
