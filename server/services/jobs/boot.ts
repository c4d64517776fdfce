// Starting the job engine when the database may not answer yet (a restart, a deploy racing the database).
// One failed start used to leave the process without an engine for good; now it tries again with backoff,
// and /health answers 503 until the engine runs.
import type { PgBoss } from 'pg-boss'
import type { EngineOptions, JobEngine } from './engine'

export interface JobEngineStatus {
  state: 'starting' | 'running' | 'stopped'
  attempts: number
  /** The last start failure's message (the database's words: no data, no connection string). */
  lastError?: string
}

export interface StartWithRetryOptions {
  status: JobEngineStatus
  /** Stops the attempts (shutdown). */
  signal: AbortSignal
  log: (message: string) => void
  /** Milliseconds before each further attempt; the last one repeats. */
  delaysMs?: number[]
}

const DELAYS_MS = [1000, 2000, 4000, 8000, 15_000, 30_000]

/** Calls `start` until an engine runs; closes what a failed attempt left half-started. Rejects only when `signal` aborts. */
export async function startWithRetry(start: (created: EngineOptions['created']) => Promise<JobEngine>, options: StartWithRetryOptions): Promise<JobEngine> {
  const delays = options.delaysMs ?? DELAYS_MS
  const { status } = options
  for (;;) {
    if (options.signal.aborted) throw new Error('the job engine start was abandoned: the server is shutting down')
    status.attempts++
    let boss: PgBoss | undefined
    try {
      const engine = await start((created) => {
        boss = created
      })
      status.state = 'running'
      status.lastError = undefined
      if (status.attempts > 1) options.log(`[jobs] the job engine started on attempt ${status.attempts}`)
      return engine
    }
    catch (error) {
      status.lastError = (error as Error).message
      await boss?.stop({ graceful: false, close: true }).catch(() => {})
      const delay = delays[Math.min(status.attempts - 1, delays.length - 1)]!
      options.log(`[jobs] could not start the job engine (attempt ${status.attempts}): ${status.lastError}; trying again in ${delay / 1000} s`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay)
        options.signal.addEventListener('abort', () => {
          clearTimeout(timer)
          resolve()
        }, { once: true })
      })
    }
  }
}
