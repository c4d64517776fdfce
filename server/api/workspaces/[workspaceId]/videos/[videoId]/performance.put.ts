import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import { referencePerformanceInput, type ReferencePerformanceView } from '#shared/references'
import { savePerformance } from '../../../../../services/references/performance'

// A reference video's public numbers, typed in on its page; footage is refused with 409.
export default defineEventHandler(async (event): Promise<ReferencePerformanceView> => {
  const { workspaceId } = await requireMember(event, 'content.edit')
  const { videoId } = await getValidatedRouterParams(event, z.object({ videoId: uuidParam }).parse)
  const input = await readValidatedBody(event, referencePerformanceInput.parse)
  return savePerformance(useDb(), workspaceId, videoId, input)
})
