import { presetListQuery } from '#shared/studio'
import { listPresets } from '../../../../services/studio/presets'

// Starting recipes: the built-in ones and those made from the patterns of the workspace's reference videos.
export default defineEventHandler(async (event) => {
  const { workspaceId } = await requireMember(event, 'content.read')
  const query = await getValidatedQuery(event, presetListQuery.parse)
  return { presets: await listPresets(useDb(), workspaceId, query) }
})
