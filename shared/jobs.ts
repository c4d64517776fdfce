import { formatDuration } from './library'

// The Jobs page and Home read background jobs as people do: which video, which variant, how long, and how it ended.

export const jobStates = ['queued', 'running', 'succeeded', 'failed', 'canceled'] as const
export type JobState = typeof jobStates[number]

/** The ids a job's payload names; the tracker keeps only these (never anything else a payload carries). */
export const subjectKeys = ['videoId', 'renderId', 'analysisId'] as const
export type JobSubject = Partial<Record<typeof subjectKeys[number], string>>

export interface JobLine {
  id: string
  queue: string
  /** "Render of “Beach day”, variant B", "Analysis of “Beach day”", "Storage clean-up". */
  title: string
  videoId: string | null
  variantLabel: string | null
  state: JobState
  stage: string | null
  percent: number
  attempts: number
  /** From start to finish; null until it has both. */
  durationMs: number | null
  /** The failure as the worker recorded it (admins only: the Jobs page). */
  error: string | null
  result: { summary?: string } | null
  createdAt: string
  finishedAt: string | null
}

export interface JobsSummary { counts: Record<JobState, number>, recent: JobLine[] }

const queueNames: Record<string, string> = {
  'media.analyse': 'Analysis',
  'ai.scripts': 'Script batch',
  'media.render': 'Render',
  'ai.strategy': 'Strategy',
  'ai.transcribe': 'Transcription',
  'storage.sweep': 'Storage clean-up',
  'maintenance.cleanup': 'Maintenance',
  'jobs.reconcile': 'Job check',
  'ai.reading': 'Reading',
  'secrets.rotate': 'Key rotation',
  'accounts.refresh': 'Token refresh',
  'posts.publish': 'Publish',
  'posts.check': 'Publish status check',
  'posts.sweep': 'Publishing sweep',
  'metrics.pull': 'Metrics pull',
  'metrics.followers': 'Follower count',
  'metrics.sweep': 'Metrics sweep',
  'analytics.rebuild': 'Pattern scores rebuild',
}

/** "Render", "Analysis"; a queue without a name reads as itself. */
export function queueName(queue: string): string {
  return queueNames[queue] ?? queue
}

/** The headline of one job, from what it works on (a video gone since reads as such). */
export function jobTitle(queue: string, subject: { videoTitle?: string | null, variantLabel?: string | null, gone?: 'video' | 'variant' }): string {
  const name = queueName(queue)
  if (subject.gone) return `${name} of a deleted ${subject.gone}`
  if (!subject.videoTitle) return name
  return `${name} of “${subject.videoTitle}”${subject.variantLabel ? `, variant ${subject.variantLabel}` : ''}`
}

/** The outcome in words: "Finished in 0:42", "Failed after 1:10", "Waiting to start". */
export function jobOutcome(line: Pick<JobLine, 'state' | 'durationMs' | 'stage' | 'percent'>): string {
  // Whole seconds, as players count them; a job done within the first second took "under a second", never 0:00.
  const took = line.durationMs === null ? '' : line.durationMs < 1000 ? 'under a second' : formatDuration(line.durationMs / 1000)
  switch (line.state) {
    case 'queued': return 'Waiting to start'
    case 'running': return `Running${line.stage ? `: ${line.stage}` : ''} (${Math.round(line.percent)} %)`
    case 'succeeded': return took ? `Finished in ${took}` : 'Finished'
    case 'failed': return took ? `Failed after ${took}` : 'Failed'
    case 'canceled': return 'Canceled'
  }
}
