import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { startJobEngine, type JobEngine } from '../../server/services/jobs/engine'
import { prismaJobTracker } from '../../server/services/jobs/tracker'
import { waitUntil } from '../support/job-workers'
import { createEffectLog, outageQueue } from '../support/outage'
import { queryRows } from '../support/postgres'
import { createPrisma } from '../support/scratch'
import { addressOf, startTcpProxy, type TcpProxy } from '../support/tcp-proxy'

const root = resolve(import.meta.dirname, '../..')

// Every connection between a worker and PostgreSQL is cut for 10 s by a proxy, as a restart or failover would.
// PostgreSQL only (vitest.config.ts): the embedded PGlite lives inside the app's own process, so its connections
// cannot drop on their own, and pglite-socket runs every client on one shared session, which a connection cut
// mid-statement leaves broken for the others ("unnamed prepared statement does not exist").
describe(`a database connection cut mid-run, on ${inject('databaseKind')}`, () => {
  const url = inject('databaseUrl')
  const queue = outageQueue('test.outage')
  let proxy: TcpProxy
  let db: PrismaClient
  let sender: JobEngine
  let worker: ChildProcess
  let output = ''

  beforeAll(async () => {
    await queryRows(url, createEffectLog)
    proxy = await startTcpProxy(addressOf(url))
    db = createPrisma(url)
    sender = await startJobEngine({ connectionString: url, works: false, queues: [queue], handlers: {}, tracker: prismaJobTracker(db) })
    worker = spawn(process.execPath, ['--import', 'tsx', 'test/support/outage-worker.ts'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: proxy.through(url), EFFECTS_URL: url, JOB_QUEUE: queue.name, JOB_WORK_MS: '1000' },
    })
    worker.stdout!.on('data', (chunk: Buffer) => output += chunk.toString())
    worker.stderr!.on('data', (chunk: Buffer) => output += chunk.toString())
    await waitUntil(async () => output.includes('worker ready'), 60_000, `the worker to start:\n${output}`)
  }, 90_000)

  afterAll(async () => {
    if (worker && worker.exitCode === null) {
      worker.kill('SIGTERM')
      await once(worker, 'exit')
    }
    await sender?.stop(1000)
    await db?.$disconnect()
    await proxy?.close()
  })

  it('survives every connection cut for 10 s: afterwards jobs run again, none lost, none run twice', async () => {
    const send = async (count: number) => Promise.all(Array.from({ length: count }, () => sender.send(queue.name, {}))) as Promise<string[]>
    const effects = async () => queryRows<{ job_id: string, runs: number }>(url, `SELECT job_id::text, count(*)::int AS runs FROM job_test_effect_log WHERE job_id = ANY('{${ids.join(',')}}'::uuid[]) GROUP BY job_id`)
    const ids: string[] = await send(40)
    // Cut while a handler runs (started, its effect not written yet): its outcome can only be recorded after the outage.
    const midHandler = async () => (await queryRows(url, `SELECT 1 FROM job_test_started started WHERE job_id = ANY('{${ids.join(',')}}'::uuid[])
        AND NOT EXISTS (SELECT 1 FROM job_test_effect_log effect WHERE effect.job_id = started.job_id)`)).length > 0
    await waitUntil(async () => (await effects()).length >= 4 && await midHandler(), 30_000, 'a job mid-handler')
    proxy.cut()
    ids.push(...await send(20))
    await new Promise(done => setTimeout(done, 10_000))
    proxy.restore()
    const accepted = proxy.accepted()

    // Until every job has ended: a job whose completion was lost stays active until its expiry, then runs again.
    const states = async () => queryRows<{ state: string, count: number }>(url, `SELECT state::text, count(*)::int AS count FROM pgboss.job WHERE id = ANY('{${ids.join(',')}}'::uuid[]) GROUP BY state`)
    await waitUntil(async () => (await states()).every(row => row.state === 'completed' || row.state === 'failed'), 120_000, 'every job to end')
    const runs = await effects()
    expect(runs.filter(row => row.runs !== 1), 'jobs whose effect landed more than once').toEqual([])
    expect(runs).toHaveLength(ids.length)
    expect(await states()).toEqual([{ state: 'completed', count: ids.length }])
    await waitUntil(async () => await db.jobRun.count({ where: { id: { in: ids }, state: 'succeeded' } }) === ids.length, 30_000, 'JobRun to say succeeded for every job')
    // The worker reconnected through the proxy rather than dying.
    expect(proxy.accepted()).toBeGreaterThan(accepted)
    expect(worker.exitCode).toBeNull()
  }, 240_000)
})
