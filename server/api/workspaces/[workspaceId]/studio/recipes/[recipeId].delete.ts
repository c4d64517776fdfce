import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import { deleteRecipe } from '../../../../../services/studio/recipes'

// Deletes a draft; the renders made from it stay, with the snapshot of what they used.
export default defineEventHandler(async (event) => {
  const { workspaceId } = await requireMember(event, 'content.edit')
  const { recipeId } = await getValidatedRouterParams(event, z.object({ recipeId: uuidParam }).parse)
  return deleteRecipe(useDb(), workspaceId, recipeId)
})
