import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import { updateRecipeSchema } from '#shared/studio'
import { updateRecipe } from '../../../../../services/studio/recipes'

// Saves (autosave) or renames a draft. 409 when `version` is not the stored one: another tab changed it.
export default defineEventHandler(async (event) => {
  const { workspaceId } = await requireMember(event, 'content.edit')
  const { recipeId } = await getValidatedRouterParams(event, z.object({ recipeId: uuidParam }).parse)
  const body = await readValidatedBody(event, updateRecipeSchema.parse)
  return updateRecipe(useDb(), workspaceId, recipeId, body)
})
