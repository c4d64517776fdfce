// The job engine: pg-boss in the application's own database (PostgreSQL, or the embedded PGlite over its socket).
// `web` only sends; `worker` and `all` also work the queues. One engine per process.
import { PgBoss, type Job, type SendOptions } from 'pg-boss'
import { deadLetterOf, type QueueDefinition } from './registry'
import { resilientTracker, settleBatch, type Outcome } from './settle'

export interface JobContext {
  /** Reports how far the job has got; the page that started it shows this live. Throttled, so call it freely. */
  progress: (stage: string, percent?: number) => Promise<void>
}

export type JobHandler<T = unknown> = (job: Job<T>, context: JobContext) => Promise<unknown>

/** Where the engine records what a person may see of a job (the JobRun table; see tracker.ts). */
export interface JobTracker {
  queued: (id: string, queue: string, workspaceId: string | undefined) => Promise<void>
  started: (id: string, queue: string, attempt: number) => Promise<void>
  progress: (id: string, stage: string, percent: number) => Promise<void>
  finished: (id: string, outcome: { state: 'succeeded' | 'failed' | 'queued', error?: string }) => Promise<void>
}

const PROGRESS_EVERY_MS = 250

export interface EngineOptions {
  connectionString: string
  /** Whether this process works queues, or only sends to them. */
  works: boolean
  queues: QueueDefinition[]
  handlers: Record<string, JobHandler<never>>
  /** How often an idle worker asks for work (pg-boss allows 0.5 and up). 1 s by default: a job scheduled for 18:00 starts by 18:00:01. */
  pollingIntervalSeconds?: number
  /** How often expired jobs (a crashed worker's) are looked for and retried. pg-boss's default is 60 s. */
  expiryCheckSeconds?: number
  log?: (message: string) => void
  tracker?: JobTracker
  /** Gets pg-boss as soon as it exists, so that a start that fails part-way can be closed (server/services/jobs/boot.ts). */
  created?: (boss: PgBoss) => void
}

export interface JobEngine {
  boss: PgBoss
  send: (queue: string, data?: object, options?: SendOptions) => Promise<string | null>
  /** Stops fetching, lets running jobs finish until `timeoutMs`, then closes. A job cut off is retried after its expiry. */
  stop: (timeoutMs?: number) => Promise<void>
}

export async function startJobEngine(options: EngineOptions): Promise<JobEngine> {
  const log = options.log ?? (() => {})
  // Aborted by stop(): outcomes still unrecorded for a lost connection are then left to the jobs' expiry.
  const stopping = new AbortController()
  const tracker = options.tracker && resilientTracker(options.tracker, { signal: stopping.signal, finishWithinMs: 60_000, log })
  // Records a batch's outcomes itself, retrying through a dropped connection, so a finished job is not run again after its expiry.
  const settled = async (queue: QueueDefinition, batch: Job<unknown>[], running: Promise<Outcome[]>) => {
    const deadline = Date.now() + queue.expireInSeconds * 1000
    const outcomes = await running
    await settleBatch(boss, queue.name, batch, outcomes, { deadline, signal: stopping.signal, log })
    return outcomes
  }
  const boss = new PgBoss({
    connectionString: options.connectionString, schema: 'pgboss', max: options.works ? 4 : 2,
    // Expiry runs in the supervise pass, at most once per monitor interval per queue.
    ...(options.expiryCheckSeconds ? { superviseIntervalSeconds: options.expiryCheckSeconds, monitorIntervalSeconds: options.expiryCheckSeconds } : {}),
  })
  // pg-boss reports its own trouble (a lost connection, a failed maintenance run) as events; they must not crash the process.
  boss.on('error', error => log(`[jobs] ${error.message}`))
  options.created?.(boss)
  await boss.start()
  for (const queue of options.queues) {
    const deadLetter = deadLetterOf(queue.name)
    await boss.createQueue(deadLetter, { retentionSeconds: 30 * 24 * 3600 })
    await boss.createQueue(queue.name, {
      retryLimit: queue.retryLimit, retryDelay: queue.retryDelay, retryBackoff: queue.retryBackoff,
      expireInSeconds: queue.expireInSeconds, deadLetter,
    })
  }
  if (options.works) {
    for (const queue of options.queues) {
      const handler = options.handlers[queue.name]
      if (!handler) throw new Error(`No handler for queue ${queue.name}: add server/jobs/${queue.name}.ts`)
      // One loop per queue fetches up to `concurrency` jobs at a time and runs them side by side; while fetches
      // come back full it fetches again at once (a backlog drains without waiting for the poll interval).
      await boss.work(queue.name, {
        batchSize: queue.concurrency, localConcurrency: 1, burstWhenBatchFull: true, perJobResults: true,
        pollingIntervalSeconds: options.pollingIntervalSeconds ?? 1,
      }, batch => settled(queue, batch, Promise.all(batch.map(async (job) => {
        const started = Date.now()
        let lastWrite = 0
        let lastStage: string | undefined
        const context: JobContext = {
          async progress(stage, percent = 0) {
            const now = Date.now()
            if (stage === lastStage && percent < 100 && now - lastWrite < PROGRESS_EVERY_MS) return
            lastWrite = now
            lastStage = stage
            await tracker?.progress(job.id, stage, Math.max(0, Math.min(100, percent)))
          },
        }
        try {
          await tracker?.started(job.id, queue.name, job.retryCount + 1)
          const output = await (handler as JobHandler)(job, context)
          await tracker?.finished(job.id, { state: 'succeeded' })
          log(`[jobs] ${queue.name} ${job.id} done in ${Date.now() - started} ms`)
          return { id: job.id, status: 'completed' as const, output: output ?? undefined }
        }
        catch (error) {
          // The message only: job data may hold ids and text, never to be copied into logs.
          const message = (error as Error).message
          const final = job.retryCount >= queue.retryLimit
          await tracker?.finished(job.id, { state: final ? 'failed' : 'queued', error: message }).catch(() => {})
          log(`[jobs] ${queue.name} ${job.id} failed (attempt ${job.retryCount + 1}${final ? ', no retries left' : ', will retry'}): ${message}`)
          return { id: job.id, status: 'failed' as const, output: { message } }
        }
      }))))
    }
  }
  return {
    boss,
    async send(queue, data, sendOptions) {
      const id = await boss.send(queue, data ?? {}, sendOptions ?? {})
      // A singleton already queued returns no id: nothing new to track.
      if (id) await tracker?.queued(id, queue, (data as { workspaceId?: string } | undefined)?.workspaceId)
      return id
    },
    stop(timeoutMs) {
      stopping.abort()
      return boss.stop({ graceful: true, timeout: timeoutMs ?? 25_000, close: true })
    },
  }
}
