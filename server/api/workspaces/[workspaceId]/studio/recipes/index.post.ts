import { createRecipeSchema } from '#shared/studio'
import { createRecipe } from '../../../../../services/studio/recipes'

// A new draft of the footage (404 when the footage is not this workspace's).
export default defineEventHandler(async (event) => {
  const { workspaceId, user } = await requireMember(event, 'content.edit')
  const body = await readValidatedBody(event, createRecipeSchema.parse)
  const recipe = await createRecipe(useDb(), { workspaceId, userId: user.id, ...body })
  setResponseStatus(event, 201)
  return recipe
})
