import { createRendersSchema } from '#shared/studio'
import { createRenders, studioJobs } from '../../../../../services/studio/renders'

// Saves the edit and queues one render per variant; each render's job id streams its progress.
export default defineEventHandler(async (event) => {
  const { workspaceId, user } = await requireMember(event, 'content.edit')
  const body = await readValidatedBody(event, createRendersSchema.parse)
  const db = useDb()
  const created = await createRenders(
    { db, store: useMediaStore(), jobs: studioJobs(db, await useJobs(), workspaceId), workspaceQuotaBytes: useServerConfig().uploads.workspaceQuotaBytes },
    { workspaceId, userId: user.id, ...body },
  )
  setResponseStatus(event, 201)
  return created
})
