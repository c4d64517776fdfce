import type { Job } from 'pg-boss'
import { join } from 'node:path'
import type { JobContext, JobHandler } from '../services/jobs/engine'
import { queues } from '../services/jobs/registry'
import { runRender, type RenderWorkerDependencies, type RunRenderOptions } from '../services/studio/renders'

/**
 * Renders one variant of a Studio edit (server/services/studio/renders.ts): preview, full render, thumbnail, checks.
 * A retry starts the same Render row over; a canceled, failed or finished one is skipped. Test workers build the
 * same handler with their own store and scratch folder.
 */
export function mediaRenderHandler(dependencies: () => Promise<RenderWorkerDependencies>, tuning: Pick<RunRenderOptions, 'claimLeaseMs'> = {}): JobHandler<unknown> {
  return async (job: Job<unknown>, context: JobContext) => {
    const data = queues['media.render'].payload.parse(job.data)
    return runRender(await dependencies(), data, {
      ...tuning,
      onProgress: (stage, fraction) => void context.progress(stage, Math.round(fraction * 100)),
      signal: context.signal,
      final: context.lastAttempt,
      attempt: `${job.id}:${job.retryCount}`,
    })
  }
}

export default mediaRenderHandler(async () => ({
  db: useDb(), store: useMediaStore(), tools: await useMediaTools(), scratchDir: join(useServerConfig().dataDir, 'tmp'),
}))
