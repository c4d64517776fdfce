import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import { deleteRender, studioJobs } from '../../../../../services/studio/renders'

// Deletes the render and its files; one still rendering is canceled first.
export default defineEventHandler(async (event) => {
  const { workspaceId } = await requireMember(event, 'content.edit')
  const { renderId } = await getValidatedRouterParams(event, z.object({ renderId: uuidParam }).parse)
  const db = useDb()
  return deleteRender({ db, store: useMediaStore(), jobs: studioJobs(db, await useJobs(), workspaceId) }, workspaceId, renderId)
})
