import { randomUUID } from 'node:crypto'
import { createAnalysis } from '../services/library/analysis'
import type { ThresholdOverrides } from '../services/media/analysis/thresholds'

/** Creates an analysis row for a stored video and queues media.analyse for it; returns the job id for live progress. */
export async function queueVideoAnalysis(workspaceId: string, videoId: string, thresholds: ThresholdOverrides = {}): Promise<{ analysisId: string, jobId: string }> {
  // The job id is chosen first and kept on the row, so the page can follow the job from the start.
  const jobId = randomUUID()
  const data = await createAnalysis(useDb(), workspaceId, videoId, thresholds, jobId)
  await (await useJobs()).send('media.analyse', data, { id: jobId })
  return { analysisId: data.analysisId, jobId }
}
