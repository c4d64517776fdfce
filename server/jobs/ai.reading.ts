import type { Job } from 'pg-boss'
import type { AiContext } from '../services/ai/generate'
import { ServiceError } from '../services/errors'
import type { JobContext, JobHandler } from '../services/jobs/engine'
import { withoutRetry } from '../services/jobs/permanent'
import { queues } from '../services/jobs/registry'
import { runReading } from '../services/library/reading'

// Provider failures that another attempt a minute later would meet again.
const lasting = new Set(['malformed', 'auth', 'budget', 'blocked', 'bad_request', 'truncated'])

/** Reads one video with the workspace's AI provider (server/services/library/reading.ts); tests build it with their own context. */
export function aiReadingHandler(context: () => AiContext): JobHandler<unknown> {
  return async (job: Job<unknown>, jobContext: JobContext) => {
    const data = queues['ai.reading'].payload.parse(job.data)
    try {
      return await runReading(context(), {
        workspaceId: data.workspaceId,
        videoId: data.videoId,
        userId: data.userId,
        forceLocal: data.local,
        trigger: data.trigger,
        signal: jobContext.signal,
        onProgress: (stage, percent) => void jobContext.progress(stage, percent),
      })
    }
    catch (error) {
      // Deleted meanwhile: nothing to read.
      if (error instanceof ServiceError && error.statusCode === 404) return { status: 'skipped', reason: 'the video was deleted' }
      // The message is already plain (generate() writes it for the person); the page shows it with the job.
      if (error instanceof ServiceError && (error.statusCode === 409 || lasting.has(String(error.data?.reason)))) throw withoutRetry(error)
      throw error
    }
  }
}

export default aiReadingHandler(() => useAi())
