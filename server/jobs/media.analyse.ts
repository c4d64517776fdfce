import type { Job } from 'pg-boss'
import { join } from 'node:path'
import type { JobContext, JobHandler } from '../services/jobs/engine'
import { withoutRetry } from '../services/jobs/permanent'
import { queues } from '../services/jobs/registry'
import { failAnalysis, runAnalysis, type AnalysisDependencies } from '../services/library/analysis'
import { ANALYSIS_DISK_FULL_MESSAGE, isDiskFull } from '../services/media/disk-full'
import { failureWithDetail, publicFailure } from '../services/media/failure'
import { NotAVideoError } from '../services/media/probe'
import { MediaNotFoundError } from '../services/media/storage/types'

/**
 * Analyses one stored video (server/services/library/analysis.ts). A retry redoes the same analysis row. Test workers
 * build the same handler with their own store and scratch folder.
 */
export function mediaAnalyseHandler(dependencies: () => Promise<AnalysisDependencies>, tuning: { claimLeaseMs?: number } = {}): JobHandler<unknown> {
  return async (job: Job<unknown>, context: JobContext) => {
    const data = queues['media.analyse'].payload.parse(job.data)
    const deps = await dependencies()
    try {
      return await runAnalysis(deps, data, {
        ...tuning,
        onProgress: fraction => void context.progress('analysing', Math.round(fraction * 100)),
        signal: context.signal,
        attempt: `${job.id}:${job.retryCount}`,
      })
    }
    catch (error) {
      // Members read the video's error; the detail (paths, ffmpeg's log) goes to the Jobs page and the log.
      // The row names a file that storage no longer has (removed by hand, a bucket emptied): no attempt will find it.
      const missing = error instanceof MediaNotFoundError
      // Nor does a full disk empty itself half a minute later: the member is told at once, and analyses again once space is freed.
      const diskFull = isDiskFull(error)
      const message = diskFull
        ? ANALYSIS_DISK_FULL_MESSAGE
        : missing
          ? 'This video\'s file is missing from storage. Upload it again to analyse it.'
          : publicFailure(error, 'ffmpeg could not analyse this video. Analyse it again; if it keeps failing, an admin can see why on the Jobs page.')
      // Canceled from the Jobs page: pg-boss took the claim away, which stopped ffmpeg; the row says canceled.
      const canceled = context.signal.aborted && (await deps.db.jobRun.findUnique({ where: { id: job.id }, select: { state: true } }))?.state === 'canceled'
      // A file that fails the probe (or is gone, or the disk is full) fails again: the analysis says so now, and the job is not retried.
      const permanent = error instanceof NotAVideoError || missing || diskFull
      if (canceled || context.lastAttempt() || permanent) await failAnalysis(deps.db, data, message, canceled)
      const failure = failureWithDetail(message, error)
      throw permanent && !canceled ? withoutRetry(failure) : failure
    }
  }
}

export default mediaAnalyseHandler(async () => {
  const config = useServerConfig()
  return {
    db: useDb(), store: useMediaStore(), tools: await useMediaTools(), scratchDir: join(config.dataDir, 'tmp'), defaultThresholds: config.analysis,
    afterAnalysis: queueReadingAfterAnalysis,
  }
})
