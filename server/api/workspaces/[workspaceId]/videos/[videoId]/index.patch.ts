import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import { videoUpdateSchema } from '#shared/library'
import { updateVideo } from '../../../../../services/library/videos'

export default defineEventHandler(async (event) => {
  const { workspaceId } = await requireMember(event, 'content.edit')
  const { videoId } = await getValidatedRouterParams(event, z.object({ videoId: uuidParam }).parse)
  const changes = await readValidatedBody(event, videoUpdateSchema.parse)
  await updateVideo(useDb(), workspaceId, videoId, changes)
  return { ok: true }
})
