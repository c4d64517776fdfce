import { z } from 'zod'
import { uuidParam } from '../../../../../../shared/auth'
import { getVideo } from '../../../../../services/library/videos'

export default defineEventHandler(async (event) => {
  const { workspaceId } = await requireMember(event, 'content.read')
  const { videoId } = await getValidatedRouterParams(event, z.object({ videoId: uuidParam }).parse)
  return getVideo(useDb(), useMediaStore(), workspaceId, videoId)
})
