import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import { deleteStudioAsset } from '../../../../../services/studio/assets'

// Refused (409) while a waiting or running render uses the asset.
export default defineEventHandler(async (event) => {
  const { workspaceId } = await requireMember(event, 'content.edit')
  const { assetId } = await getValidatedRouterParams(event, z.object({ assetId: uuidParam }).parse)
  return deleteStudioAsset({ db: useDb(), store: useMediaStore() }, workspaceId, assetId)
})
