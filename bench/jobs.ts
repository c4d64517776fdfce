// The job engine on PostgreSQL and on the embedded PGlite:
//   - no-op jobs completed per second, end to end (inserted in bulk, worked by one process);
//   - lateness of startAfter jobs: scheduled time to handler start, p50 and p99;
//   - our wrapper's overhead: the same jobs through bare pg-boss `work()` in the same run, as a time ratio.
//   npx tsx bench/jobs.ts [--quick]
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { PgBoss } from 'pg-boss'
import { startEmbeddedDatabase } from '../server/services/db/embedded'
import { startJobEngine } from '../server/services/jobs/engine'
import type { QueueDefinition } from '../server/services/jobs/registry'
import { createScratchPostgres } from '../test/support/postgres'

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

// Jobs scheduled 2–4 s ahead, worked with the engine's default polling (1 s).
async function lateness(url: string): Promise<{ p50: number, p99: number }> {
  const samples: number[] = []
  const name = `bench.late.${randomUUID().slice(0, 8)}`
  const engine = await startJobEngine({
    connectionString: url, works: true, queues: [queue(name)],
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

async function measure(label: string, url: string) {
  // Bare first and ours second, then once more the other way round, so warm-up does not favour either.
  const bareA = await throughputBare(url)
  const oursA = await throughputOurs(url)
  const oursB = await throughputOurs(url)
  const bareB = await throughputBare(url)
  const ours = (oursA + oursB) / 2
  const bare = (bareA + bareB) / 2
  const late = await lateness(url)
  const overhead = Number((bare / ours).toFixed(2))
  console.log(`${label.padEnd(10)} ours ${Math.round(ours)} jobs/s   bare pg-boss ${Math.round(bare)} jobs/s   overhead ×${overhead}   startAfter lateness p50 ${late.p50} ms p99 ${late.p99} ms`)
  return { ours: Math.round(ours), bare: Math.round(bare), overhead, lateP50: late.p50, lateP99: late.p99 }
}

const postgres = await createScratchPostgres('reelwise_bench_jobs')
const dir = await mkdtemp(join(tmpdir(), 'reelwise-bench-jobs-'))
const embedded = await startEmbeddedDatabase(dir)
try {
  const pg = await measure('postgres', postgres.url)
  const pglite = await measure('pglite', embedded.url)
  console.log(`targets on PostgreSQL: ≥300 jobs/s ${pg.ours >= 300 ? 'met' : 'MISSED'}, p99 lateness ≤2000 ms ${pg.lateP99 <= 2000 ? 'met' : 'MISSED'}, overhead ≤1.10 ${pg.overhead <= 1.1 ? 'met' : 'MISSED'}`)
  console.log(`RESULT ${JSON.stringify({
    postgres_jobs_per_s: pg.ours, postgres_bare_jobs_per_s: pg.bare, postgres_overhead_ratio: pg.overhead, postgres_late_p50_ms: pg.lateP50, postgres_late_p99_ms: pg.lateP99,
    pglite_jobs_per_s: pglite.ours, pglite_bare_jobs_per_s: pglite.bare, pglite_overhead_ratio: pglite.overhead, pglite_late_p50_ms: pglite.lateP50, pglite_late_p99_ms: pglite.lateP99,
    jobs, concurrency,
  })}`)
}
finally {
  await embedded.close()
  await postgres.drop()
  await rm(dir, { recursive: true, force: true })
}
