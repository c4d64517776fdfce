import { assetListQuery } from '#shared/studio'
import { listStudioAssets } from '../../../../../services/studio/assets'

export default defineEventHandler(async (event) => {
  const { workspaceId } = await requireMember(event, 'content.read')
  const query = await getValidatedQuery(event, assetListQuery.parse)
  return { assets: await listStudioAssets({ db: useDb(), store: useMediaStore() }, workspaceId, query) }
})
