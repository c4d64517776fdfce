import { startWithRetry } from '../services/jobs/boot'
import { startJobEngine } from '../services/jobs/engine'
import { queues } from '../services/jobs/registry'
import { prismaJobTracker } from '../services/jobs/tracker'
import { handlers } from '../jobs'

// Starts pg-boss once the database is up: `web` only sends, `worker` and `all` also work the queues.
// A database that does not answer yet is tried again with backoff (server/services/jobs/boot.ts); /health says 503 meanwhile.
// On shutdown (SIGTERM on Render) it stops fetching and gives running jobs 25 s before the database closes.
export default defineNitroPlugin(() => {
  if (process.argv.includes('--migrate-only')) return
  const config = useServerConfig()
  const status = useJobEngineStatus()
  const shutdown = new AbortController()
  const log = (message: string) => console.info(message)
  const starting = databaseReady().then(database => startWithRetry(created => startJobEngine({
    connectionString: database.url,
    works: config.role !== 'web',
    queues: Object.values(queues),
    handlers,
    tracker: prismaJobTracker(database.prisma),
    log,
    created,
  }), { status, signal: shutdown.signal, log }))
  starting.catch((error: Error) => {
    status.lastError = error.message
    console.error(`[jobs] the job engine did not start: ${error.message}`)
  })
  setJobEngine(starting)
  beforeDatabaseCloses(async () => {
    shutdown.abort()
    status.state = 'stopped'
    const engine = await starting.catch(() => undefined)
    await engine?.stop(25_000)
  })
})
