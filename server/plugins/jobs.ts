import { startJobEngine } from '../services/jobs/engine'
import { queues } from '../services/jobs/registry'
import { prismaJobTracker } from '../services/jobs/tracker'
import { handlers } from '../jobs'

// Starts pg-boss once the database is up: `web` only sends, `worker` and `all` also work the queues.
// On shutdown (SIGTERM on Render) it stops fetching and gives running jobs 25 s before the database closes.
export default defineNitroPlugin(() => {
  if (process.argv.includes('--migrate-only')) return
  const config = useServerConfig()
  const starting = databaseReady().then(database => startJobEngine({
    connectionString: database.url,
    works: config.role !== 'web',
    queues: Object.values(queues),
    handlers,
    tracker: prismaJobTracker(database.prisma),
    log: message => console.info(message),
  }))
  starting.catch((error: Error) => console.error(`[jobs] could not start the job engine: ${error.message}`))
  setJobEngine(starting)
  beforeDatabaseCloses(async () => {
    const engine = await starting.catch(() => undefined)
    await engine?.stop(25_000)
  })
})
