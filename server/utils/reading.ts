import { randomUUID } from 'node:crypto'
import type { AnalysisJobData } from '../services/library/analysis'
import { READING_QUEUE } from '../services/library/reading'

/**
 * Every finished analysis is read: with the workspace's provider, or locally (free), which shows what a provider
 * would add. The job's id is the analysis's, so a retried analysis queues one reading, not two.
 */
export async function queueReadingAfterAnalysis(data: AnalysisJobData): Promise<void> {
  await (await useJobs()).send(READING_QUEUE, { workspaceId: data.workspaceId, videoId: data.videoId, trigger: 'analysis' }, { id: data.analysisId })
}

/** "Read with AI" / "Read again": queues a reading and returns its job for live progress. */
export async function queueReading(workspaceId: string, videoId: string, userId: string, local = false): Promise<{ jobId: string }> {
  const jobId = randomUUID()
  await (await useJobs()).send(READING_QUEUE, { workspaceId, videoId, userId, local, trigger: 'request' }, { id: jobId })
  return { jobId }
}
