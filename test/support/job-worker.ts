// A real worker process for the job-engine tests: our engine, with queues that exist only in tests.
// Its side effect is one row per run of a job (no key), so a test that counts them sees a job that ran twice.
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
  queues: [testQueue(queue, {
    ...(process.env.JOB_RETRY_LIMIT ? { retryLimit: Number(process.env.JOB_RETRY_LIMIT) } : {}),
    ...(process.env.JOB_CONCURRENCY ? { concurrency: Number(process.env.JOB_CONCURRENCY) } : {}),
    ...(process.env.JOB_PER_WORKSPACE ? { perWorkspace: Number(process.env.JOB_PER_WORKSPACE) } : {}),
    ...(process.env.JOB_HEARTBEAT === 'off' ? { heartbeatSeconds: undefined } : {}),
  })],
  pollingIntervalSeconds: 0.5,
  expiryCheckSeconds: 1,
  tracker: prismaJobTracker(prisma),
  handlers: {
    [queue]: async (job: { id: string, data: { fail?: boolean, steps?: number, stepMs?: number } }, context) => {
      // Stops early when the engine hands the job back at shutdown, as a real handler passes the signal to ffmpeg.
      const pause = (ms: number) => new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms)
        context.signal.addEventListener('abort', () => {
          clearTimeout(timer)
          resolve()
        }, { once: true })
      })
      await pool.query('INSERT INTO job_test_started (job_id, pid) VALUES ($1, $2)', [job.id, process.pid])
      if (job.data.fail) throw new Error('The test asked this job to fail.')
      for (let step = 1; step <= (job.data.steps ?? 0); step++) {
        await pause(job.data.stepMs ?? 300)
        await context.progress(`step ${step}`, (step / job.data.steps!) * 100)
      }
      if (workMs) await pause(workMs)
      context.signal.throwIfAborted()
      await pool.query('INSERT INTO job_test_effects (job_id, pid) VALUES ($1, $2)', [job.id, process.pid])
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
