import type { QueueDefinition } from '../../server/services/jobs/registry'

// Queues that exist only in tests: a short expiry, so a killed worker's job comes back within seconds, yet long
// enough that a job slowed by the rest of the suite (ffmpeg encodes share the two cores) is not taken for lost.
// Each test file uses its own queue, so workers of one file never take another file's jobs.
export function testQueue(name: string): QueueDefinition {
  return { name, retryLimit: 3, retryDelay: 0, retryBackoff: false, expireInSeconds: 6, concurrency: 4 }
}

export const createTestTables = `
  CREATE TABLE IF NOT EXISTS job_test_started (job_id uuid, pid int, at timestamptz DEFAULT now());
  CREATE TABLE IF NOT EXISTS job_test_effects (job_id uuid PRIMARY KEY, pid int, at timestamptz DEFAULT now());`
