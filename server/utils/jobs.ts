import type { JobEngineStatus } from '../services/jobs/boot'
import type { JobEngine } from '../services/jobs/engine'

let engine: Promise<JobEngine> | undefined
const status: JobEngineStatus = { state: 'starting', attempts: 0 }

export function setJobEngine(starting: Promise<JobEngine>): void {
  engine = starting
}

/** Whether this process's job engine runs yet, for /health (server/plugins/jobs.ts keeps it current). */
export function useJobEngineStatus(): JobEngineStatus {
  return status
}

/** The job engine of this process, for sending jobs (every role sends; only worker and all work them). */
export function useJobs(): Promise<JobEngine> {
  if (!engine) throw new Error('The job engine has not been started (server/plugins/jobs.ts)')
  // While the database keeps the engine from starting, say so at once rather than hold the request for minutes.
  if (status.state !== 'running' && status.lastError) {
    throw createError({ status: 503, statusText: 'Background jobs are not available yet because the database is not answering. Try again in a minute.' })
  }
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
