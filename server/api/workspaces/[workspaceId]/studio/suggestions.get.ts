import type { StudioSuggestions } from '#shared/decisions'
import { studioSuggestions } from '../../../../services/studio/suggestions'

// Which caption styles to render, and whether to keep the hook line, drawn from the outcomes of the workspace's posts.
export default defineEventHandler(async (event): Promise<StudioSuggestions> => {
  const { workspaceId } = await requireMember(event, 'content.read')
  return studioSuggestions(useDb(), workspaceId)
})
