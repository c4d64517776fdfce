// The media queues against real worker processes running the real handlers (server/jobs/media.*.ts) on real clips:
// a worker SIGKILLed mid-ffmpeg, a worker killed on the last attempt, and one render delivered twice at once.
// The queues carry the registry's rules; only the heartbeat (pg-boss's smallest, 10 s), the retry delay and the
// claim lease are shortened, so a lost job comes back in seconds instead of about a minute.
import { randomUUID } from 'node:crypto'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { reconcileStuckRuns } from '../../server/services/jobs/control'
import { startJobEngine, type JobEngine } from '../../server/services/jobs/engine'
import { prismaJobTracker } from '../../server/services/jobs/tracker'
import { createAnalysis } from '../../server/services/library/analysis'
import { createLocalMediaStore } from '../../server/services/media/storage/local'
import { videoSourceKey } from '../../server/services/media/storage/keys'
import type { MediaStore } from '../../server/services/media/storage/types'
import { createRenders, retryRender, studioJobs } from '../../server/services/studio/renders'
import type { StudioJobs } from '../../server/services/studio/renders'
import { editRecipeSchema } from '#shared/recipe'
import { startWorker, stopWorker, waitUntil, type Worker } from '../support/job-workers'
import { generateClip } from '../support/media'
import { isRunning, mediaToolChildren, mediaToolsMentioning } from '../support/processes'
import { createPrisma } from '../support/scratch'
import { mediaTestQueue, type MediaKind } from '../support/test-queues'

// The default workspace quota: these workspaces stay far below it.
const workspaceQuotaBytes = 25 * 1024 ** 3

describe(`media jobs outlive their workers on ${inject('databaseKind')}`, () => {
  const url = inject('databaseUrl')
  // Each database project its own queues, so two projects running at once never take each other's jobs.
  const suffix = inject('databaseKind')
  let dir: string
  let db: PrismaClient
  let store: MediaStore
  let workspaceId: string
  let userId: string
  let longClipId: string
  let shortClipId: string
  const engines: JobEngine[] = []
  const workers: Worker[] = []
  const noJobs: StudioJobs = { send: async () => null, cancel: async () => {} }

  const mediaRoot = () => join(dir, 'media')
  const scratchDir = () => join(dir, 'tmp')
  const storedUnder = async (...parts: string[]) => (await readdir(join(mediaRoot(), 'ws', workspaceId, ...parts)).catch(() => [] as string[])).sort()
  const scratch = async () => readdir(scratchDir()).catch(() => [] as string[])

  function mediaWorker(kind: MediaKind, queue: string, env: Record<string, string> = {}): Worker {
    const worker = startWorker({ MEDIA_KIND: kind, MEDIA_QUEUE: queue, MEDIA_ROOT: mediaRoot(), SCRATCH_DIR: scratchDir(), CLAIM_LEASE_MS: '4000', ...env }, 'test/support/media-worker.ts')
    workers.push(worker)
    return worker
  }

  async function sender(kind: MediaKind, queue: string, options: Parameters<typeof mediaTestQueue>[2] = {}): Promise<JobEngine> {
    // It supervises too: with every worker dead, someone must notice the silent heartbeat.
    const engine = await startJobEngine({ connectionString: url, works: false, queues: [mediaTestQueue(kind, queue, options)], handlers: {}, tracker: prismaJobTracker(db), expiryCheckSeconds: 1 })
    engines.push(engine)
    return engine
  }

  async function footage(spec: Parameters<typeof generateClip>[1], title: string, status: 'ready' | 'uploaded' = 'ready'): Promise<string> {
    const clip = await generateClip(join(dir, `${randomUUID()}.mp4`), spec)
    const video = await db.video.create({ data: { workspaceId, kind: 'footage', status, title, durationMs: Math.round(clip.durationSeconds * 1000), audioCodec: 'aac' } })
    const key = videoSourceKey(workspaceId, video.id, 'mp4')
    await store.putFile(key, clip.path)
    await db.video.update({ where: { id: video.id }, data: { storageKey: key } })
    return video.id
  }

  async function render(videoId: string, jobs: StudioJobs) {
    const recipe = editRecipeSchema.parse({ reframe: { mode: 'crop', aspect: '9:16' }, platform: 'instagram' })
    const { renders: [created] } = await createRenders({ db, store, jobs, workspaceQuotaBytes }, { workspaceId, userId, videoId, name: 'Survivor', recipe })
    return created!
  }

  /** Whether pg-boss has settled the job (a poll that fails, say on a busy embedded database, counts as not yet). */
  async function jobEnded(engine: JobEngine, queue: string, id: string): Promise<boolean> {
    const job = await engine.boss.findJobs(queue, { id }).then(([found]) => found, () => undefined)
    return job?.state === 'completed' || job?.state === 'failed'
  }

  /** Waits until `worker` runs ffmpeg on a job of `queue`, and returns the ffmpeg processes. */
  async function encoding(worker: Worker): Promise<number[]> {
    let children: number[] = []
    await waitUntil(async () => {
      children = await mediaToolChildren(worker.child.pid!)
      return children.length > 0
    }, 120_000, 'the worker to run ffmpeg')
    return children
  }

  /** SIGKILLs a worker mid-ffmpeg: its ffmpeg must die with it. */
  async function killMidEncode(worker: Worker): Promise<void> {
    const children = await encoding(worker)
    await stopWorker(worker, 'SIGKILL')
    await waitUntil(async () => !(await Promise.all(children.map(isRunning))).some(Boolean), 10_000, 'the killed worker\'s ffmpeg to die')
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reelwise-jobs-media-'))
    db = createPrisma(url)
    store = createLocalMediaStore({ root: join(dir, 'media'), appUrl: 'http://127.0.0.1:3000', signingKey: 'jobs-media-test' })
    const user = await db.user.create({ data: { email: `survivor-${randomUUID()}@jobs.test`, name: 'Survivor' } })
    const workspace = await db.workspace.create({ data: { name: 'Survivors', slug: `survivors-${randomUUID()}` } })
    userId = user.id
    workspaceId = workspace.id
    longClipId = await footage({ width: 640, height: 360, fps: 30, shots: [5, 5, 5], audio: [{ tone: -20, seconds: 15 }] }, 'Long')
    shortClipId = await footage({ width: 640, height: 360, fps: 30, shots: [2, 2], audio: [{ tone: -20, seconds: 4 }] }, 'Short')
  }, 120_000)

  afterAll(async () => {
    for (const worker of workers) await stopWorker(worker, 'SIGKILL')
    for (const engine of engines) await engine.stop(1000)
    await db?.$disconnect()
    await rm(dir, { recursive: true, force: true })
  })

  it('media.render: a worker SIGKILLed mid-ffmpeg; the job runs again on a second worker, one set of files, no ffmpeg or scratch left', async () => {
    const queue = `test.media_render_${suffix}`
    const engine = await sender('render', queue)
    const first = mediaWorker('render', queue)
    await first.ready
    const created = await render(longClipId, studioJobs(db, engine, workspaceId, queue))
    await killMidEncode(first)
    // The dead attempt's scratch folder is still there; the next attempt removes it.
    expect(await scratch()).toEqual([expect.stringMatching(new RegExp(`^render-${created.id}-`))])
    expect((await db.render.findUniqueOrThrow({ where: { id: created.id } })).status).toBe('running')

    const second = mediaWorker('render', queue)
    await second.ready
    await waitUntil(() => jobEnded(engine, queue, created.jobId!), 240_000, 'the render to finish on the second worker')
    const row = await db.render.findUniqueOrThrow({ where: { id: created.id } })
    expect(row, row.error ?? '').toMatchObject({ status: 'succeeded', error: null, progress: 1 })
    // Two deliveries of one job; the second worker settled it, once.
    const [job] = await engine.boss.findJobs(queue, { id: created.jobId! })
    expect(job).toMatchObject({ state: 'completed', retryCount: 1 })
    expect(second.output().split('\n').filter(line => line.includes(`${queue} ${created.jobId} done`))).toHaveLength(1)
    expect(first.output()).not.toContain(`${created.jobId} done`)
    // One set of files, each stored once by the attempt that finished.
    expect(await storedUnder('renders', created.id)).toEqual(['output.mp4', 'preview.mp4', 'thumbnail.jpg'])
    expect(second.output().split('\n').filter(line => line.startsWith(`stored ws/${workspaceId}/renders/${created.id}/`))).toHaveLength(3)
    expect(await scratch()).toEqual([])
    expect(await mediaToolsMentioning(dir)).toEqual([])
    await stopWorker(second)
  }, 360_000)

  it('media.analyse: a worker SIGKILLed mid-ffmpeg; the analysis runs again on a second worker, one set of pictures, no ffmpeg or scratch left', async () => {
    const queue = `test.media_analyse_${suffix}`
    const engine = await sender('analyse', queue)
    const first = mediaWorker('analyse', queue)
    await first.ready
    const videoId = await footage({ width: 1280, height: 720, fps: 30, shots: [4, 4, 4, 4, 4], audio: [{ tone: -20, seconds: 20 }] }, 'To analyse', 'uploaded')
    const jobId = randomUUID()
    const data = await createAnalysis(db, workspaceId, videoId, {}, jobId)
    await engine.send(queue, data, { id: jobId })
    await killMidEncode(first)
    expect(await scratch()).toEqual([expect.stringMatching(new RegExp(`^analysis-${data.analysisId}-`))])

    const second = mediaWorker('analyse', queue)
    await second.ready
    await waitUntil(() => jobEnded(engine, queue, jobId), 240_000, 'the analysis to finish on the second worker')
    const analysis = await db.videoAnalysis.findUniqueOrThrow({ where: { id: data.analysisId } })
    expect(analysis, analysis.error ?? '').toMatchObject({ status: 'succeeded', error: null })
    expect(await db.video.findUniqueOrThrow({ where: { id: videoId } })).toMatchObject({ status: 'ready', error: null })
    const [job] = await engine.boss.findJobs(queue, { id: jobId })
    expect(job).toMatchObject({ state: 'completed', retryCount: 1 })
    // One set of pictures: every stored file is one the row names, stored once.
    const artifacts = analysis.artifacts as { thumbnail: string | null, contactSheet: string | null, shotKeyframes: (string | null)[] }
    const named = [artifacts.thumbnail, artifacts.contactSheet, ...artifacts.shotKeyframes].filter(key => key !== null).map(key => key.split('/').pop()).sort()
    expect(named.length).toBeGreaterThan(2)
    expect(await storedUnder('videos', videoId, 'analysis', data.analysisId)).toEqual(named)
    const stores = [first, second].flatMap(worker => worker.output().split('\n')).filter(line => line.startsWith(`stored ws/${workspaceId}/videos/${videoId}/analysis/`))
    expect(stores).toHaveLength(named.length)
    expect(await scratch()).toEqual([])
    expect(await mediaToolsMentioning(dir)).toEqual([])
    await stopWorker(second)
  }, 360_000)

  it('a worker killed on the last attempt: the sweep settles the Render as failed, with a reason', async () => {
    const queue = `test.media_render_last_${suffix}`
    const rules = { retryLimit: 0 }
    const engine = await sender('render', queue, rules)
    const worker = mediaWorker('render', queue, { MEDIA_RETRY_LIMIT: '0' })
    await worker.ready
    const created = await render(longClipId, studioJobs(db, engine, workspaceId, queue))
    await killMidEncode(worker)
    // The heartbeat goes quiet; with no retry left, pg-boss gives the job up.
    await waitUntil(async () => (await engine.boss.findJobs(queue, { id: created.jobId! }))[0]?.state === 'failed', 60_000, 'pg-boss to give the job up')
    expect((await db.render.findUniqueOrThrow({ where: { id: created.id } })).status).toBe('running')

    await reconcileStuckRuns(db, 0, { [queue]: mediaTestQueue('render', queue, rules) })
    const row = await db.render.findUniqueOrThrow({ where: { id: created.id } })
    expect(row.status).toBe('failed')
    expect(row.error).toMatch(/worker stopped responding.*Render it again/)
    expect(row.finishedAt).not.toBeNull()
    expect(await db.jobRun.findUniqueOrThrow({ where: { id: created.jobId! } })).toMatchObject({ state: 'failed' })

    // Retry, as the render card offers it: the same row, queued under a new job.
    const retried = await retryRender({ db, store, jobs: studioJobs(db, engine, workspaceId, queue), workspaceQuotaBytes }, workspaceId, created.id)
    expect(retried).toMatchObject({ status: 'queued', error: null })
    expect(retried.jobId).not.toBe(created.jobId)
    expect((await engine.boss.findJobs(queue, { id: retried.jobId! }))[0]?.state).toBe('created')
    await engine.boss.cancel(queue, retried.jobId!)
  }, 240_000)

  it('one render delivered twice at overlapping times to two workers: one renders, the other waits and touches nothing', async () => {
    const queue = `test.media_render_twice_${suffix}`
    // Without the fairness rule, so both workers may take the same workspace's jobs at once.
    const engine = await sender('render', queue, { fair: false })
    const [one, two] = [mediaWorker('render', queue, { MEDIA_FAIR: '0' }), mediaWorker('render', queue, { MEDIA_FAIR: '0' })]
    await Promise.all([one.ready, two.ready])
    const created = await render(shortClipId, noJobs)
    const data = { workspaceId, renderId: created.id }
    const firstJob = (await engine.send(queue, data))!
    await waitUntil(async () => (await db.render.findUniqueOrThrow({ where: { id: created.id } })).status === 'running', 60_000, 'the first delivery to start')
    const secondJob = (await engine.send(queue, data))!
    await waitUntil(async () => (await Promise.all([firstJob, secondJob].map(async id => (await engine.boss.findJobs(queue, { id }))[0]?.state))).every(state => state === 'completed'), 240_000, 'both deliveries to end')

    const row = await db.render.findUniqueOrThrow({ where: { id: created.id } })
    expect(row, row.error ?? '').toMatchObject({ status: 'succeeded', error: null })
    expect(row.claim).toBe(`${firstJob}:0`)
    expect(await storedUnder('renders', created.id)).toEqual(['output.mp4', 'preview.mp4', 'thumbnail.jpg'])
    // Every store and removal of this render's files came from one worker: the other never touched them.
    const touches = (worker: Worker) => worker.output().split('\n').filter(line => line.includes(`ws/${workspaceId}/renders/${created.id}/`))
    const [winner, loser] = touches(one).length > 0 ? [one, two] : [two, one]
    expect(touches(loser)).toEqual([])
    expect(touches(winner).filter(line => line.startsWith('stored '))).toHaveLength(3)
    const [second] = await engine.boss.findJobs(queue, { id: secondJob })
    expect(second?.output).toMatchObject({ status: 'skipped' })
  }, 300_000)
})
