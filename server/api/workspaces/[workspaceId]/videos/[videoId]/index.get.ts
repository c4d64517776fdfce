import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import type { VideoDetail } from '#shared/library'
import { getVideo } from '../../../../../services/library/videos'

export default defineEventHandler(async (event): Promise<VideoDetail> => {
  const { workspaceId } = await requireMember(event, 'content.read')
  const { videoId } = await getValidatedRouterParams(event, z.object({ videoId: uuidParam }).parse)
  return getVideo(useDb(), useMediaStore(), workspaceId, videoId)
})
