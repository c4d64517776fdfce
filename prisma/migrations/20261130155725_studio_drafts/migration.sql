-- AlterTable
ALTER TABLE "EditRecipe" ADD COLUMN     "presetKey" TEXT,
ADD COLUMN     "renderedVersion" INTEGER,
ADD COLUMN     "sourceVideoId" UUID;

-- AlterTable
ALTER TABLE "Render" ADD COLUMN     "recipeSnapshot" JSONB;

-- CreateIndex
CREATE INDEX "EditRecipe_workspaceId_sourceVideoId_updatedAt_idx" ON "EditRecipe"("workspaceId", "sourceVideoId", "updatedAt" DESC);

-- AddForeignKey
ALTER TABLE "EditRecipe" ADD CONSTRAINT "EditRecipe_sourceVideoId_fkey" FOREIGN KEY ("sourceVideoId") REFERENCES "Video"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Recipes that renders saved before drafts existed: they are of their renders' footage, and rendered as they are.
UPDATE "EditRecipe" AS recipe
SET "sourceVideoId" = render."sourceVideoId", "renderedVersion" = recipe."version"
FROM (SELECT DISTINCT ON ("recipeId") "recipeId", "sourceVideoId" FROM "Render" WHERE "recipeId" IS NOT NULL ORDER BY "recipeId", "createdAt") AS render
WHERE render."recipeId" = recipe."id" AND recipe."sourceVideoId" IS NULL;
