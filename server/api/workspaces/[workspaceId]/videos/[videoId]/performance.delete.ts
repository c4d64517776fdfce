import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import { deletePerformance } from '../../../../../services/references/performance'

export default defineEventHandler(async (event) => {
  const { workspaceId } = await requireMember(event, 'content.edit')
  const { videoId } = await getValidatedRouterParams(event, z.object({ videoId: uuidParam }).parse)
  await deletePerformance(useDb(), workspaceId, videoId)
  return { ok: true }
})
