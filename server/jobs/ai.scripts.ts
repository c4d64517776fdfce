import type { Job } from 'pg-boss'
import type { JobContext, JobHandler } from '../services/jobs/engine'
import { ServiceError } from '../services/errors'
import { withoutRetry } from '../services/jobs/permanent'
import { queues } from '../services/jobs/registry'
import { recordJobResult } from '../services/jobs/tracker'
import { runBatch } from '../services/scripts/scripts'

/**
 * Writes a batch of scripts (server/services/scripts/scripts.ts). An AI refusal (budget reached, safety block, a
 * provider that refused) is final: retrying would fail the same way, so its plain message and reason are kept for the
 * Scripts page, which offers the local generator. The scripts written before it stay.
 */
const aiScripts: JobHandler<unknown> = async (job: Job<unknown>, context: JobContext) => {
  const data = queues['ai.scripts'].payload.parse(job.data)
  const db = useDb()
  try {
    const { written } = await runBatch(useAi(), data, { progress: context.progress, signal: context.signal })
    await recordJobResult(db, job.id, { summary: `${data.count} scripts (${written} written now)` })
    return { batchId: data.batchId, written }
  }
  catch (error) {
    // By name as well: a ServiceError from another copy of the module (a chunk) is still one.
    if (error instanceof ServiceError || (error instanceof Error && error.name === 'ServiceError')) {
      const details = (error as ServiceError).data ?? {}
      const reason = typeof details.reason === 'string' ? details.reason : null
      await recordJobResult(db, job.id, { summary: error.message, reason, localAvailable: details.localAvailable === true } as { summary: string })
      throw withoutRetry(error)
    }
    throw error
  }
}

export default aiScripts
