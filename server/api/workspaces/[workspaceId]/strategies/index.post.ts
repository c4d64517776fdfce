import { randomUUID } from 'node:crypto'
import { generateStrategySchema, type StrategyQueued } from '#shared/strategy'
import { pendingGeneration, STRATEGY_QUEUE } from '../../../../services/strategy/strategies'

// Queues a new strategy version (job ai.strategy); the page follows it with <JobProgress>. A generation already
// waiting or running is followed instead of queueing a second one. `useLocal` asks for the local generator.
export default defineEventHandler(async (event): Promise<StrategyQueued> => {
  const { workspaceId, user } = await requireMember(event, 'ai.generate')
  const { useLocal } = await readValidatedBody(event, body => generateStrategySchema.parse(body ?? {}))
  const db = useDb()
  const running = await pendingGeneration(db, workspaceId)
  setResponseStatus(event, 202)
  if (running) return { jobId: running, alreadyRunning: true }
  const jobId = randomUUID()
  await (await useJobs()).send(STRATEGY_QUEUE, { workspaceId, userId: user.id, useLocal }, { id: jobId })
  return { jobId, alreadyRunning: false }
})
