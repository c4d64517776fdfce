// A full disk, for real: a small tmpfs is the media store, the scratch folder and the upload staging folder. A render, an analysis
// and an upload that run out of space fail with a message that says so and what to do, leave no partial files, and
// the worker and the web server keep going: once space is freed, the next render and the next upload succeed.
import { spawn } from 'node:child_process'
import { createHash, randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { mkdir, mkdtemp, readdir, readFile, rm, statfs, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { mediaAnalyseHandler } from '../../server/jobs/media.analyse'
import { mediaRenderHandler } from '../../server/jobs/media.render'
import { startJobEngine, type JobEngine } from '../../server/services/jobs/engine'
import { prismaJobTracker } from '../../server/services/jobs/tracker'
import { createAnalysis } from '../../server/services/library/analysis'
import { locateMediaTools } from '../../server/services/media/ffmpeg'
import { analysisPrefix, videoSourceKey } from '../../server/services/media/storage/keys'
import { createLocalMediaStore } from '../../server/services/media/storage/local'
import type { MediaStore } from '../../server/services/media/storage/types'
import { createRenders, studioJobs } from '../../server/services/studio/renders'
import { editRecipeSchema } from '#shared/recipe'
import { ApiClient } from '../support/api'
import { startBuiltApp, type RunningApp } from '../support/app-server'
import { waitUntil } from '../support/job-workers'
import { generateClip } from '../support/media'
import { queryRows } from '../support/postgres'
import { createPrisma } from '../support/scratch'
import { mediaTestQueue } from '../support/test-queues'
import { TusTestClient } from '../support/tus'

// A queue of this file's own, so the built apps other test files start never take its jobs.
const queue = 'test.disk_full_render'
// The default workspace quota: these workspaces stay far below it.
const workspaceQuotaBytes = 25 * 1024 ** 3

async function run(command: string, args: string[]): Promise<void> {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  let errors = ''
  child.stderr.on('data', (chunk: Buffer) => {
    errors += chunk.toString()
  })
  const [code] = await once(child, 'exit') as [number | null]
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}: ${errors}`)
}

/** Fills the file system of `dir` until only `leaveBytes` are free; returns the filler's path. */
async function fill(dir: string, leaveBytes: number): Promise<string> {
  const { bavail, bsize } = await statfs(dir)
  const path = join(dir, `filler-${randomUUID()}`)
  await writeFile(path, Buffer.alloc(Math.max(0, bavail * bsize - leaveBytes), 1))
  return path
}

/** Every file left under `dir`, filler aside. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])
  return entries.filter(entry => entry.isFile() && !entry.name.startsWith('filler-')).map(entry => join(entry.parentPath, entry.name).slice(dir.length + 1)).sort()
}

describe(`a full disk, on ${inject('databaseKind')}`, () => {
  let dir: string
  let mounted: string
  let db: PrismaClient
  let store: MediaStore
  let engine: JobEngine
  let analyseEngine: JobEngine | undefined
  let picturesEngine: JobEngine | undefined

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reelwise-disk-full-'))
    mounted = join(dir, 'small')
    await mkdir(mounted)
    await run('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mounted])
    db = createPrisma(inject('databaseUrl'))
  })
  afterAll(async () => {
    await engine?.stop(5000)
    await analyseEngine?.stop(5000)
    await picturesEngine?.stop(5000)
    await db?.$disconnect()
    if (mounted) await run('umount', [mounted]).catch(() => {})
    await rm(dir, { recursive: true, force: true })
  })

  it('a render that runs out of space fails with a clear message, leaves no files, and the worker renders the next one', async () => {
    const root = join(mounted, 'render')
    const scratchDir = join(root, 'tmp')
    store = createLocalMediaStore({ root: join(root, 'media'), appUrl: 'http://127.0.0.1:3000', signingKey: 'disk-full' })
    const tools = await locateMediaTools()
    const user = await db.user.create({ data: { email: `disk-${randomUUID()}@full.test`, name: 'Disk' } })
    const workspace = await db.workspace.create({ data: { name: 'Disk full', slug: `disk-${randomUUID()}` } })
    const clip = await generateClip(join(dir, 'clip.mp4'), { width: 640, height: 360, fps: 30, shots: [1, 1], audio: [{ tone: -20, seconds: 2 }] })
    const video = await db.video.create({ data: { workspaceId: workspace.id, kind: 'footage', status: 'ready', title: 'Clip', durationMs: 2000, audioCodec: 'aac' } })
    const key = videoSourceKey(workspace.id, video.id, 'mp4')
    await store.putFile(key, clip.path)
    await db.video.update({ where: { id: video.id }, data: { storageKey: key } })
    engine = await startJobEngine({
      connectionString: inject('databaseUrl'),
      works: true,
      // media.render's rules: two attempts.
      queues: [mediaTestQueue('render', queue)],
      pollingIntervalSeconds: 0.5,
      tracker: prismaJobTracker(db),
      // server/jobs/media.render.ts, with this test's store and scratch folder.
      handlers: { [queue]: mediaRenderHandler(async () => ({ db, store, tools, scratchDir })) as never },
    })
    const jobs = studioJobs(db, engine, workspace.id, queue)
    const recipe = editRecipeSchema.parse({ reframe: { mode: 'crop', aspect: '9:16' }, platform: 'tiktok' })
    const before = await filesUnder(root)

    let filler: string | undefined = await fill(mounted, 96 * 1024)
    // A failed check must not leave the disk full for the tests after this one.
    onTestFinished(async () => {
      if (filler) await rm(filler, { force: true })
    })
    const { renders: [failing] } = await createRenders({ db, store, jobs, workspaceQuotaBytes }, { workspaceId: workspace.id, userId: user.id, videoId: video.id, name: 'Full', recipe })
    // The first attempt's outcome: failed for good, or queued again with its error.
    await waitUntil(async () => (await db.render.findUniqueOrThrow({ where: { id: failing!.id } })).error !== null, 120_000, 'the render to fail')
    const failed = await db.render.findUniqueOrThrow({ where: { id: failing!.id } })
    expect(failed.status).toBe('failed')
    expect(failed.error).toMatch(/^The server's disk is full/)
    expect(failed.error).toMatch(/free|delete/i)
    // A full disk is not fixed by trying again half a minute later: the first attempt (of two) says failed, not "trying again".
    expect(failed.error).not.toMatch(/Trying again/)
    expect(await filesUnder(root)).toEqual(before)
    // Nor does the job try again: one attempt, and the Jobs page says failed, with the reason.
    await waitUntil(async () => (await queryRows(inject('databaseUrl'), `SELECT 1 FROM pgboss.job WHERE id = '${failed.jobId}' AND state IN ('failed', 'completed')`)).length > 0, 30_000, 'the job to end')
    const [job] = await queryRows<{ state: string, retry_count: number }>(inject('databaseUrl'), `SELECT state::text AS state, retry_count FROM pgboss.job WHERE id = '${failed.jobId}'`)
    expect(job).toEqual({ state: 'failed', retry_count: 0 })
    const run = await db.jobRun.findUniqueOrThrow({ where: { id: failed.jobId! } })
    expect(run).toMatchObject({ state: 'failed', attempts: 1 })
    expect(run.error).toMatch(/^The server's disk is full/)

    await rm(filler)
    filler = undefined
    const { renders: [next] } = await createRenders({ db, store, jobs, workspaceQuotaBytes }, { workspaceId: workspace.id, userId: user.id, videoId: video.id, name: 'Freed', recipe })
    await waitUntil(async () => ['succeeded', 'failed'].includes((await db.render.findUniqueOrThrow({ where: { id: next!.id } })).status), 180_000, 'the next render')
    const done = await db.render.findUniqueOrThrow({ where: { id: next!.id } })
    expect(done.status, done.error ?? '').toBe('succeeded')
    // The job removes its scratch folder just after it records the result.
    await waitUntil(async () => (await readdir(scratchDir)).length === 0, 10_000, 'the scratch folder to be emptied')
  }, 360_000)

  it('an analysis that runs out of space fails on its first attempt with a clear message, and leaves no files', async () => {
    const root = join(mounted, 'analyse')
    const scratchDir = join(root, 'tmp')
    const analyseStore = createLocalMediaStore({ root: join(root, 'media'), appUrl: 'http://127.0.0.1:3000', signingKey: 'disk-full' })
    const tools = await locateMediaTools()
    const workspace = await db.workspace.create({ data: { name: 'Disk full analysis', slug: `disk-analyse-${randomUUID()}` } })
    const clip = await generateClip(join(dir, 'analyse.mp4'), { width: 640, height: 360, fps: 30, shots: [1, 1, 1], audio: [{ tone: -20, seconds: 3 }] })
    const video = await db.video.create({ data: { workspaceId: workspace.id, kind: 'footage', status: 'uploaded', title: 'Clip' } })
    const key = videoSourceKey(workspace.id, video.id, 'mp4')
    await analyseStore.putFile(key, clip.path)
    await db.video.update({ where: { id: video.id }, data: { storageKey: key } })
    const analyseQueue = 'test.disk_full_analyse'
    analyseEngine = await startJobEngine({
      connectionString: inject('databaseUrl'),
      works: true,
      // media.analyse's rules: more than one attempt.
      queues: [mediaTestQueue('analyse', analyseQueue)],
      pollingIntervalSeconds: 0.5,
      tracker: prismaJobTracker(db),
      handlers: { [analyseQueue]: mediaAnalyseHandler(async () => ({ db, store: analyseStore, tools, scratchDir })) as never },
    })
    const before = await filesUnder(root)

    const filler = await fill(mounted, 32 * 1024)
    try {
      const jobId = randomUUID()
      const data = await createAnalysis(db, workspace.id, video.id, {}, jobId)
      await analyseEngine.send(analyseQueue, data, { id: jobId })
      await waitUntil(async () => (await queryRows(inject('databaseUrl'), `SELECT 1 FROM pgboss.job WHERE id = '${jobId}' AND state IN ('failed', 'completed')`)).length > 0, 120_000, 'the analysis job to end')
      const [job] = await queryRows<{ state: string, retry_count: number }>(inject('databaseUrl'), `SELECT state::text AS state, retry_count FROM pgboss.job WHERE id = '${jobId}'`)
      expect(job).toEqual({ state: 'failed', retry_count: 0 })
      const run = await db.jobRun.findUniqueOrThrow({ where: { id: jobId } })
      expect(run).toMatchObject({ state: 'failed', attempts: 1 })
      expect(run.error).toMatch(/^The server's disk is full/)
      const analysis = await db.videoAnalysis.findUniqueOrThrow({ where: { id: data.analysisId } })
      expect(analysis.status).toBe('failed')
      expect(analysis.error).toMatch(/^The server's disk is full.*(free|delete)/i)
      expect((await db.video.findUniqueOrThrow({ where: { id: video.id } })).error).toMatch(/^Analysis failed: The server's disk is full/)
      expect(await filesUnder(root)).toEqual(before)
    }
    finally {
      await rm(filler)
    }
  }, 180_000)

  it('an analysis whose pictures run out of space part-way leaves none of them in storage', async () => {
    // ffmpeg's scratch folder is on the roomy disk; only the store is small, so the failure comes while storing pictures.
    const root = join(mounted, 'pictures')
    const picturesStore = createLocalMediaStore({ root, appUrl: 'http://127.0.0.1:3000', signingKey: 'disk-full' })
    const tools = await locateMediaTools()
    const workspace = await db.workspace.create({ data: { name: 'Disk full pictures', slug: `disk-pictures-${randomUUID()}` } })
    const clip = await generateClip(join(dir, 'pictures.mp4'), { width: 640, height: 360, fps: 30, shots: [1, 1, 1], audio: [{ tone: -20, seconds: 3 }], grain: 10 })
    const video = await db.video.create({ data: { workspaceId: workspace.id, kind: 'footage', status: 'uploaded', title: 'Clip' } })
    const key = videoSourceKey(workspace.id, video.id, 'mp4')
    await picturesStore.putFile(key, clip.path)
    await db.video.update({ where: { id: video.id }, data: { storageKey: key } })
    const queue = 'test.disk_full_pictures'
    picturesEngine = await startJobEngine({
      connectionString: inject('databaseUrl'),
      works: true,
      queues: [mediaTestQueue('analyse', queue)],
      pollingIntervalSeconds: 0.5,
      tracker: prismaJobTracker(db),
      handlers: { [queue]: mediaAnalyseHandler(async () => ({ db, store: picturesStore, tools, scratchDir: join(dir, 'pictures-tmp') })) as never },
    })
    const analyse = async () => {
      const jobId = randomUUID()
      const data = await createAnalysis(db, workspace.id, video.id, {}, jobId)
      await picturesEngine!.send(queue, data, { id: jobId })
      await waitUntil(async () => (await queryRows(inject('databaseUrl'), `SELECT 1 FROM pgboss.job WHERE id = '${jobId}' AND state IN ('failed', 'completed')`)).length > 0, 120_000, 'the analysis job to end')
      return db.videoAnalysis.findUniqueOrThrow({ where: { id: data.analysisId } })
    }

    // With room, to learn how big its pictures are: the thumbnail is stored first, then the larger contact sheet.
    const roomy = await analyse()
    expect(roomy.status, roomy.error ?? '').toBe('succeeded')
    const sizes = new Map<string, number>()
    for await (const object of picturesStore.list(analysisPrefix(workspace.id, video.id, roomy.id))) sizes.set(object.key.split('/').pop()!, object.sizeBytes)
    const thumbnail = sizes.get('thumbnail.jpg')!
    expect(sizes.get('contact-sheet.jpg')).toBeGreaterThan(thumbnail + 48 * 1024)
    const before = await filesUnder(root)

    // Room for the thumbnail, not for the contact sheet after it.
    const filler = await fill(mounted, thumbnail + 24 * 1024)
    try {
      const failed = await analyse()
      expect(failed.status).toBe('failed')
      expect(failed.error).toMatch(/^The server's disk is full/)
      expect(await filesUnder(root)).toEqual(before)
    }
    finally {
      await rm(filler)
    }
  }, 240_000)

  describe('uploads, through the built app', () => {
    let app: RunningApp

    beforeAll(async () => {
      const dataDir = join(mounted, 'app')
      await mkdir(dataDir)
      app = await startBuiltApp({ DATA_DIR: dataDir, DATABASE_URL: inject('databaseUrl'), APP_ROLE: 'web' })
    }, 120_000)
    afterAll(async () => {
      await app?.stop()
    })

    it('an upload that runs out of space is refused with a clear message, its bytes and reservation go, and the next one lands', async () => {
      const dataDir = join(mounted, 'app')
      const api = new ApiClient(app.url)
      expect((await api.signUp({ name: 'Full', email: `full-${randomUUID()}@disk.test` })).status).toBe(201)
      const workspaceId = (await api.session()).workspaces[0]!.id
      const tus = new TusTestClient(api, workspaceId)
      const clip = await generateClip(join(dir, 'upload.mp4'), { width: 640, height: 360, fps: 30, shots: [2, 2], audio: [{ tone: -20, seconds: 4 }], grain: 10 })
      const bytes = await readFile(clip.path)
      expect(bytes.length).toBeGreaterThan(256 * 1024)
      const before = (await filesUnder(dataDir)).filter(path => !path.startsWith('tmp/'))

      // Staging fills up part-way through the PATCH.
      let filler = await fill(mounted, 128 * 1024)
      // The server answers 507 while the body is still coming; a loaded machine's client may still be writing the rest
      // and see the connection close (EPIPE) instead of reading the answer. What is left behind is checked either way.
      const refused = await tus.upload(clip.path, bytes.length, { filename: 'full.mp4' }).catch((error: Error) => error)
      if (refused instanceof Error) {
        expect(String((refused.cause as { code?: string } | undefined)?.code ?? refused.cause)).toMatch(/EPIPE|ECONNRESET/)
      }
      else {
        expect(refused.status).toBe(507)
        expect(refused.body).toMatch(/^The server's disk is full/)
      }
      expect((await filesUnder(dataDir)).filter(path => !path.startsWith('tmp/'))).toEqual(before)
      expect((await api.get(`/api/workspaces/${workspaceId}/videos`)).body.videos).toEqual([])
      await rm(filler)

      // Staging holds the file, but there is no room left to store it.
      filler = await fill(mounted, bytes.length + 64 * 1024)
      const unstored = await tus.upload(clip.path, bytes.length, { filename: 'full.mp4' })
      expect(unstored.status).toBe(507)
      expect(unstored.body).toMatch(/^The server's disk is full/)
      expect((await filesUnder(dataDir)).filter(path => !path.startsWith('tmp/'))).toEqual(before)
      expect((await api.get(`/api/workspaces/${workspaceId}/videos`)).body.videos).toEqual([])
      await rm(filler)

      const landed = await tus.upload(clip.path, bytes.length, { filename: 'freed.mp4' })
      expect(landed.status, landed.body).toBe(204)
      const video = (await api.get(`/api/workspaces/${workspaceId}/videos/${landed.headers.get('reelwise-video-id')}`)).body
      expect(video.sha256).toBe(createHash('sha256').update(bytes).digest('hex'))
    }, 120_000)

    it('an upload refused at creation for want of space gives its reservation back at once', async () => {
      const api = new ApiClient(app.url)
      expect((await api.signUp({ name: 'Create', email: `create-${randomUUID()}@disk.test` })).status).toBe(201)
      const workspaceId = (await api.session()).workspaces[0]!.id
      const tus = new TusTestClient(api, workspaceId)
      const usage = async () => {
        const { usedBytes, videos } = (await api.get(`/api/workspaces/${workspaceId}/videos`)).body
        return { usedBytes, videos }
      }
      const before = await usage()
      const staged = (await filesUnder(join(mounted, 'app'))).filter(path => !path.startsWith('tmp/'))

      // Not a byte left: the POST cannot even write the upload's info file.
      const filler = await fill(mounted, 0)
      try {
        const refused = await tus.create(5 * 1024 * 1024, { filename: 'nospace.mp4' })
        expect(refused.status, refused.body).toBe(507)
        expect(refused.body).toMatch(/^The server's disk is full/)
        // Not at the daily sweep: the quota is free again as soon as the refusal arrives.
        expect(await usage()).toEqual(before)
        // Nor is the empty file tus made before its info file failed left behind.
        expect((await filesUnder(join(mounted, 'app'))).filter(path => !path.startsWith('tmp/'))).toEqual(staged)
      }
      finally {
        await rm(filler)
      }
    }, 60_000)
  })
})
