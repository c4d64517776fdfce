import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { startJobEngine, type JobEngine } from '../../server/services/jobs/engine'
import { startWorker, waitUntil } from '../support/job-workers'
import { queryRows } from '../support/postgres'
import { testQueue } from '../support/test-queues'

// Runs in the integration:postgres project only (see vitest.config.ts): the scale test is about real PostgreSQL.
describe('background jobs at scale on PostgreSQL', () => {
  let sender: JobEngine
  const url = inject('databaseUrl')
  const effects = async (jobIds: string[]) => queryRows<{ job_id: string, pid: number }>(url, `SELECT job_id, pid FROM job_test_effects WHERE job_id IN (${jobIds.map(id => `'${id}'`).join(',')})`)

  beforeAll(async () => {
    // Short jobs with no heartbeat: a heartbeat of 10 s fails a batch whose worker a loaded machine starves that
    // long, and runs it twice; crash recovery is jobs.test.ts's subject, not this one's.
    sender = await startJobEngine({ connectionString: url, works: false, queues: [testQueue('test.scale', { heartbeatSeconds: undefined })], handlers: {} })
  }, 60_000)
  afterAll(() => sender?.stop(1000))

  it('scale: one sender and three worker processes run 500 jobs, each exactly once', async () => {
    const workers = [1, 2, 3].map(() => startWorker({ JOB_QUEUE: 'test.scale', JOB_HEARTBEAT: 'off' }))
    await Promise.all(workers.map(worker => worker.ready))
    try {
      const ids = Array.from({ length: 500 }, () => randomUUID())
      await sender.boss.insert('test.scale', ids.map((id, index) => ({ id, data: { index } })))
      await waitUntil(async () => (await effects(ids)).length >= 500, 150_000, 'all 500 jobs')
      // Counted, not deduplicated: a job that ran twice would leave two effects.
      const applied = await effects(ids)
      expect(applied).toHaveLength(500)
      expect(new Set(applied.map(effect => effect.job_id)).size).toBe(500)
      const starts = await queryRows<{ job_id: string, runs: number }>(url, `SELECT job_id, count(*)::int AS runs FROM job_test_started WHERE job_id IN (${ids.map(id => `'${id}'`).join(',')}) GROUP BY job_id`)
      expect(starts).toHaveLength(500)
      expect(starts.filter(start => start.runs !== 1)).toEqual([])
      const byWorker = new Set((await effects(ids)).map(effect => effect.pid))
      expect(byWorker.size).toBeGreaterThan(1)
    }
    finally {
      for (const worker of workers) worker.child.kill('SIGTERM')
      await Promise.all(workers.map(worker => once(worker.child, 'exit')))
    }
  }, 240_000)
})
