// Every queue the product runs, in one place: retries, backoff, expiry, concurrency and dead letters.
// Issues that build a service register its queue here, with its handler in server/jobs/<queue>.ts.
export interface QueueDefinition {
  name: string
  /** Attempts after the first before the job fails and goes to the dead-letter queue. */
  retryLimit: number
  /** Seconds before the first retry; doubled each time when `retryBackoff`. */
  retryDelay: number
  retryBackoff: boolean
  /** Seconds a job may run before it counts as lost (a crashed worker) and is retried. */
  expireInSeconds: number
  /** Jobs of this queue one worker process runs at once. */
  concurrency: number
}

export const queues = {
  'maintenance.cleanup': { name: 'maintenance.cleanup', retryLimit: 3, retryDelay: 60, retryBackoff: true, expireInSeconds: 10 * 60, concurrency: 1 },
  // The daily storage sweep: one run lists the whole store and fans out a run per workspace, whose report that workspace's Jobs page shows.
  'storage.sweep': { name: 'storage.sweep', retryLimit: 2, retryDelay: 300, retryBackoff: true, expireInSeconds: 30 * 60, concurrency: 1 },
  'jobs.reconcile': { name: 'jobs.reconcile', retryLimit: 1, retryDelay: 30, retryBackoff: false, expireInSeconds: 60, concurrency: 1 },
  // One ffmpeg pass per video; ffmpeg already uses every core, so one at a time per worker. Two hours covers long 4K footage.
  'media.analyse': { name: 'media.analyse', retryLimit: 2, retryDelay: 30, retryBackoff: true, expireInSeconds: 2 * 60 * 60, concurrency: 1 },
  // A Studio render (preview, then full): libx264 takes both cores, so one at a time. An hour covers a 15-minute
  // source at the slowest preset with room to spare; one retry, since a render that failed twice will fail again.
  'media.render': { name: 'media.render', retryLimit: 1, retryDelay: 30, retryBackoff: false, expireInSeconds: 60 * 60, concurrency: 1 },
} as const satisfies Record<string, QueueDefinition>

export type QueueName = keyof typeof queues

/** The queue a job lands in when its attempts are used up, kept for a person to read and retry. */
export function deadLetterOf(name: string): string {
  return `${name}.dead`
}
