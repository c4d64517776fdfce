import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import { retryRender, studioJobs } from '../../../../../../services/studio/renders'

export default defineEventHandler(async (event) => {
  const { workspaceId } = await requireMember(event, 'content.edit')
  const { renderId } = await getValidatedRouterParams(event, z.object({ renderId: uuidParam }).parse)
  const db = useDb()
  const jobs = studioJobs(db, await useJobs(), workspaceId)
  return retryRender({ db, store: useMediaStore(), jobs, workspaceQuotaBytes: useServerConfig().uploads.workspaceQuotaBytes }, workspaceId, renderId)
})
