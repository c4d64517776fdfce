// The job engine on PostgreSQL and on the embedded PGlite:
//   - the production path: no-op jobs sent one by one through `engine.send` by a web-role engine (a JobRun row each),
//     then worked by a worker-role engine with the JobRun tracker on (prismaJobTracker, as server/plugins/jobs.ts runs
//     it); jobs worked per second from the worker's start to the last completion, and sends per second;
//   - beside it, the bare paths: jobs inserted in bulk and worked by our engine without the tracker, and by bare
//     pg-boss `work()`; the engine's overhead is bare ÷ engine, as a time ratio;
//   - lateness of startAfter jobs on the production path: scheduled time to handler start, p50 and p99;
//   - an idle worker's load on the database: statements per second, against one 1 s ask per queue and slot.
//   npx tsx bench/jobs.ts [--quick]
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { PrismaPg } from '@prisma/adapter-pg'
import { PgBoss } from 'pg-boss'
import { PrismaClient } from '../server/generated/prisma/client'
import { startEmbeddedDatabase } from '../server/services/db/embedded'
import { migrateIfBehind } from '../server/services/db/migrate'
import { readMigrationsDir } from '../server/services/db/migration-files'
import { startJobEngine } from '../server/services/jobs/engine'
import { queues, SUPERVISE_SECONDS, type QueueDefinition } from '../server/services/jobs/registry'
import { prismaJobTracker } from '../server/services/jobs/tracker'
import { createScratchPostgres } from '../test/support/postgres'
import { timed } from './support'

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } })
const jobs = values.quick ? 400 : 5000
const delayed = values.quick ? 40 : 200
const concurrency = 16

const queue = (name: string): QueueDefinition => ({ name, retryLimit: 0, retryDelay: 0, retryBackoff: false, expireInSeconds: 60, concurrency })

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!)
}

async function untilDone(count: () => number, target: number, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (count() < target) {
    if (Date.now() > deadline) throw new Error(`only ${count()} of ${target} jobs finished`)
    await new Promise(resolve => setTimeout(resolve, 5))
  }
}

async function throughputOurs(url: string): Promise<number> {
  let done = 0
  const name = `bench.ours.${randomUUID().slice(0, 8)}`
  const count = async () => {
    done++
  }
  const engine = await startJobEngine({ connectionString: url, works: true, queues: [queue(name)], handlers: { [name]: count }, pollingIntervalSeconds: 0.5 })
  const started = performance.now()
  await engine.boss.insert(name, Array.from({ length: jobs }, () => ({ data: {} })))
  await untilDone(() => done, jobs)
  const seconds = (performance.now() - started) / 1000
  await engine.stop(5000)
  return jobs / seconds
}

// The production path. A web-role engine sends each job through engine.send (a pg-boss insert and a JobRun row),
// 32 requests at a time; then a worker-role engine with the tracker on (JobRun started and finished rows) works them.
// Returns both rates: sends per second, and jobs worked per second from the worker's start to the last completion.
async function throughputTracked(url: string, prisma: PrismaClient): Promise<{ send: number, work: number }> {
  let done = 0
  const name = `bench.tracked.${randomUUID().slice(0, 8)}`
  const count = async () => {
    done++
  }
  const tracker = prismaJobTracker(prisma)
  const sender = await startJobEngine({ connectionString: url, works: false, queues: [queue(name)], handlers: {}, tracker })
  const sendSeconds = await timed(async () => {
    for (let sent = 0; sent < jobs; sent += 32) {
      await Promise.all(Array.from({ length: Math.min(32, jobs - sent) }, () => sender.send(name, {})))
    }
  })
  await sender.stop(5000)
  const workSeconds = await timed(async () => {
    const worker = await startJobEngine({ connectionString: url, works: true, queues: [queue(name)], handlers: { [name]: count }, pollingIntervalSeconds: 0.5, tracker })
    await untilDone(() => done, jobs)
    await worker.stop(5000)
  })
  return { send: jobs / sendSeconds, work: jobs / workSeconds }
}

async function throughputBare(url: string): Promise<number> {
  let done = 0
  const name = `bench.bare.${randomUUID().slice(0, 8)}`
  const boss = new PgBoss({ connectionString: url, schema: 'pgboss', max: 4 })
  boss.on('error', () => {})
  await boss.start()
  await boss.createQueue(name, { retryLimit: 0, expireInSeconds: 60 })
  // The same fetch options as the engine, with nothing around the handler.
  await boss.work(name, { batchSize: concurrency, localConcurrency: 1, burstWhenBatchFull: true, perJobResults: true, pollingIntervalSeconds: 0.5 }, async (batch) => {
    done += batch.length
    return batch.map(job => ({ id: job.id, status: 'completed' as const }))
  })
  const started = performance.now()
  await boss.insert(name, Array.from({ length: jobs }, () => ({ data: {} })))
  await untilDone(() => done, jobs)
  const seconds = (performance.now() - started) / 1000
  await boss.stop({ graceful: true, timeout: 5000, close: true })
  return jobs / seconds
}

// Jobs scheduled 2–4 s ahead, worked with the engine's default polling (1 s) and the tracker on.
async function lateness(url: string, prisma: PrismaClient): Promise<{ p50: number, p99: number }> {
  const samples: number[] = []
  const name = `bench.late.${randomUUID().slice(0, 8)}`
  const engine = await startJobEngine({
    connectionString: url, works: true, queues: [queue(name)], tracker: prismaJobTracker(prisma),
    handlers: { [name]: async (job: { data: { due: number } }) => { samples.push(Date.now() - job.data.due) } },
  })
  const now = Date.now()
  await Promise.all(Array.from({ length: delayed }, (_, index) => {
    const due = now + 2000 + Math.round((index / delayed) * 2000)
    return engine.send(name, { due }, { startAfter: new Date(due) })
  }))
  await untilDone(() => samples.length, delayed)
  await engine.stop(5000)
  return { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99) }
}

/** Counts the statements a pg-boss instance sends from the moment this is called. */
function countStatements(boss: PgBoss): { count: number } {
  const counter = { count: 0 }
  const db = boss.getDb() as { executeSql: (sql: string, values?: unknown[]) => Promise<unknown> }
  const execute = db.executeSql.bind(db)
  db.executeSql = (sql, values) => {
    counter.count++
    return execute(sql, values)
  }
  return counter
}

// An idle worker of every queue in the registry: statements per second to the database, ours (one question a second
// for all the queues, each queue's loops asking only as a 30 s backstop) against the same queues on bare pg-boss with
// one loop per queue and slot asking every second, as the engine did before. Maintenance passes count on both sides.
async function idleLoad(url: string): Promise<{ ours: number, bare: number }> {
  const seconds = values.quick ? 15 : 60
  const idle = () => new Promise(resolve => setTimeout(resolve, 3000))
  let ours: { count: number } = { count: 0 }
  const handlers = Object.fromEntries(Object.keys(queues).map(name => [name, async () => {}]))
  const created = (boss: PgBoss) => {
    ours = countStatements(boss)
  }
  const engine = await startJobEngine({ connectionString: url, works: true, queues: Object.values(queues), handlers, created })
  await idle()
  ours.count = 0
  await new Promise(resolve => setTimeout(resolve, seconds * 1000))
  const oursRate = ours.count / seconds
  await engine.stop(5000)

  const boss = new PgBoss({ connectionString: url, schema: 'pgboss', max: 4, superviseIntervalSeconds: SUPERVISE_SECONDS, monitorIntervalSeconds: SUPERVISE_SECONDS })
  boss.on('error', () => {})
  const bare = countStatements(boss)
  await boss.start()
  for (const queue of Object.values(queues) as QueueDefinition[]) {
    const fetching = queue.perWorkspace ? { batchSize: 1, groupConcurrency: queue.perWorkspace } : { batchSize: queue.concurrency }
    for (let slot = 0; slot < (queue.perWorkspace ? queue.concurrency : 1); slot++) {
      await boss.work(queue.name, { ...fetching, perJobResults: true, pollingIntervalSeconds: 1 }, async batch => batch.map(job => ({ id: job.id, status: 'completed' as const })))
    }
  }
  await idle()
  bare.count = 0
  await new Promise(resolve => setTimeout(resolve, seconds * 1000))
  const bareRate = bare.count / seconds
  await boss.stop({ graceful: true, timeout: 5000, close: true })
  return { ours: Number(oursRate.toFixed(1)), bare: Number(bareRate.toFixed(1)) }
}

async function measure(label: string, url: string) {
  await migrateIfBehind(url, await readMigrationsDir(resolve(import.meta.dirname, '../prisma/migrations')))
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 10 }) })
  try {
    // Each side twice, in an order that gives none of them the warm-up: bare, ours, tracked, tracked, ours, bare.
    const step = async (name: string, run: () => Promise<number>) => {
      const rate = await run()
      console.error(`  ${label} ${name}: ${Math.round(rate)} jobs/s`)
      return rate
    }
    const bareA = await step('bare pg-boss', () => throughputBare(url))
    const oursA = await step('engine, no tracker', () => throughputOurs(url))
    const trackedA = await throughputTracked(url, prisma)
    console.error(`  ${label} production path: sent ${Math.round(trackedA.send)} jobs/s, worked ${Math.round(trackedA.work)} jobs/s`)
    const trackedB = await throughputTracked(url, prisma)
    console.error(`  ${label} production path: sent ${Math.round(trackedB.send)} jobs/s, worked ${Math.round(trackedB.work)} jobs/s`)
    const oursB = await step('engine, no tracker', () => throughputOurs(url))
    const bareB = await step('bare pg-boss', () => throughputBare(url))
    const tracked = Math.round((trackedA.work + trackedB.work) / 2)
    const sent = Math.round((trackedA.send + trackedB.send) / 2)
    const ours = Math.round((oursA + oursB) / 2)
    const bare = Math.round((bareA + bareB) / 2)
    const late = await lateness(url, prisma)
    const idle = await idleLoad(url)
    console.log(`${label.padEnd(10)} idle worker of every queue: ${idle.ours} statements/s, against ${idle.bare} with a 1 s ask per queue and slot (×${(idle.ours / idle.bare).toFixed(2)})`)
    const overhead = Number((bare / ours).toFixed(2))
    console.log(`${label.padEnd(10)} production path (tracker on) ${tracked} jobs/s worked, ${sent} jobs/s sent   engine, no tracker ${ours} jobs/s   bare pg-boss ${bare} jobs/s   engine overhead ×${overhead}   startAfter lateness (tracker on) p50 ${late.p50} ms p99 ${late.p99} ms`)
    return { tracked, sent, ours, bare, overhead, lateP50: late.p50, lateP99: late.p99, idle }
  }
  finally {
    await prisma.$disconnect()
  }
}

const postgres = await createScratchPostgres('reelwise_bench_jobs')
const dir = await mkdtemp(join(tmpdir(), 'reelwise-bench-jobs-'))
const embedded = await startEmbeddedDatabase(dir)
try {
  const pg = await measure('postgres', postgres.url)
  const pglite = await measure('pglite', embedded.url)
  console.log(`targets on PostgreSQL: production path ≥300 jobs/s ${pg.tracked >= 300 ? 'met' : 'MISSED'}, p99 lateness ≤2000 ms ${pg.lateP99 <= 2000 ? 'met' : 'MISSED'}, engine overhead ≤1.10 ${pg.overhead <= 1.1 ? 'met' : 'MISSED'}`)
  console.log(`RESULT ${JSON.stringify({
    postgres_tracked_jobs_per_s: pg.tracked, postgres_tracked_sends_per_s: pg.sent, postgres_jobs_per_s: pg.ours, postgres_bare_jobs_per_s: pg.bare, postgres_overhead_ratio: pg.overhead, postgres_late_p50_ms: pg.lateP50, postgres_late_p99_ms: pg.lateP99,
    pglite_tracked_jobs_per_s: pglite.tracked, pglite_tracked_sends_per_s: pglite.sent, pglite_jobs_per_s: pglite.ours, pglite_bare_jobs_per_s: pglite.bare, pglite_overhead_ratio: pglite.overhead, pglite_late_p50_ms: pglite.lateP50, pglite_late_p99_ms: pglite.lateP99,
    postgres_idle_statements_per_s: pg.idle.ours, postgres_idle_statements_per_s_before: pg.idle.bare,
    pglite_idle_statements_per_s: pglite.idle.ours, pglite_idle_statements_per_s_before: pglite.idle.bare,
    jobs, concurrency,
  })}`)
}
finally {
  await embedded.close()
  await postgres.drop()
  await rm(dir, { recursive: true, force: true })
}
