// Recording a job's outcome through a database connection that may drop for a while (a restart, a failover).
// pg-boss settles a batch once; when that statement fails, the jobs stay `active` until their expiry and then run
// again, although their handlers already ran. So the engine settles each batch itself, retrying with backoff until
// the database answers or the jobs' expiry makes the outcome moot, and leaves pg-boss nothing to settle (engine.ts).
import type { Job, PgBoss } from 'pg-boss'
import type { JobTracker } from './engine'

const BACKOFF_MS = [200, 500, 1000, 2000]

export interface RetryOptions {
  /** Gives up after this moment (ms since the epoch). */
  deadline: number
  /** Aborted when the engine stops: no further attempts. */
  signal?: AbortSignal
  log?: (message: string) => void
  what: string
}

/** Runs `work`, and again with backoff while it fails, until the deadline or the signal; then throws the last error. */
export async function retryUntil<T>(work: () => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work()
    }
    catch (error) {
      const wait = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]!
      if (options.signal?.aborted || Date.now() + wait > options.deadline) throw error
      if (attempt === 0) options.log?.(`[jobs] could not ${options.what}, retrying until the database answers: ${(error as Error).message}`)
      await new Promise(resolve => setTimeout(resolve, wait))
    }
  }
}

/** pg-boss's per-job result: `deadletter` fails the job for good, its remaining attempts unused (a PermanentJobError). */
export interface Outcome { id: string, status: 'completed' | 'failed' | 'deadletter', output?: unknown }

/** Completes and fails a fetched batch in pg-boss, fenced to the fetched attempt, retrying until `options.deadline`. */
export async function settleBatch(boss: PgBoss, queue: string, jobs: Job<unknown>[], outcomes: Outcome[], options: Omit<RetryOptions, 'what'>): Promise<void> {
  const byId = new Map(jobs.map(job => [job.id, job]))
  const attempt = (outcome: Outcome) => ({ id: outcome.id, retryCount: byId.get(outcome.id)!.retryCount })
  // One statement for the usual case (completed, no output); one per job otherwise, since each carries its own output.
  const plain = outcomes.filter(outcome => outcome.status === 'completed' && outcome.output === undefined).map(attempt)
  const steps: (() => Promise<unknown>)[] = []
  if (plain.length > 0) steps.push(() => boss.complete(queue, plain))
  for (const outcome of outcomes) {
    if (outcome.status === 'completed' && outcome.output !== undefined) steps.push(() => boss.complete(queue, [attempt(outcome)], outcome.output as object))
    if (outcome.status === 'failed') steps.push(() => boss.fail(queue, [attempt(outcome)], outcome.output as object))
    if (outcome.status === 'deadletter') steps.push(() => failForGood(boss, queue, attempt(outcome), outcome.output as object))
  }
  for (const step of steps) await retryUntil(step, { ...options, what: `record the outcome of ${queue} jobs` })
}

/**
 * Fails one job with no retry, as its last attempt: pg-boss's fail then records it failed and copies it to the
 * dead-letter queue. Both statements are fenced to the fetched attempt, so running this again changes nothing; if
 * only the first lands, the job's expiry fails it for good all the same.
 */
async function failForGood(boss: PgBoss, queue: string, job: { id: string, retryCount: number }, output: object): Promise<void> {
  await boss.getDb().executeSql(
    `UPDATE pgboss.job SET retry_limit = retry_count WHERE name = $1 AND id = $2::uuid AND retry_count = $3 AND state = 'active'`,
    [queue, job.id, job.retryCount],
  )
  await boss.fail(queue, [job], output)
}

/**
 * The tracker, made to survive a dropped connection: its writes never fail a job, and the final one (the outcome a
 * person sees) is retried for up to `finishWithinMs`.
 */
export function resilientTracker(tracker: JobTracker, options: { signal: AbortSignal, finishWithinMs: number, log: (message: string) => void }): JobTracker {
  const quietly = (what: string) => (error: Error) => options.log(`[jobs] could not record ${what}: ${error.message}`)
  return {
    queued: (id, queue, workspaceId, data) => tracker.queued(id, queue, workspaceId, data),
    started: (id, queue, attempt, data) => tracker.started(id, queue, attempt, data).catch(quietly(`the start of ${queue} ${id}`)),
    progress: (id, stage, percent) => tracker.progress(id, stage, percent).catch(() => {}),
    finished: (id, outcome) => retryUntil(() => tracker.finished(id, outcome), { deadline: Date.now() + options.finishWithinMs, signal: options.signal, log: options.log, what: `record the outcome of job ${id}` })
      .catch(quietly(`the outcome of job ${id}`)),
  }
}
