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
