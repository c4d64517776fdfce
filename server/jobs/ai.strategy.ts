import type { Job } from 'pg-boss'
import type { JobContext, JobHandler } from '../services/jobs/engine'
import { ServiceError } from '../services/errors'
import { withoutRetry } from '../services/jobs/permanent'
import { queues } from '../services/jobs/registry'
import { recordJobResult } from '../services/jobs/tracker'
import { generateStrategy } from '../services/strategy/strategies'

/**
 * Generates a strategy (server/services/strategy/strategies.ts) and saves it as the workspace's next version.
 * An AI refusal (budget reached, safety block, a provider that refused) is final: retrying would fail the same way,
 * so its plain message and reason are kept for the Strategy page, which offers the local generator.
 */
const aiStrategy: JobHandler<unknown> = async (job: Job<unknown>, context: JobContext) => {
  const data = queues['ai.strategy'].payload.parse(job.data)
  const db = useDb()
  try {
    const strategy = await generateStrategy(useAi(), data, { progress: context.progress, signal: context.signal })
    await recordJobResult(db, job.id, { summary: `Strategy version ${strategy.version}` })
    return { strategyId: strategy.id, version: strategy.version }
  }
  catch (error) {
    // By name as well: a ServiceError from another copy of the module (a chunk) is still one.
    if (error instanceof ServiceError || (error instanceof Error && error.name === 'ServiceError')) {
      const details = (error as ServiceError).data ?? {}
      const reason = typeof details.reason === 'string' ? details.reason : null
      const result = { summary: error.message, reason, localAvailable: details.localAvailable === true }
      await recordJobResult(db, job.id, result)
      throw withoutRetry(error)
    }
    throw error
  }
}

export default aiStrategy
