import type { Job } from 'pg-boss'
import { join } from 'node:path'
import { z } from 'zod'
import type { JobContext } from '../services/jobs/engine'
import { queues } from '../services/jobs/registry'
import { runRender } from '../services/studio/renders'

const jobData = z.object({ workspaceId: z.uuid(), renderId: z.uuid() })

// Renders one variant of a Studio edit (server/services/studio/renders.ts): preview, full render, thumbnail, checks.
// A retry starts the same Render row over; a canceled, failed or finished one is skipped.
export default async function mediaRender(job: Job<unknown>, context: JobContext) {
  const data = jobData.parse(job.data)
  return runRender(
    { db: useDb(), store: useMediaStore(), tools: await useMediaTools(), scratchDir: join(useServerConfig().dataDir, 'tmp') },
    data,
    {
      onProgress: (stage, fraction) => void context.progress(stage, Math.round(fraction * 100)),
      signal: job.signal,
      final: job.retryCount >= queues['media.render'].retryLimit,
    },
  )
}
