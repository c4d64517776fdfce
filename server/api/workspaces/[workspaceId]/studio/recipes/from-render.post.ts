import { recipeFromRenderSchema } from '#shared/studio'
import { draftFromRender } from '../../../../../services/studio/recipes'

// "Edit again" (as=edit) opens the draft a render used, or a new one made from its snapshot once the draft has
// changed; "Duplicate" (as=copy) always makes a new draft named "… (copy)". 201 when a draft was made.
export default defineEventHandler(async (event) => {
  const { workspaceId, user } = await requireMember(event, 'content.edit')
  const { renderId, as } = await readValidatedBody(event, recipeFromRenderSchema.parse)
  const { recipe, created } = await draftFromRender(useDb(), { workspaceId, userId: user.id, renderId, as })
  setResponseStatus(event, created ? 201 : 200)
  return recipe
})
