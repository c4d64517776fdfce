// The job engine: pg-boss in the application's own database (PostgreSQL, or the embedded PGlite over its socket).
// `web` only sends; `worker` and `all` also work the queues. One engine per process.
import { PgBoss, type Job, type SendOptions } from 'pg-boss'
import { deadLetterOf, type QueueDefinition } from './registry'

export type JobHandler<T = unknown> = (job: Job<T>) => Promise<unknown>

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
}

export interface JobEngine {
  boss: PgBoss
  send: (queue: string, data?: object, options?: SendOptions) => Promise<string | null>
  /** Stops fetching, lets running jobs finish until `timeoutMs`, then closes. A job cut off is retried after its expiry. */
  stop: (timeoutMs?: number) => Promise<void>
}

export async function startJobEngine(options: EngineOptions): Promise<JobEngine> {
  const log = options.log ?? (() => {})
  const boss = new PgBoss({
    connectionString: options.connectionString, schema: 'pgboss', max: options.works ? 4 : 2,
    // Expiry runs in the supervise pass, at most once per monitor interval per queue.
    ...(options.expiryCheckSeconds ? { superviseIntervalSeconds: options.expiryCheckSeconds, monitorIntervalSeconds: options.expiryCheckSeconds } : {}),
  })
  // pg-boss reports its own trouble (a lost connection, a failed maintenance run) as events; they must not crash the process.
  boss.on('error', error => log(`[jobs] ${error.message}`))
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
      }, batch => Promise.all(batch.map(async (job) => {
        const started = Date.now()
        try {
          const output = await (handler as JobHandler)(job)
          log(`[jobs] ${queue.name} ${job.id} done in ${Date.now() - started} ms`)
          return { id: job.id, status: 'completed' as const, output: output ?? undefined }
        }
        catch (error) {
          // The message only: job data may hold ids and text, never to be copied into logs.
          const message = (error as Error).message
          log(`[jobs] ${queue.name} ${job.id} failed (attempt ${job.retryCount + 1}): ${message}`)
          return { id: job.id, status: 'failed' as const, output: { message } }
        }
      })))
    }
  }
  return {
    boss,
    send: (queue, data, sendOptions) => boss.send(queue, data ?? {}, sendOptions ?? {}),
    stop: timeoutMs => boss.stop({ graceful: true, timeout: timeoutMs ?? 25_000, close: true }),
  }
}
