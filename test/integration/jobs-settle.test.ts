// How the engine records a job's outcome in pg-boss: once per batch, through its own retrying settle (settle.ts);
// a failure that retrying cannot fix (PermanentJobError) ends the job at once, in the engine and in the media
// handlers; and when the engine's own settle gives up, pg-boss still records the outcome the handler reached.
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PgBoss } from 'pg-boss'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { mediaAnalyseHandler } from '../../server/jobs/media.analyse'
import { mediaRenderHandler } from '../../server/jobs/media.render'
import { startJobEngine, type JobEngine, type JobHandler } from '../../server/services/jobs/engine'
import { PermanentJobError } from '../../server/services/jobs/permanent'
import type { QueueDefinition } from '../../server/services/jobs/registry'
import { prismaJobTracker } from '../../server/services/jobs/tracker'
import { createAnalysis } from '../../server/services/library/analysis'
import { locateMediaTools } from '../../server/services/media/ffmpeg'
import { videoSourceKey } from '../../server/services/media/storage/keys'
import { createLocalMediaStore } from '../../server/services/media/storage/local'
import { createRenders, studioJobs } from '../../server/services/studio/renders'
import { editRecipeSchema } from '#shared/recipe'
import { waitUntil } from '../support/job-workers'
import { queryRows } from '../support/postgres'
import { createPrisma } from '../support/scratch'
import { mediaTestQueue, testQueue } from '../support/test-queues'

type Statement = { sql: string, values?: unknown[] }

// What settles a job in pg-boss: a completion (an UPDATE to 'completed'), or a failure (the delete and re-insert
// of failJobsBody). The supervise pass's expiry also deletes and re-inserts; it names "expiryPicked".
const completes = (sql: string) => /SET completed_on[\s\S]*state = 'completed'/.test(sql)
const fails = (sql: string) => /deleted_jobs AS/.test(sql) && !sql.includes('expiryPicked')

/** Watches every statement pg-boss runs; `refuse` makes a matching one fail as a dropped connection would. */
function watchStatements(boss: PgBoss, seen: Statement[], refuse?: (statement: Statement) => boolean): void {
  const db = boss.getDb() as { executeSql: (sql: string, values?: unknown[]) => Promise<unknown> }
  const execute = db.executeSql.bind(db)
  db.executeSql = async (sql, values) => {
    const statement = { sql, values }
    seen.push(statement)
    if (refuse?.(statement)) throw new Error('Connection terminated unexpectedly')
    return execute(sql, values)
  }
}

describe(`settling jobs on ${inject('databaseKind')}`, () => {
  const url = inject('databaseUrl')
  let db: PrismaClient
  const engines: JobEngine[] = []

  async function start(queue: QueueDefinition, handler: JobHandler<never>, refuse?: (statement: Statement) => boolean) {
    const seen: Statement[] = []
    const engine = await startJobEngine({
      connectionString: url, works: true, queues: [queue], handlers: { [queue.name]: handler },
      pollingIntervalSeconds: 0.5, tracker: prismaJobTracker(db), created: boss => watchStatements(boss, seen, refuse),
    })
    engines.push(engine)
    // Only this queue's settles: the statements name the queue as their first value.
    const settles = () => seen.filter(statement => statement.values?.[0] === queue.name && (completes(statement.sql) || fails(statement.sql)))
    return { engine, settles }
  }

  const jobState = async (queue: string, id: string) =>
    (await queryRows<{ state: string, retry_count: number, output: { message?: string } | null }>(url, `SELECT state::text AS state, retry_count, output FROM pgboss.job WHERE name = '${queue}' AND id = '${id}'`))[0]
  const ended = (queue: string, id: string) => async () => ['completed', 'failed'].includes((await jobState(queue, id))?.state ?? '')

  beforeAll(() => {
    db = createPrisma(url)
  })
  afterAll(async () => {
    for (const engine of engines) await engine.stop(2000)
    await db?.$disconnect()
  })

  it('each batch is settled by one statement: a completion, a completion with output, a failure', async () => {
    const queue = testQueue('test.settle_once', { retryLimit: 0 })
    const { engine, settles } = await start(queue, (async (job: { data: { outcome: string } }) => {
      if (job.data.outcome === 'fail') throw new Error('failed on purpose')
      return job.data.outcome === 'output' ? { cuts: 3 } : undefined
    }) as never)
    // One at a time, so each is a batch of its own.
    for (const outcome of ['plain', 'output', 'fail']) {
      const id = (await engine.send(queue.name, { outcome }))!
      await waitUntil(ended(queue.name, id), 20_000, `the ${outcome} job to end`)
    }
    // The graceful stop waits for each batch to be settled whole, pg-boss's part included.
    await engine.stop(5000)
    expect(settles().map(statement => completes(statement.sql) ? 'complete' : 'fail')).toEqual(['complete', 'complete', 'fail'])
  }, 60_000)

  it('a PermanentJobError ends the job on its first attempt: no retry, JobRun failed with the reason, a dead letter', async () => {
    const queue = testQueue('test.settle_permanent', { retryLimit: 3 })
    let runs = 0
    const { engine } = await start(queue, (async () => {
      runs++
      throw new PermanentJobError('The server\'s disk is full.')
    }) as never)
    const id = (await engine.send(queue.name, {}))!
    await waitUntil(ended(queue.name, id), 20_000, 'the job to end')
    // Retries wait no time on this queue: one would have started by now.
    await new Promise(done => setTimeout(done, 1500))
    expect(runs).toBe(1)
    expect(await jobState(queue.name, id)).toMatchObject({ state: 'failed', retry_count: 0, output: { message: 'The server\'s disk is full.' } })
    expect(await db.jobRun.findUniqueOrThrow({ where: { id } })).toMatchObject({ state: 'failed', attempts: 1, error: 'The server\'s disk is full.' })
    const dead = await queryRows<{ data: unknown }>(url, `SELECT data FROM pgboss.job WHERE name = '${queue.name}.dead' AND source_id = '${id}'`)
    expect(dead).toHaveLength(1)
  }, 60_000)

  it('media.analyse: a stored file that is not a video fails on its first attempt, and the video says why', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'reelwise-settle-'))
    try {
      const store = createLocalMediaStore({ root: join(dir, 'media'), appUrl: 'http://127.0.0.1:3000', signingKey: 'jobs-settle' })
      const workspace = await db.workspace.create({ data: { name: 'Not a video', slug: `settle-${randomUUID()}` } })
      // Stored without a probe (the analysis probes it then), as bytes no demuxer takes.
      const video = await db.video.create({ data: { workspaceId: workspace.id, kind: 'footage', status: 'uploaded', title: 'Notes' } })
      const notes = join(dir, 'notes.mp4')
      await writeFile(notes, 'these are my notes, not a video')
      const key = videoSourceKey(workspace.id, video.id, 'mp4')
      await store.putFile(key, notes)
      await db.video.update({ where: { id: video.id }, data: { storageKey: key } })
      const tools = await locateMediaTools()
      const queue = mediaTestQueue('analyse', 'test.settle_analyse')
      expect(queue.retryLimit).toBeGreaterThan(0)
      const { engine } = await start(queue, mediaAnalyseHandler(async () => ({ db, store, tools, scratchDir: join(dir, 'tmp') })))
      const id = randomUUID()
      const data = await createAnalysis(db, workspace.id, video.id, {}, id)
      await engine.send(queue.name, data, { id })
      await waitUntil(ended(queue.name, id), 60_000, 'the analysis job to end')
      expect(await jobState(queue.name, id)).toMatchObject({ state: 'failed', retry_count: 0 })
      expect(await db.jobRun.findUniqueOrThrow({ where: { id } })).toMatchObject({ state: 'failed', attempts: 1, error: expect.stringMatching(/^This file is damaged or is not a video/) })
      expect(await db.videoAnalysis.findUniqueOrThrow({ where: { id: data.analysisId } })).toMatchObject({ status: 'failed' })
      expect(await db.video.findUniqueOrThrow({ where: { id: video.id } })).toMatchObject({ status: 'failed', error: expect.stringMatching(/^Analysis failed: This file is damaged or is not a video/) })
    }
    finally {
      await rm(dir, { recursive: true, force: true })
    }
  }, 90_000)

  // The row says the footage is stored, but its file is gone (removed by hand, a bucket emptied): no attempt will find it.
  it('media.render and media.analyse: footage whose stored file is gone fail on their first attempt, and say what to do', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'reelwise-settle-gone-'))
    try {
      const store = createLocalMediaStore({ root: join(dir, 'media'), appUrl: 'http://127.0.0.1:3000', signingKey: 'jobs-settle' })
      const tools = await locateMediaTools()
      const user = await db.user.create({ data: { email: `gone-${randomUUID()}@settle.test`, name: 'Gone' } })
      const workspace = await db.workspace.create({ data: { name: 'File gone', slug: `settle-gone-${randomUUID()}` } })
      const video = await db.video.create({ data: { workspaceId: workspace.id, kind: 'footage', status: 'ready', title: 'Gone', durationMs: 2000, audioCodec: 'aac' } })
      await db.video.update({ where: { id: video.id }, data: { storageKey: videoSourceKey(workspace.id, video.id, 'mp4') } })

      const renderQueue = mediaTestQueue('render', 'test.settle_render_gone')
      expect(renderQueue.retryLimit).toBeGreaterThan(0)
      const { engine: renderEngine } = await start(renderQueue, mediaRenderHandler(async () => ({ db, store, tools, scratchDir: join(dir, 'tmp') })))
      const recipe = editRecipeSchema.parse({ reframe: { mode: 'crop', aspect: '9:16' }, platform: 'tiktok' })
      const { renders: [render] } = await createRenders(
        { db, store, jobs: studioJobs(db, renderEngine, workspace.id, renderQueue.name), workspaceQuotaBytes: 1024 ** 3 },
        { workspaceId: workspace.id, userId: user.id, videoId: video.id, name: 'Gone', recipe },
      )
      const renderJob = (await db.render.findUniqueOrThrow({ where: { id: render!.id } })).jobId!
      await waitUntil(ended(renderQueue.name, renderJob), 60_000, 'the render job to end')
      expect(await jobState(renderQueue.name, renderJob)).toMatchObject({ state: 'failed', retry_count: 0 })
      const renderRun = await db.jobRun.findUniqueOrThrow({ where: { id: renderJob } })
      expect(renderRun).toMatchObject({ state: 'failed', attempts: 1 })
      expect(renderRun.error).toMatch(/^The footage's file is missing from storage/)
      const failedRender = await db.render.findUniqueOrThrow({ where: { id: render!.id } })
      expect(failedRender.status).toBe('failed')
      // Written for the member: no storage key, no "trying again".
      expect(failedRender.error).toMatch(/^The footage's file is missing from storage\. Upload the video again/)
      expect(failedRender.error).not.toContain(workspace.id)

      const analyseQueue = mediaTestQueue('analyse', 'test.settle_analyse_gone')
      const { engine: analyseEngine } = await start(analyseQueue, mediaAnalyseHandler(async () => ({ db, store, tools, scratchDir: join(dir, 'tmp') })))
      const analysisJob = randomUUID()
      const data = await createAnalysis(db, workspace.id, video.id, {}, analysisJob)
      await analyseEngine.send(analyseQueue.name, data, { id: analysisJob })
      await waitUntil(ended(analyseQueue.name, analysisJob), 60_000, 'the analysis job to end')
      expect(await jobState(analyseQueue.name, analysisJob)).toMatchObject({ state: 'failed', retry_count: 0 })
      expect(await db.jobRun.findUniqueOrThrow({ where: { id: analysisJob } })).toMatchObject({ state: 'failed', attempts: 1, error: expect.stringMatching(/^This video's file is missing from storage/) })
      expect(await db.videoAnalysis.findUniqueOrThrow({ where: { id: data.analysisId } })).toMatchObject({ status: 'failed', error: expect.stringMatching(/^This video's file is missing from storage\. Upload it again/) })
    }
    finally {
      await rm(dir, { recursive: true, force: true })
    }
  }, 150_000)

  it('when the engine\'s own settle gives up, pg-boss records the handler\'s outcome: the job completes, run once', async () => {
    // Five seconds to settle: the engine's retries give up before pg-boss's own time limit for the batch.
    const queue = testQueue('test.settle_fallback', { retryLimit: 1, expireInSeconds: 5, heartbeatSeconds: undefined })
    let runs = 0
    // The engine's completion (an id list) fails as if the connection dropped; pg-boss's (a JSON recordset) gets through.
    const { engine } = await start(queue, (async () => {
      runs++
    }) as never, statement => statement.values?.[0] === queue.name && completes(statement.sql) && !statement.sql.includes('json_to_recordset'))
    const id = (await engine.send(queue.name, {}))!
    await waitUntil(ended(queue.name, id), 30_000, 'the job to end')
    expect(await jobState(queue.name, id)).toMatchObject({ state: 'completed', retry_count: 0 })
    expect(runs).toBe(1)
    expect(await db.jobRun.findUniqueOrThrow({ where: { id } })).toMatchObject({ state: 'succeeded', attempts: 1 })
  }, 60_000)
})
