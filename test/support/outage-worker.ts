// A real worker process for the database-outage test: our engine and JobRun tracker on DATABASE_URL (the test's
// cuttable proxy), with each job's effect written through EFFECTS_URL (the database directly, like a call to an
// outside service), as a plain INSERT: a job that runs twice leaves two rows.
//   DATABASE_URL=<proxy> EFFECTS_URL=<direct> JOB_QUEUE=test.outage tsx test/support/outage-worker.ts
import { PrismaPg } from '@prisma/adapter-pg'
import pg from 'pg'
import { PrismaClient } from '../../server/generated/prisma/client'
import { startJobEngine } from '../../server/services/jobs/engine'
import { prismaJobTracker } from '../../server/services/jobs/tracker'
import { outageQueue } from './outage'

const url = process.env.DATABASE_URL!
const queue = outageQueue(process.env.JOB_QUEUE ?? 'test.outage')
const effects = new pg.Pool({ connectionString: process.env.EFFECTS_URL!, max: 2 })
const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 2 }) })

const engine = await startJobEngine({
  connectionString: url,
  works: true,
  queues: [queue],
  pollingIntervalSeconds: 0.5,
  expiryCheckSeconds: 1,
  tracker: prismaJobTracker(prisma),
  log: message => console.log(message),
  handlers: {
    [queue.name]: async (job: { id: string }) => {
      await effects.query('INSERT INTO job_test_started (job_id, pid) VALUES ($1, $2)', [job.id, process.pid])
      await new Promise(resolve => setTimeout(resolve, Number(process.env.JOB_WORK_MS ?? 100)))
      await effects.query('INSERT INTO job_test_effect_log (job_id, pid) VALUES ($1, $2)', [job.id, process.pid])
    },
  },
})
console.log('worker ready')

process.on('SIGTERM', async () => {
  await engine.stop(5000)
  await effects.end()
  await prisma.$disconnect()
  process.exit(0)
})
