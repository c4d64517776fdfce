// npm run jobs -- list | retry <job id> | cancel <job id>
// The Jobs page for the command line, across every workspace: queue counts, recent failures, retry and cancel.
// Uses DATABASE_URL, or the embedded database in DATA_DIR (which must not be open in a running app).
import { PrismaPg } from '@prisma/adapter-pg'
import { z } from 'zod'
import { PrismaClient } from '../server/generated/prisma/client'
import { ConfigError, parseServerConfig } from '../server/services/config/env'
import { startEmbeddedDatabase } from '../server/services/db/embedded'
import { cancelJob, retryJob } from '../server/services/jobs/control'
import { startJobEngine } from '../server/services/jobs/engine'
import { queues } from '../server/services/jobs/registry'

const usage = 'Usage: npm run jobs -- list | retry <job id> | cancel <job id>'
const command = z.discriminatedUnion('action', [
  z.object({ action: z.literal('list') }),
  z.object({ action: z.enum(['retry', 'cancel']), id: z.uuid({ error: 'a job id is a UUID, as `list` shows it' }) }),
])

async function main(): Promise<void> {
  const parsed = command.safeParse({ action: process.argv[2], id: process.argv[3] })
  if (!parsed.success) throw new Error(`${parsed.error.issues[0]?.message}\n${usage}`)
  const config = parseServerConfig()
  const embedded = config.database.url ? undefined : await startEmbeddedDatabase(config.dataDir)
  const url = config.database.url ?? embedded!.url
  const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 2 }) })
  const engine = await startJobEngine({ connectionString: url, works: false, queues: Object.values(queues), handlers: {} })
  try {
    if (parsed.data.action === 'list') {
      console.log('queue'.padEnd(24), 'waiting', 'running', 'failed', 'total')
      for (const queue of await engine.boss.getQueues()) {
        console.log(queue.name.padEnd(24), String(queue.queuedCount).padStart(7), String(queue.activeCount).padStart(7), String(queue.failedCount).padStart(6), String(queue.totalCount).padStart(5))
      }
      const failures = await db.jobRun.findMany({ where: { state: 'failed' }, orderBy: { finishedAt: 'desc' }, take: 10 })
      console.log(failures.length ? '\nRecent failures:' : '\nNo failed jobs.')
      for (const run of failures) console.log(`  ${run.id}  ${run.queue}  ${run.finishedAt?.toISOString() ?? ''}  ${run.error ?? ''}`)
    }
    else {
      const result = parsed.data.action === 'retry' ? await retryJob(db, engine, parsed.data.id) : await cancelJob(db, engine, parsed.data.id)
      console.log(`${result.id} is now ${result.state}.`)
    }
  }
  finally {
    await engine.stop(1000)
    await db.$disconnect()
    await embedded?.close()
  }
}

main().then(() => process.exit(0), (error: Error) => {
  console.error(error instanceof ConfigError ? error.message : error.message)
  process.exit(1)
})
