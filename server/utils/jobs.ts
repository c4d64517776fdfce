import type { JobEngine } from '../services/jobs/engine'

let engine: Promise<JobEngine> | undefined

export function setJobEngine(starting: Promise<JobEngine>): void {
  engine = starting
}

/** The job engine of this process, for sending jobs (every role sends; only worker and all work them). */
export function useJobs(): Promise<JobEngine> {
  if (!engine) throw new Error('The job engine has not been started (server/plugins/jobs.ts)')
  return engine
}

/**
 * What a scheduled sweep does: enqueue `queue` once per `seconds` however many workers run the schedule
 * (a singleton key), and nothing at all in the web role.
 */
export async function enqueueSweep(queue: string, seconds: number): Promise<{ result: string }> {
  if (useServerConfig().role === 'web') return { result: 'skipped: web role' }
  const id = await (await useJobs()).send(queue, {}, { singletonKey: queue, singletonSeconds: seconds })
  return { result: id ? `enqueued ${id}` : 'already enqueued' }
}
