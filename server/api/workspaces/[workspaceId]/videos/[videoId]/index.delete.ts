import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import { deleteVideo } from '../../../../../services/library/videos'

export default defineEventHandler(async (event) => {
  const { workspaceId } = await requireMember(event, 'content.edit')
  const { videoId } = await getValidatedRouterParams(event, z.object({ videoId: uuidParam }).parse)
  const uploadId = (await useDb().video.findFirst({ where: { id: videoId, workspaceId }, select: { uploadId: true } }))?.uploadId
  // An upload still in progress loses its staged bytes too.
  if (uploadId) await useUploads().cancel(uploadId)
  return deleteVideo(useDb(), useMediaStore(), workspaceId, videoId)
})
