import type { Job } from 'pg-boss'
import { join } from 'node:path'
import { z } from 'zod'
import type { JobContext } from '../services/jobs/engine'
import { queues } from '../services/jobs/registry'
import { failAnalysis, runAnalysis } from '../services/library/analysis'
import { failureWithDetail, publicFailure } from '../services/media/failure'
import { NotAVideoError } from '../services/media/probe'

const jobData = z.object({ workspaceId: z.uuid(), videoId: z.uuid(), analysisId: z.uuid() })

// Analyses one stored video (server/services/library/analysis.ts). A retry redoes the same analysis row.
export default async function mediaAnalyse(job: Job<unknown>, context: JobContext) {
  const data = jobData.parse(job.data)
  const config = useServerConfig()
  try {
    return await runAnalysis(
      { db: useDb(), store: useMediaStore(), tools: await useMediaTools(), scratchDir: join(config.dataDir, 'tmp'), defaultThresholds: config.analysis },
      data,
      { onProgress: fraction => void context.progress('analysing', Math.round(fraction * 100)), signal: job.signal },
    )
  }
  catch (error) {
    // Members read the video's error; the detail (paths, ffmpeg's log) goes to the Jobs page and the log.
    const message = publicFailure(error, 'ffmpeg could not analyse this video. Analyse it again; if it keeps failing, an admin can see why on the Jobs page.')
    const final = job.retryCount >= queues['media.analyse'].retryLimit || error instanceof NotAVideoError || job.signal.aborted
    if (final) await failAnalysis(useDb(), data, message, job.signal.aborted)
    throw failureWithDetail(message, error)
  }
}
