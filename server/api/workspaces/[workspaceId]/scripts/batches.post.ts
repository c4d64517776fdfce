import { createBatchSchema, type BatchStarted } from '#shared/scripts'
import { startBatch } from '../../../../services/scripts/scripts'

// Queues a batch of scripts ("5 for next week"); its job streams progress, and the scripts appear as they are written.
// `local: true` uses the local generator whatever provider the workspace chose (after a paid one failed).
export default defineEventHandler(async (event): Promise<BatchStarted> => {
  const { workspaceId, user } = await requireMember(event, 'ai.generate')
  const body = await readValidatedBody(event, createBatchSchema.parse)
  const started = await startBatch(await useJobs(), { workspaceId, userId: user.id, ...body })
  setResponseStatus(event, 202)
  return started
})
