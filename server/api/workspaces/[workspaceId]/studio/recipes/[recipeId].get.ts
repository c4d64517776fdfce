import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import { getRecipe } from '../../../../../services/studio/recipes'

export default defineEventHandler(async (event) => {
  const { workspaceId } = await requireMember(event, 'content.read')
  const { recipeId } = await getValidatedRouterParams(event, z.object({ recipeId: uuidParam }).parse)
  return getRecipe(useDb(), workspaceId, recipeId)
})
