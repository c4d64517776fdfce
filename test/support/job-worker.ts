// A real worker process for the job-engine tests: our engine, with queues that exist only in tests.
// Its side effect is a row keyed by the job id, written once whatever happens (INSERT … ON CONFLICT DO NOTHING).
//   DATABASE_URL=… JOB_QUEUE=test.side_effect JOB_WORK_MS=3000 tsx test/support/job-worker.ts
import { PrismaPg } from '@prisma/adapter-pg'
import pg from 'pg'
import { PrismaClient } from '../../server/generated/prisma/client'
import { startJobEngine } from '../../server/services/jobs/engine'
import { prismaJobTracker } from '../../server/services/jobs/tracker'
import { testQueue } from './test-queues'

const url = process.env.DATABASE_URL!
const workMs = Number(process.env.JOB_WORK_MS ?? 0)
const queue = process.env.JOB_QUEUE ?? 'test.side_effect'
const pool = new pg.Pool({ connectionString: url, max: 4 })
const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 2 }) })

const engine = await startJobEngine({
  connectionString: url,
  works: true,
  queues: [testQueue(queue)],
  pollingIntervalSeconds: 0.5,
  expiryCheckSeconds: 1,
  tracker: prismaJobTracker(prisma),
  handlers: {
    [queue]: async (job: { id: string, data: { fail?: boolean, steps?: number } }, context) => {
      await pool.query('INSERT INTO job_test_started (job_id, pid) VALUES ($1, $2)', [job.id, process.pid])
      if (job.data.fail) throw new Error('The test asked this job to fail.')
      for (let step = 1; step <= (job.data.steps ?? 0); step++) {
        await new Promise(resolve => setTimeout(resolve, 300))
        await context.progress(`step ${step}`, (step / job.data.steps!) * 100)
      }
      if (workMs) await new Promise(resolve => setTimeout(resolve, workMs))
      await pool.query('INSERT INTO job_test_effects (job_id, pid) VALUES ($1, $2) ON CONFLICT (job_id) DO NOTHING', [job.id, process.pid])
    },
  },
})
console.log('worker ready')

process.on('SIGTERM', async () => {
  await engine.stop(Number(process.env.JOB_STOP_TIMEOUT_MS ?? 25_000))
  await pool.end()
  await prisma.$disconnect()
  console.log('worker stopped')
  process.exit(0)
})
