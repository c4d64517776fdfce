// The job engine: pg-boss in the application's own database (PostgreSQL, or the embedded PGlite over its socket).
// `web` only sends; `worker` and `all` also work the queues. One engine per process.
import { randomUUID } from 'node:crypto'
import { PgBoss, type Job, type JobWithMetadata, type SendOptions } from 'pg-boss'
import { isPermanentFailure } from './permanent'
import { assertQueueRules, deadLetterOf, SUPERVISE_SECONDS, type QueueDefinition } from './registry'
import { resilientTracker, settleBatch, type Outcome } from './settle'

export interface JobContext {
  /** Reports how far the job has got; the page that started it shows this live. Throttled, so call it freely. */
  progress: (stage: string, percent?: number) => Promise<void>
  /**
   * Aborted when the job must stop: its worker is shutting down and hands it back, it ran out of time, or its
   * claim went to another worker. Pass it to ffmpeg.
   */
  signal: AbortSignal
  /** Whether a failure now is final (no retry follows). False once the job was handed back at shutdown. */
  lastAttempt: () => boolean
}

/** The abort reason when a shutting-down worker hands a running job back: it runs again, with no attempt used. */
export class JobHandedBack extends Error {
  constructor() {
    super('The worker is shutting down; the job was handed back and will run again on another worker.')
    this.name = 'JobHandedBack'
  }
}

export type JobHandler<T = unknown> = (job: Job<T>, context: JobContext) => Promise<unknown>

/** Where the engine records what a person may see of a job (the JobRun table; see tracker.ts). */
export interface JobTracker {
  queued: (id: string, queue: string, workspaceId: string | undefined, data?: unknown) => Promise<void>
  /** `data` names the workspace and subject: a worker can start a job before its sender has recorded it. */
  started: (id: string, queue: string, attempt: number, data?: unknown) => Promise<void>
  progress: (id: string, stage: string, percent: number) => Promise<void>
  finished: (id: string, outcome: { state: 'succeeded' | 'failed' | 'queued', error?: string }) => Promise<void>
}

const PROGRESS_EVERY_MS = 250
// How often each queue's own loops ask pg-boss for work when nothing wakes them: only a backstop, since the one
// question per process (askForDueJobs) wakes them within pollingIntervalSeconds of a job being due.
const BACKSTOP_POLL_SECONDS = 30
// Which of the queues have a job waiting whose time has come: the condition pg-boss's fetch starts from, through its
// partial index on live jobs, for all the queues at once. Whether the job can be taken (a workspace's share, a
// singleton already running) is left to the fetch this wakes.
const DUE_QUEUES_SQL = `SELECT asked.name FROM unnest($1::text[]) AS asked(name)
  WHERE EXISTS (SELECT 1 FROM pgboss.job AS due
    WHERE due.name = asked.name AND due.state < 'active' AND NOT due.blocked AND due.start_after <= pgboss.job_now())`
// After handing back, how long handlers get to notice the abort and let go of their files before the pool closes.
const HAND_BACK_GRACE_MS = 5000

export interface EngineOptions {
  connectionString: string
  /** Whether this process works queues, or only sends to them. */
  works: boolean
  queues: QueueDefinition[]
  handlers: Record<string, JobHandler<never>>
  /**
   * How often an idle worker process asks whether any of its queues has a job due (one statement for all of them;
   * pg-boss allows 0.5 s and up). 1 s by default: a job scheduled for 18:00 starts by 18:00:01. A job sent from this
   * process, and a worker that just finished one, do not wait for it.
   */
  pollingIntervalSeconds?: number
  /** How often lost jobs (a heartbeat gone quiet, a time limit passed) are looked for and retried. SUPERVISE_SECONDS by default. */
  expiryCheckSeconds?: number
  log?: (message: string) => void
  tracker?: JobTracker
  /** Gets pg-boss as soon as it exists, so that a start that fails part-way can be closed (server/services/jobs/boot.ts). */
  created?: (boss: PgBoss) => void
}

export interface JobEngine {
  boss: PgBoss
  send: (queue: string, data?: object, options?: SendOptions) => Promise<string | null>
  /**
   * Sends many jobs in one statement per thousand (pg-boss insert): one whose singleton is already queued is skipped,
   * as by send(). Returns the ids of the jobs queued. For sweeps, which send the same waiting jobs every minute.
   */
  sendMany: (queue: string, jobs: { data: object, singletonKey?: string, startAfter?: Date }[]) => Promise<string[]>
  /**
   * Stops fetching and lets running jobs finish until `timeoutMs`. A job still running then is handed back: it is
   * queued again at once, for another worker, without using up one of its attempts. Then closes.
   */
  stop: (timeoutMs?: number) => Promise<void>
}

export async function startJobEngine(options: EngineOptions): Promise<JobEngine> {
  const log = options.log ?? (() => {})
  // Aborted by stop(): outcomes still unrecorded for a lost connection are then left to the jobs' expiry.
  const stopSignal = new AbortController()
  const tracker = options.tracker && resilientTracker(options.tracker, { signal: stopSignal.signal, finishWithinMs: 60_000, log })
  // Records a batch's outcomes itself, retrying through a dropped connection, so a finished job is not run again after its expiry.
  // pg-boss then settles what is left in the batch it handed over: nothing once ours landed (no second statement),
  // every outcome again when ours gave up (one more try, fenced to this attempt, before the jobs' expiry retries them).
  const settled = async (queue: QueueDefinition, batch: Job<unknown>[], running: Promise<Outcome[]>): Promise<Outcome[]> => {
    const deadline = Date.now() + queue.expireInSeconds * 1000
    const outcomes = await running
    try {
      await settleBatch(boss, queue.name, batch, outcomes, { deadline, signal: stopSignal.signal, log })
    }
    catch (error) {
      log(`[jobs] could not record the outcome of ${batch.length} ${queue.name} jobs; pg-boss tries once more: ${(error as Error).message}`)
      return outcomes
    }
    // pg-boss settles the very array it passed us (and fails it at shutdown): emptied, it has nothing left to do.
    batch.length = 0
    return []
  }
  const superviseSeconds = options.expiryCheckSeconds ?? SUPERVISE_SECONDS
  const boss = new PgBoss({
    connectionString: options.connectionString, schema: 'pgboss', max: options.works ? 4 : 2,
    // Expiry and lost heartbeats are found in the supervise pass, at most once per monitor interval per queue.
    superviseIntervalSeconds: superviseSeconds, monitorIntervalSeconds: superviseSeconds,
  })
  const definitions = new Map(options.queues.map(queue => [queue.name, queue]))
  for (const queue of options.queues) assertQueueRules(queue)
  // pg-boss reports its own trouble (a lost connection, a failed maintenance run) as events; they must not crash the process.
  boss.on('error', error => log(`[jobs] ${error.message}`))
  options.created?.(boss)
  await boss.start()
  for (const queue of options.queues) {
    const deadLetter = deadLetterOf(queue.name)
    await boss.createQueue(deadLetter, { retentionSeconds: 30 * 24 * 3600 })
    const rules = {
      retryLimit: queue.retryLimit, retryDelay: queue.retryDelay, retryBackoff: queue.retryBackoff,
      expireInSeconds: queue.expireInSeconds,
    }
    await boss.createQueue(queue.name, {
      ...rules, ...(queue.heartbeatSeconds ? { heartbeatSeconds: queue.heartbeatSeconds } : {}), ...(queue.policy ? { policy: queue.policy } : {}), deadLetter,
    })
    // createQueue leaves an existing queue as it was: bring its rules up to the registry's.
    await boss.updateQueue(queue.name, { ...rules, heartbeatSeconds: queue.heartbeatSeconds ?? null })
  }
  // The jobs this process is running, so a shutdown can hand back the ones that do not finish in time.
  const running = new Map<string, { queue: string, retryCount: number, handBack: AbortController }>()
  // The worker of each queue this process works: a job sent from here wakes it, rather than waiting for its next ask.
  const workers = new Map<string, string[]>()
  const wake = (queue: string) => {
    for (const worker of workers.get(queue) ?? []) boss.notifyWorker(worker)
  }
  let stopping = false
  let dueTimer: NodeJS.Timeout | undefined
  if (options.works) {
    for (const queue of options.queues) {
      const handler = options.handlers[queue.name]
      if (!handler) throw new Error(`No handler for queue ${queue.name}: add server/jobs/${queue.name}.ts`)
      // One loop per queue fetches up to `concurrency` jobs at a time and runs them side by side. A queue shared
      // fairly between workspaces has one loop per slot instead, each fetching one job at a time, so a free slot
      // asks again as soon as it is free, and pg-boss's group limit skips a workspace that already has its share.
      // A loop that found work asks again at once when it is done, not after its poll interval: a
      // backlog drains at full speed, and only an idle queue waits between asks.
      const slots = queue.perWorkspace ? queue.concurrency : 1
      const fetching = queue.perWorkspace
        ? { batchSize: 1, groupConcurrency: queue.perWorkspace }
        : { batchSize: queue.concurrency }
      const ids: string[] = []
      for (let slot = 0; slot < slots; slot++) {
        let id = ''
        id = await boss.work(queue.name, {
          ...fetching, perJobResults: true, includeMetadata: true, pollingIntervalSeconds: BACKSTOP_POLL_SECONDS,
        }, batch => runBatch(queue, handler, batch as JobWithMetadata[]).finally(() => boss.notifyWorker(id)))
        ids.push(id)
      }
      workers.set(queue.name, ids)
    }
    askForDueJobs(options.queues.map(queue => queue.name), (options.pollingIntervalSeconds ?? 1) * 1000)
  }

  /**
   * One question every `intervalMs` for all the queues this process works (not one per queue and slot: an idle
   * app asked about 24 times a second before, most of its idle database work), waking the loops of each queue that
   * has a job due: sent by another process, scheduled for now, or back for a retry.
   */
  function askForDueJobs(names: string[], intervalMs: number): void {
    let failing = false
    const ask = async () => {
      try {
        const { rows } = await boss.getDb().executeSql(DUE_QUEUES_SQL, [names]) as { rows: { name: string }[] }
        for (const { name } of rows) wake(name)
        if (failing) log('[jobs] asking for due jobs works again')
        failing = false
      }
      catch (error) {
        // Once per outage, not every second; the loops' backstop asks go on meanwhile.
        if (!failing && !stopping) log(`[jobs] could not ask for due jobs, retrying every ${intervalMs / 1000} s: ${(error as Error).message}`)
        failing = true
      }
      if (!stopping) dueTimer = setTimeout(ask, intervalMs)
    }
    dueTimer = setTimeout(ask, intervalMs)
  }

  function runBatch(queue: QueueDefinition, handler: JobHandler<never>, batch: JobWithMetadata[]): Promise<Outcome[]> {
    return settled(queue, batch, Promise.all(batch.map(async (job) => {
      const started = Date.now()
      let lastWrite = 0
      let lastStage: string | undefined
      const handBack = new AbortController()
      running.set(job.id, { queue: queue.name, retryCount: job.retryCount, handBack })
      const context: JobContext = {
        async progress(stage, percent = 0) {
          const now = Date.now()
          if (stage === lastStage && percent < 100 && now - lastWrite < PROGRESS_EVERY_MS) return
          lastWrite = now
          lastStage = stage
          await tracker?.progress(job.id, stage, Math.max(0, Math.min(100, percent)))
        },
        signal: AbortSignal.any([job.signal, handBack.signal]),
        // The job's own limit: a hand-back raised it by one.
        lastAttempt: () => !handBack.signal.aborted && job.retryCount >= job.retryLimit,
      }
      try {
        await tracker?.started(job.id, queue.name, job.retryCount + 1, job.data)
        const output = await (handler as JobHandler)(job, context)
        if (handBack.signal.aborted) throw handBack.signal.reason
        await tracker?.finished(job.id, { state: 'succeeded' })
        log(`[jobs] ${queue.name} ${job.id} done in ${Date.now() - started} ms`)
        return { id: job.id, status: 'completed' as const, output: output ?? undefined }
      }
      catch (error) {
        if (handBack.signal.aborted) {
          // Already queued again (handBackRunning); the failure below finds the claim gone and changes nothing.
          await tracker?.finished(job.id, { state: 'queued', error: (handBack.signal.reason as Error).message }).catch(() => {})
          log(`[jobs] ${queue.name} ${job.id} handed back at shutdown`)
          return { id: job.id, status: 'failed' as const, output: { message: 'handed back at shutdown' } }
        }
        // The message only: job data may hold ids and text, never to be copied into logs.
        const message = (error as Error).message
        // Retrying cannot fix it (see permanent.ts): failed now, its remaining attempts unused.
        const permanent = isPermanentFailure(error)
        const final = permanent || job.retryCount >= job.retryLimit
        await tracker?.finished(job.id, { state: final ? 'failed' : 'queued', error: message }).catch(() => {})
        const verdict = permanent ? ', not retried: another attempt would fail the same way' : final ? ', no retries left' : ', will retry'
        log(`[jobs] ${queue.name} ${job.id} failed (attempt ${job.retryCount + 1}${verdict}): ${message}`)
        return { id: job.id, status: permanent ? 'deadletter' as const : 'failed' as const, output: { message } }
      }
      finally {
        running.delete(job.id)
      }
    })))
  }

  /**
   * Queues every job still running here again, at once and without using an attempt: its retry limit goes up by
   * one, so the failure pg-boss records for this attempt costs nothing, and the next worker's claim is a new attempt
   * (pg-boss fences this worker's late settle out). Then tells the handlers to stop.
   */
  async function handBackRunning(): Promise<void> {
    const db = boss.getDb()
    for (const [id, job] of running) {
      if (job.handBack.signal.aborted) continue
      await db.executeSql(
        `UPDATE pgboss.job SET state = 'retry', retry_limit = retry_limit + 1, start_after = now(), heartbeat_on = NULL,
           output = jsonb_build_object('message', 'handed back at shutdown')
         WHERE name = $1 AND id = $2::uuid AND retry_count = $3 AND state = 'active'`,
        [job.queue, id, job.retryCount],
      ).catch((error: Error) => log(`[jobs] could not hand back ${job.queue} ${id}: ${error.message}`))
      job.handBack.abort(new JobHandedBack())
    }
  }

  return {
    boss,
    async send(queue, data, sendOptions) {
      const definition = definitions.get(queue)
      if (definition?.payload) definition.payload.parse(data)
      const workspaceId = (data as { workspaceId?: string } | undefined)?.workspaceId
      // A fair queue groups its jobs by workspace (see perWorkspace in the registry).
      const group = definition?.perWorkspace && workspaceId ? { group: { id: workspaceId } } : {}
      const id = await boss.send(queue, data ?? {}, { ...group, ...sendOptions })
      // A singleton already queued returns no id: nothing new to track.
      if (id) {
        await tracker?.queued(id, queue, workspaceId, data)
        wake(queue)
      }
      return id
    },
    async sendMany(queue, jobs) {
      const definition = definitions.get(queue)
      const queued: string[] = []
      for (let offset = 0; offset < jobs.length; offset += 1000) {
        // Ids chosen here: pg-boss returns only the rows it inserted, so these say which data each one carries.
        const batch = jobs.slice(offset, offset + 1000).map(({ data, singletonKey, startAfter }) => {
          if (definition?.payload) definition.payload.parse(data)
          const workspaceId = (data as { workspaceId?: string }).workspaceId
          const group = definition?.perWorkspace && workspaceId ? { group: { id: workspaceId } } : {}
          return { id: randomUUID(), data, ...group, ...(singletonKey ? { singletonKey } : {}), ...(startAfter ? { startAfter: startAfter.toISOString() } : {}) }
        })
        const ids = new Set(await boss.insert(queue, batch, { returnId: true }) ?? [])
        for (const job of batch) {
          if (!ids.has(job.id)) continue
          queued.push(job.id)
          await tracker?.queued(job.id, queue, (job.data as { workspaceId?: string }).workspaceId, job.data)
        }
      }
      if (queued.length) wake(queue)
      return queued
    },
    async stop(timeoutMs = 25_000) {
      if (stopping) return
      stopping = true
      clearTimeout(dueTimer)
      stopSignal.abort()
      // pg-boss's own deadline comes later: by then every job still running has been handed back, so the
      // failure it records for them (failWip) finds their claims gone and costs no attempt.
      const stopped = boss.stop({ graceful: true, timeout: timeoutMs + HAND_BACK_GRACE_MS, close: true })
      let timer: NodeJS.Timeout | undefined
      const deadline = new Promise<'deadline'>((done) => {
        timer = setTimeout(() => done('deadline'), timeoutMs)
      })
      if (await Promise.race([stopped.then(() => 'stopped' as const), deadline]) === 'deadline') await handBackRunning()
      clearTimeout(timer)
      await stopped
    },
  }
}
