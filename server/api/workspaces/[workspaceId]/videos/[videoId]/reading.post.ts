import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import { readingRequestSchema } from '#shared/semantics'
import { readingToQueue } from '../../../../../services/library/reading'

// "Read with AI" / "Read again": queues the AI's reading of the video; `local: true` asks the local generator.
export default defineEventHandler(async (event): Promise<{ jobId: string }> => {
  const { workspaceId, user } = await requireMember(event, 'ai.generate')
  const { videoId } = await getValidatedRouterParams(event, z.object({ videoId: uuidParam }).parse)
  const { local } = await readValidatedBody(event, body => readingRequestSchema.parse(body ?? {}))
  const inFlight = await readingToQueue(useDb(), workspaceId, videoId)
  setResponseStatus(event, 202)
  return inFlight ?? queueReading(workspaceId, videoId, user.id, local ?? false)
})
