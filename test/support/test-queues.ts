import { queues, type QueueDefinition } from '../../server/services/jobs/registry'

// Queues that exist only in tests: pg-boss's shortest heartbeat (10 s), so a killed worker's job comes back within
// seconds, and an expiry long enough that a job slowed by the rest of the suite (ffmpeg encodes share the two
// cores) is not taken for lost while its worker lives. Each test file uses its own queue, so workers of one file
// never take another file's jobs.
export function testQueue(name: string, rules: Partial<QueueDefinition> = {}): QueueDefinition {
  return { name, retryLimit: 3, retryDelay: 0, retryBackoff: false, expireInSeconds: 60, heartbeatSeconds: 10, concurrency: 4, ...rules }
}

export type MediaKind = 'render' | 'analyse'

/**
 * A test queue with the registry's rules for media.render or media.analyse (payload, retries, heartbeats, fairness,
 * onFinalFailure). Only the timings shrink: pg-boss's smallest heartbeat (10 s), and no retry delay.
 */
export function mediaTestQueue(kind: MediaKind, name: string, options: { retryLimit?: number, fair?: boolean } = {}): QueueDefinition {
  const production: QueueDefinition = queues[kind === 'render' ? 'media.render' : 'media.analyse']
  const { perWorkspace, ...rest } = production
  return {
    ...rest, name, heartbeatSeconds: 10, retryDelay: 0, retryBackoff: false, expireInSeconds: 10 * 60,
    retryLimit: options.retryLimit ?? production.retryLimit,
    ...(options.fair === false ? {} : { perWorkspace }),
  }
}

/**
 * Test queues with the registry's rules for posts.publish and posts.check (payload, retries, stately policy,
 * onFinalFailure). Only the timings shrink: pg-boss's smallest heartbeat (10 s), and no retry delay.
 */
export function postsTestQueues(prefix: string): { publish: QueueDefinition, check: QueueDefinition } {
  return {
    publish: { ...queues['posts.publish'], name: `${prefix}_publish`, heartbeatSeconds: 10, retryDelay: 0, retryBackoff: false },
    check: { ...queues['posts.check'], name: `${prefix}_check`, retryDelay: 0, retryBackoff: false },
  }
}

// Each test file its own table rows; effects have no key, so a job that ran twice shows up as two rows.
export const createTestTables = `
  CREATE TABLE IF NOT EXISTS job_test_started (job_id uuid, pid int, at timestamptz DEFAULT now());
  CREATE TABLE IF NOT EXISTS job_test_effects (job_id uuid, pid int, at timestamptz DEFAULT now());`

/**
 * Test queues with the registry's rules for metrics.pull and metrics.followers (payload, stately policy, fairness).
 * Only the timings shrink: pg-boss's smallest heartbeat (10 s), and no retry delay.
 */
export function metricsTestQueues(prefix: string): { pull: QueueDefinition, followers: QueueDefinition } {
  return {
    pull: { ...queues['metrics.pull'], name: `${prefix}_pull`, heartbeatSeconds: 10, retryDelay: 0, retryBackoff: false },
    followers: { ...queues['metrics.followers'], name: `${prefix}_followers`, retryDelay: 0, retryBackoff: false },
  }
}
