import type { QueueDefinition } from '../../server/services/jobs/registry'

// The database-outage test's queue: an expiry well beyond the 10 s outage, so a job that finished during it is not
// taken for lost and run again before its completion can be recorded.
export function outageQueue(name: string): QueueDefinition {
  return { name, retryLimit: 3, retryDelay: 0, retryBackoff: false, expireInSeconds: 25, concurrency: 4 }
}

// No key and no ON CONFLICT: a job that runs twice leaves two rows.
export const createEffectLog = 'CREATE TABLE IF NOT EXISTS job_test_effect_log (job_id uuid NOT NULL, pid int, at timestamptz DEFAULT now())'
