import { recipeListQuery } from '#shared/studio'
import { listRecipes } from '../../../../../services/studio/recipes'

// The drafts of one piece of footage, the last changed first.
export default defineEventHandler(async (event) => {
  const { workspaceId } = await requireMember(event, 'content.read')
  const { videoId } = await getValidatedQuery(event, recipeListQuery.parse)
  return { recipes: await listRecipes(useDb(), workspaceId, videoId) }
})
