import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { startJobEngine, type JobEngine } from '../../server/services/jobs/engine'
import { queues } from '../../server/services/jobs/registry'
import { cleanUp } from '../../server/services/maintenance/cleanup'
import { queryRows } from '../support/postgres'
import { createPrisma } from '../support/scratch'
import { startWorker, waitUntil } from '../support/job-workers'
import { testQueue } from '../support/test-queues'

describe(`background jobs on ${inject('databaseKind')}`, () => {
  let sender: JobEngine
  const url = inject('databaseUrl')
  const effects = async (jobIds: string[]) => queryRows<{ job_id: string, pid: number }>(url, `SELECT job_id, pid FROM job_test_effects WHERE job_id IN (${jobIds.map(id => `'${id}'`).join(',')})`)

  async function sendAndWaitForStart(data: object = {}): Promise<string> {
    const jobId = (await sender.send('test.side_effect', data))!
    await waitUntil(async () => (await queryRows(url, `SELECT 1 FROM job_test_started WHERE job_id = '${jobId}'`)).length > 0, 20_000, 'the job to start')
    return jobId
  }

  beforeAll(async () => {
    sender = await startJobEngine({ connectionString: url, works: false, queues: [testQueue('test.side_effect')], handlers: {} })
  }, 60_000)
  afterAll(() => sender?.stop(1000))

  it('a worker killed with SIGKILL mid-job: the job runs again elsewhere once its heartbeat goes quiet, and its effect lands once', async () => {
    const first = startWorker({ JOB_WORK_MS: '4000' })
    await first.ready
    const jobId = await sendAndWaitForStart({ note: 'crash me' })
    first.child.kill('SIGKILL')
    await once(first.child, 'exit')

    const second = startWorker({ JOB_WORK_MS: '200' })
    await second.ready
    try {
      await waitUntil(async () => (await effects([jobId])).length > 0, 30_000, 'the retried job to finish')
      const job = await sender.boss.findJobs('test.side_effect', { id: jobId })
      await waitUntil(async () => (await sender.boss.findJobs('test.side_effect', { id: jobId }))[0]?.state === 'completed', 10_000, 'completed state')
      expect(job.length).toBe(1)
      const applied = await effects([jobId])
      expect(applied).toHaveLength(1)
      expect(applied[0]!.pid).toBe(second.child.pid)
      const starts = await queryRows<{ pid: number }>(url, `SELECT pid FROM job_test_started WHERE job_id = '${jobId}' ORDER BY at`)
      expect(starts.map(start => start.pid)).toEqual([first.child.pid, second.child.pid])
    }
    finally {
      second.child.kill('SIGTERM')
      await once(second.child, 'exit')
    }
  }, 90_000)

  it('SIGTERM lets a running job finish before the worker exits, and a job cut off at the deadline is retried, not lost', async () => {
    const worker = startWorker({ JOB_WORK_MS: '1500', JOB_STOP_TIMEOUT_MS: '10000' })
    await worker.ready
    const finishing = await sendAndWaitForStart()
    worker.child.kill('SIGTERM')
    await once(worker.child, 'exit')
    expect(worker.output()).toContain('worker stopped')
    expect(await effects([finishing])).toHaveLength(1)
    expect((await sender.boss.findJobs('test.side_effect', { id: finishing }))[0]?.state).toBe('completed')

    const impatient = startWorker({ JOB_WORK_MS: '6000', JOB_STOP_TIMEOUT_MS: '500' })
    await impatient.ready
    const cutOff = await sendAndWaitForStart()
    impatient.child.kill('SIGTERM')
    await once(impatient.child, 'exit')
    expect((await sender.boss.findJobs('test.side_effect', { id: cutOff }))[0]?.state).not.toBe('completed')

    const rescuer = startWorker({ JOB_WORK_MS: '100' })
    await rescuer.ready
    try {
      await waitUntil(async () => (await sender.boss.findJobs('test.side_effect', { id: cutOff }))[0]?.state === 'completed', 30_000, 'the cut-off job to be retried')
      // Counted, not deduplicated: the effect table has no key, so a second run would show as a second row.
      expect(await effects([cutOff])).toHaveLength(1)
    }
    finally {
      rescuer.child.kill('SIGTERM')
      await once(rescuer.child, 'exit')
    }
  }, 120_000)

  it('SIGTERM on a job\'s last attempt hands it back: another worker runs it to success, and no attempt was used up', async () => {
    const queue = 'test.last_attempt'
    const lastOnly = await startJobEngine({ connectionString: url, works: false, queues: [testQueue(queue, { retryLimit: 0 })], handlers: {} })
    // No retries at all: the first attempt is the last.
    const stopping = startWorker({ JOB_QUEUE: queue, JOB_RETRY_LIMIT: '0', JOB_WORK_MS: '8000', JOB_STOP_TIMEOUT_MS: '500' })
    let rescuer: ReturnType<typeof startWorker> | undefined
    try {
      await stopping.ready
      const jobId = (await lastOnly.send(queue, {}))!
      await waitUntil(async () => (await queryRows(url, `SELECT 1 FROM job_test_started WHERE job_id = '${jobId}'`)).length > 0, 20_000, 'the job to start')
      stopping.child.kill('SIGTERM')
      await once(stopping.child, 'exit')
      expect(stopping.output()).toContain('worker stopped')
      const [handedBack] = await lastOnly.boss.findJobs(queue, { id: jobId })
      expect(handedBack?.state).toBe('retry')

      rescuer = startWorker({ JOB_QUEUE: queue, JOB_RETRY_LIMIT: '0', JOB_WORK_MS: '100' })
      await rescuer.ready
      await waitUntil(async () => (await lastOnly.boss.findJobs(queue, { id: jobId }))[0]?.state === 'completed', 30_000, 'the handed-back job to run to success')
      expect(await effects([jobId])).toHaveLength(1)
      const starts = await queryRows<{ pid: number }>(url, `SELECT pid FROM job_test_started WHERE job_id = '${jobId}' ORDER BY at`)
      expect(starts.map(start => start.pid)).toEqual([stopping.child.pid, rescuer.child.pid])
    }
    finally {
      rescuer?.child.kill('SIGTERM')
      if (rescuer) await once(rescuer.child, 'exit')
      await lastOnly.stop(1000)
    }
  }, 90_000)

  it('a fair queue shares its workers between workspaces: B\'s one job starts while half of A\'s twenty still wait', async () => {
    const queue = 'test.fair'
    // The fairness rule of the media queues, from the registry.
    const rules = { concurrency: 2, perWorkspace: queues['media.analyse'].perWorkspace }
    const fair = await startJobEngine({ connectionString: url, works: false, queues: [testQueue(queue, rules)], handlers: {} })
    // The backlog is queued before the worker starts: sending 21 jobs one by one on a busy machine can take longer
    // than A's first jobs, and then the test would measure the sender, not the queue.
    const workspaceA = randomUUID()
    const workspaceB = randomUUID()
    const jobsA: string[] = []
    for (let index = 0; index < 20; index++) jobsA.push((await fair.send(queue, { workspaceId: workspaceA }))!)
    const jobB = (await fair.send(queue, { workspaceId: workspaceB }))!
    const worker = startWorker({ JOB_QUEUE: queue, JOB_CONCURRENCY: '2', JOB_PER_WORKSPACE: String(rules.perWorkspace), JOB_WORK_MS: '700' })
    try {
      await worker.ready
      await waitUntil(async () => (await effects([jobB])).length > 0, 60_000, 'B\'s job to run')
      await waitUntil(async () => (await effects(jobsA)).length >= 10, 60_000, 'ten of A\'s jobs to end')
      // pg-boss checks the group limit in each fetch, so two slots fetching at the same instant can both take one of
      // A's jobs (seen on a loaded CI machine, jobs of equal length keeping the slots in step; once B started 13 ms
      // after A's sixth end). B is still not left behind A's backlog: first in, first out would start it after A's
      // nineteenth job; it starts before A's tenth ends, with half of A's still queued.
      const [startB] = await queryRows<{ at: Date }>(url, `SELECT at FROM job_test_started WHERE job_id = '${jobB}'`)
      const endsA = await queryRows<{ at: Date }>(url, `SELECT at FROM job_test_effects WHERE job_id IN (${jobsA.map(id => `'${id}'`).join(',')}) ORDER BY at LIMIT 10`)
      expect(new Date(startB!.at).getTime()).toBeLessThan(new Date(endsA[9]!.at).getTime())
    }
    finally {
      worker.child.kill('SIGTERM')
      await once(worker.child, 'exit')
      await fair.boss.deleteAllJobs(queue).catch(() => {})
      await fair.stop(1000)
    }
  }, 120_000)

  it('a job sent from the process that works its queue starts at once, though its idle worker asks only every 30 s', async () => {
    // Unique per run: the two databases' runs share nothing, and a rerun must not find the last one's jobs.
    const name = `test.wake_${randomUUID().slice(0, 8)}`
    const started: number[] = []
    const engine = await startJobEngine({
      connectionString: url, works: true, pollingIntervalSeconds: 30,
      queues: [testQueue(name), testQueue(`${name}.fair`, { perWorkspace: 1, concurrency: 2 })],
      handlers: { [name]: async () => void started.push(Date.now()), [`${name}.fair`]: async () => void started.push(Date.now()) },
    })
    try {
      // Each worker asks once as it starts; the next ask would be 30 s later.
      await new Promise(resolve => setTimeout(resolve, 2000))
      const sent = Date.now()
      await engine.send(name, {})
      await waitUntil(async () => started.length === 1, 20_000, 'the job to start')
      expect(started[0]! - sent).toBeLessThan(5000)
      // So do jobs sent many at once, to a queue shared fairly between workspaces.
      const many = Date.now()
      expect(await engine.sendMany(`${name}.fair`, [{ data: { workspaceId: randomUUID() } }, { data: { workspaceId: randomUUID() } }])).toHaveLength(2)
      await waitUntil(async () => started.length === 3, 20_000, 'the two jobs to start')
      expect(Math.max(...started.slice(1)) - many).toBeLessThan(5000)
    }
    finally {
      await engine.stop(1000)
    }
  }, 60_000)

  it('a backlog sent by another process drains job after job, though its idle worker asks only every 30 s', async () => {
    const name = `test.drain_${randomUUID().slice(0, 8)}`
    const other = await startJobEngine({ connectionString: url, works: false, queues: [testQueue(name, { concurrency: 1 })], handlers: {} })
    const started: number[] = []
    let worker: JobEngine | undefined
    try {
      for (let index = 0; index < 3; index++) expect(await other.send(name, { index })).toBeTruthy()
      const from = Date.now()
      worker = await startJobEngine({
        connectionString: url, works: true, pollingIntervalSeconds: 30, queues: [testQueue(name, { concurrency: 1 })],
        handlers: { [name]: async () => void started.push(Date.now()) },
      })
      // One job per ask (concurrency 1): the first ask as it starts, and each next one as soon as the last job is done.
      await waitUntil(async () => started.length === 3, 20_000, 'the three jobs to run')
      expect(Math.max(...started) - from).toBeLessThan(10_000)
    }
    finally {
      await worker?.stop(1000)
      await other.stop(1000)
    }
  }, 60_000)

  it('an idle worker of many queues asks the database about once a second in all, and still starts a job another process sends, or one whose time comes, within about a second', async () => {
    // As many queues as the app works, two of them shared fairly (one ask per slot).
    const base = `test.idle_${randomUUID().slice(0, 8)}`
    const names = Array.from({ length: 16 }, (_, index) => `${base}.${index}`)
    const definitions = names.map((name, index) => testQueue(name, index < 2 ? { perWorkspace: 1, concurrency: 4 } : { concurrency: 2 }))
    const started = new Map<string, number>()
    const asks: number[] = []
    const engine = await startJobEngine({
      connectionString: url, works: true, queues: definitions,
      handlers: Object.fromEntries(names.map(name => [name, async (job: { id: string }) => void started.set(job.id, Date.now())])),
      created: (boss) => {
        const db = boss.getDb() as { executeSql: (sql: string, values?: unknown[]) => Promise<unknown> }
        const execute = db.executeSql.bind(db)
        // Every statement that looks for work: pg-boss's fetch, or one question covering all the queues.
        db.executeSql = async (sql, values) => {
          if (/\bnext AS \(|AS due\b/.test(sql) && (names.some(name => sql.includes(`'${name}'`)) || JSON.stringify(values ?? []).includes(base))) asks.push(Date.now())
          return execute(sql, values)
        }
      },
    })
    const other = await startJobEngine({ connectionString: url, works: false, queues: definitions, handlers: {} })
    try {
      await new Promise(resolve => setTimeout(resolve, 2000))
      const from = Date.now()
      await new Promise(resolve => setTimeout(resolve, 10_000))
      const idleAsks = asks.filter(at => at >= from).length
      // Before: each queue's loops asked every second on their own (18 loops, about 180 asks in 10 s).
      expect(idleAsks).toBeLessThanOrEqual(15)
      // A job sent by a process that does not work the queue: nothing here is woken by the send itself.
      const sent = Date.now()
      const id = (await other.send(names[5]!, {}))!
      await waitUntil(async () => started.has(id), 10_000, 'the job from the other process to start')
      expect(started.get(id)! - sent).toBeLessThan(2500)
      // A job due three seconds from now starts on time, not at a backstop poll.
      const due = Date.now() + 3000
      const later = (await other.send(names[1]!, { workspaceId: randomUUID() }, { startAfter: new Date(due) }))!
      await waitUntil(async () => started.has(later), 15_000, 'the job due in three seconds to start')
      expect(started.get(later)! - due).toBeLessThan(2500)
    }
    finally {
      await other.stop(1000)
      await engine.stop(1000)
    }
  }, 60_000)

  it('a sweep enqueues once per window however many workers run it (singleton key)', async () => {
    const key = `sweep-${Date.now()}`
    const first = await sender.send('test.side_effect', {}, { singletonKey: key, singletonSeconds: 60 })
    const second = await sender.send('test.side_effect', {}, { singletonKey: key, singletonSeconds: 60 })
    expect(first).toBeTruthy()
    expect(second).toBeNull()
  })

  describe('maintenance.cleanup', () => {
    let db: PrismaClient
    let dir: string
    beforeAll(async () => {
      db = createPrisma(url)
      dir = await mkdtemp(join(tmpdir(), 'reelwise-cleanup-'))
    })
    afterAll(async () => {
      await db.$disconnect()
      await rm(dir, { recursive: true, force: true })
    })

    it('removes ended sessions, stale invites and old temporary files, keeps what is live, and finds nothing the second time', async () => {
      const stamp = Math.random().toString(36).slice(2, 8)
      const user = await db.user.create({ data: { email: `cleanup-${stamp}@example.test` } })
      const workspace = await db.workspace.create({ data: { name: 'Cleanup', slug: `cleanup-${stamp}` } })
      const longAgo = new Date(Date.now() - 40 * 24 * 3600 * 1000)
      const soon = new Date(Date.now() + 24 * 3600 * 1000)
      const ended = await db.authSession.create({ data: { userId: user.id, expiresAt: soon, revokedAt: longAgo } })
      const live = await db.authSession.create({ data: { userId: user.id, expiresAt: soon, refreshTokens: { create: { tokenHash: `live-${stamp}`, expiresAt: soon, usedAt: longAgo } } } })
      const staleInvite = await db.invite.create({ data: { workspaceId: workspace.id, role: 'viewer', tokenHash: `stale-${stamp}`, expiresAt: longAgo } })
      const openInvite = await db.invite.create({ data: { workspaceId: workspace.id, role: 'viewer', tokenHash: `open-${stamp}`, expiresAt: soon } })
      await writeFile(join(dir, 'old.part'), 'x')
      await utimes(join(dir, 'old.part'), longAgo, longAgo)
      await writeFile(join(dir, 'new.part'), 'x')

      const report = await cleanUp(db, dir)
      expect(report.temporaryFiles).toBe(1)
      expect(await db.authSession.findUnique({ where: { id: ended.id } })).toBeNull()
      expect(await db.authSession.findUnique({ where: { id: live.id } })).not.toBeNull()
      expect(await db.refreshToken.count({ where: { sessionId: live.id } })).toBe(1)
      expect(await db.invite.findUnique({ where: { id: staleInvite.id } })).toBeNull()
      expect(await db.invite.findUnique({ where: { id: openInvite.id } })).not.toBeNull()

      const again = await cleanUp(db, dir)
      expect(again.temporaryFiles).toBe(0)
      expect(await db.authSession.findUnique({ where: { id: live.id } })).not.toBeNull()
    })
  })
})
