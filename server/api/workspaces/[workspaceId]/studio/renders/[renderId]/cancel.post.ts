import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import { cancelRender, studioJobs } from '../../../../../../services/studio/renders'

export default defineEventHandler(async (event) => {
  const { workspaceId } = await requireMember(event, 'content.edit')
  const { renderId } = await getValidatedRouterParams(event, z.object({ renderId: uuidParam }).parse)
  const db = useDb()
  return cancelRender({ db, store: useMediaStore(), jobs: studioJobs(db, await useJobs(), workspaceId) }, workspaceId, renderId)
})
