// Studio renders for real: ffmpeg, the local MediaStore and pg-boss, on small lavfi clips. A job renders a quick
// preview, then the output and its thumbnail, and checks the file against every platform; a cancel kills ffmpeg
// and leaves no files; a retried job starts over without leaving two of anything. Heavy (1080×1920 encodes), so
// it runs in one integration project only.
import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { Job } from 'pg-boss'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { startJobEngine, type JobContext, type JobEngine } from '../../server/services/jobs/engine'
import { prismaJobTracker } from '../../server/services/jobs/tracker'
import { locateMediaTools } from '../../server/services/media/ffmpeg'
import type { MediaTools } from '../../server/services/media/ffmpeg'
import { createLocalMediaStore } from '../../server/services/media/storage/local'
import { videoSourceKey } from '../../server/services/media/storage/keys'
import type { MediaStore } from '../../server/services/media/storage/types'
import { cancelRender, createRenders, getRender, runRender, studioJobs } from '../../server/services/studio/renders'
import type { RenderJobData, StudioJobs } from '../../server/services/studio/renders'
import { editRecipeSchema } from '#shared/recipe'
import type { EditRecipeInput } from '#shared/recipe'
import type { RenderStage } from '#shared/studio'
import { waitUntil } from '../support/job-workers'
import { generateClip } from '../support/media'
import { createPrisma } from '../support/scratch'

const run = promisify(execFile)
// A queue of this file's own, so the built apps other test files start never take its jobs.
const queue = 'test.studio_render'
// The default workspace quota: these workspaces stay far below it.
const workspaceQuotaBytes = 25 * 1024 ** 3

describe(`Studio renders on ${inject('databaseKind')}`, () => {
  let dir: string
  let db: PrismaClient
  let store: MediaStore
  let tools: MediaTools
  let engine: JobEngine
  let workspaceId: string
  let userId: string
  let shortClipId: string
  let longClipId: string
  const stored: string[] = []
  const progress = new Map<string, [RenderStage, number][]>()
  // Queues nothing: for the renders these tests run by calling runRender themselves.
  const noJobs: StudioJobs = { send: async () => null, cancel: async () => {} }

  const mediaRoot = () => join(dir, 'media')
  const scratchDir = () => join(dir, 'tmp')
  const deps = () => ({ db, store, tools, scratchDir: scratchDir() })
  const renderFiles = async (renderId: string) => (await readdir(join(mediaRoot(), 'ws', workspaceId, 'renders', renderId)).catch(() => [] as string[])).sort()

  async function footage(spec: Parameters<typeof generateClip>[1], title: string): Promise<string> {
    const clip = await generateClip(join(dir, `${randomUUID()}.mp4`), spec)
    const video = await db.video.create({ data: { workspaceId, kind: 'footage', status: 'ready', title, durationMs: Math.round(clip.durationSeconds * 1000), audioCodec: 'aac' } })
    const key = videoSourceKey(workspaceId, video.id, 'mp4')
    await store.putFile(key, clip.path)
    await db.video.update({ where: { id: video.id }, data: { storageKey: key } })
    return video.id
  }

  async function create(videoId: string, name: string, recipe: EditRecipeInput, jobs: StudioJobs = noJobs) {
    return createRenders({ db, store, jobs, workspaceQuotaBytes }, { workspaceId, userId, videoId, name, recipe: editRecipeSchema.parse(recipe) })
  }

  async function ffmpegChildren(): Promise<string[]> {
    const { stdout } = await run('ps', ['-o', 'comm=', '--ppid', String(process.pid)]).catch(() => ({ stdout: '' }))
    return stdout.split('\n').map(line => line.trim()).filter(name => name === 'ffmpeg')
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reelwise-studio-render-'))
    db = createPrisma(inject('databaseUrl'))
    tools = await locateMediaTools()
    const local = createLocalMediaStore({ root: join(dir, 'media'), appUrl: 'http://127.0.0.1:3000', signingKey: 'studio-render-test' })
    // Records the order files reach storage in: the preview must come before the output.
    store = { ...local, putFile: async (key, path, options) => {
      stored.push(key)
      return local.putFile(key, path, options)
    } }
    const user = await db.user.create({ data: { email: `studio-${randomUUID()}@render.test`, name: 'Studio' } })
    const workspace = await db.workspace.create({ data: { name: 'Studio renders', slug: `studio-${randomUUID()}` } })
    userId = user.id
    workspaceId = workspace.id
    shortClipId = await footage({ width: 640, height: 360, fps: 30, shots: [2, 2], audio: [{ tone: -20, seconds: 4 }] }, 'Short')
    longClipId = await footage({ width: 640, height: 360, fps: 30, shots: [5, 5, 5], audio: [{ tone: -20, seconds: 15 }] }, 'Long')
    engine = await startJobEngine({
      connectionString: inject('databaseUrl'),
      works: true,
      queues: [{ name: queue, retryLimit: 1, retryDelay: 0, retryBackoff: false, expireInSeconds: 10 * 60, heartbeatSeconds: 30, concurrency: 1 }],
      pollingIntervalSeconds: 0.5,
      tracker: prismaJobTracker(db),
      // What server/jobs/media.render.ts does, with this test's store and scratch folder.
      handlers: {
        [queue]: (async (job: Job<RenderJobData>, context: JobContext) => {
          const seen = progress.get(job.data.renderId) ?? []
          progress.set(job.data.renderId, seen)
          return runRender(deps(), job.data, {
            onProgress: (stage, fraction) => {
              seen.push([stage, fraction])
              void context.progress(stage, Math.round(fraction * 100))
            },
            signal: job.signal,
            final: job.retryCount >= 1,
          })
        }) as never,
      },
    })
  }, 120_000)

  afterAll(async () => {
    await engine?.stop(5000)
    await db?.$disconnect()
    await rm(dir, { recursive: true, force: true })
  })

  it('renders two variants in their jobs: a preview first, then the output, its thumbnail and the platform checks', async () => {
    const { renders } = await create(shortClipId, 'Launch teaser!', {
      reframe: { mode: 'crop', aspect: '9:16' },
      hook: { text: 'Stop scrolling', seconds: 1.5 },
      platform: 'instagram',
      // The main hook line is variant A; the other adds B.
      variations: { hookText: ['Watch this'] },
    }, studioJobs(db, engine, workspaceId, queue))
    expect(renders.map(render => [render.variantLabel, render.keys.hookText])).toEqual([['A', 'Stop scrolling'], ['B', 'Watch this']])
    await waitUntil(async () => (await db.render.count({ where: { id: { in: renders.map(render => render.id) }, status: { in: ['succeeded', 'failed'] } } })) === 2, 240_000, 'both variants to render')

    for (const created of renders) {
      const render = await getRender({ db, store }, workspaceId, created.id)
      expect(render, render.error ?? '').toMatchObject({ status: 'succeeded', progress: 1, width: 1080, height: 1920, platform: 'instagram', error: null })
      // Four seconds of footage, nothing cut: within a frame.
      expect(Math.abs(render.durationMs! - 4000)).toBeLessThanOrEqual(34)
      expect(render.checks).toHaveLength(4)
      expect(render.checks!.find(check => check.platform === 'instagram')).toEqual({ platform: 'instagram', ok: true, problems: [] })
      expect(render.downloadUrl).toContain(`download=Launch-teaser-${render.variantLabel}.mp4`)
      expect([render.previewUrl, render.outputUrl, render.thumbnailUrl].every(url => url?.startsWith('http://127.0.0.1:3000/media/ws/'))).toBe(true)

      const keys = stored.filter(key => key.includes(render.id)).map(key => key.split('/').pop())
      expect(keys).toEqual(['preview.mp4', 'output.mp4', 'thumbnail.jpg'])
      expect(await renderFiles(render.id)).toEqual(['output.mp4', 'preview.mp4', 'thumbnail.jpg'])
      // The preview is the quick low-resolution draft.
      const { stdout } = await run(tools.ffprobe, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', join(mediaRoot(), 'ws', workspaceId, 'renders', render.id, 'preview.mp4')])
      expect(Number(stdout.split(',')[0])).toBeLessThan(1080)

      // Progress rose through the stages, preview before the full render, and ended at 1.
      const seen = progress.get(render.id)!
      const stages = seen.map(([stage]) => stage).filter((stage, index, all) => stage !== all[index - 1])
      expect(stages).toEqual(['measuring', 'preview', 'rendering', 'storing'])
      const fractions = seen.map(([, fraction]) => fraction)
      expect([...fractions].sort((a, b) => a - b)).toEqual(fractions)
      expect(fractions.at(-1)).toBe(1)
      expect(await db.jobRun.findUniqueOrThrow({ where: { id: render.jobId! } })).toMatchObject({ queue, state: 'succeeded', percent: 100, workspaceId })
    }
  }, 300_000)

  it('says why a render does not fit a platform: 2 s long and 16:9', async () => {
    const { renders: [created] } = await create(shortClipId, 'Too short', { trim: { start: 0, end: 2 }, loudness: null })
    expect(await runRender(deps(), { workspaceId, renderId: created!.id })).toEqual({ status: 'succeeded' })
    const render = await getRender({ db, store }, workspaceId, created!.id)
    expect(render).toMatchObject({ status: 'succeeded', width: 640, height: 360, platform: null })
    const instagram = render.checks!.find(check => check.platform === 'instagram')!
    expect(instagram.ok).toBe(false)
    expect(instagram.problems.join('\n')).toMatch(/Instagram Reels needs at least 3 s; this render is 2 s\./)
    expect(instagram.problems.join('\n')).toMatch(/Instagram Reels wants 9:16; this render is 640×360\. Reframe it to 9:16\./)
  }, 120_000)

  it('cancels a running render: ffmpeg stops, and no file is left in storage or on disk', async () => {
    const { renders: [created] } = await create(longClipId, 'To cancel', { reframe: { mode: 'crop', aspect: '9:16' }, platform: 'instagram' }, studioJobs(db, engine, workspaceId, queue))
    // Well into the full render, after the preview was stored.
    await waitUntil(async () => {
      const row = await db.render.findUniqueOrThrow({ where: { id: created!.id } })
      return row.status === 'running' && row.previewKey !== null && row.progress > 0.3
    }, 180_000, 'the full render to be under way')
    expect(await renderFiles(created!.id)).toEqual(['preview.mp4'])
    expect(await ffmpegChildren()).not.toEqual([])

    const canceled = await cancelRender({ db, store, jobs: studioJobs(db, engine, workspaceId, queue) }, workspaceId, created!.id)
    expect(canceled).toMatchObject({ status: 'canceled', previewUrl: null, outputUrl: null })
    const [job] = await db.$queryRaw<{ state: string }[]>`SELECT state::text AS state FROM pgboss.job WHERE id = ${created!.jobId}::uuid`
    expect(job?.state).toBe('cancelled')
    // The worker notices within a second or so, kills ffmpeg and removes its temporary files.
    await waitUntil(async () => (await ffmpegChildren()).length === 0, 20_000, 'ffmpeg to stop')
    await waitUntil(async () => (await readdir(scratchDir()).catch(() => [])).length === 0, 20_000, 'the scratch folder to empty')
    expect(await renderFiles(created!.id)).toEqual([])
    expect(await db.render.findUniqueOrThrow({ where: { id: created!.id } })).toMatchObject({ status: 'canceled', previewKey: null, storageKey: null })
  }, 240_000)

  it('a render whose footage was deleted fails on its first attempt: no retry, the job and the Jobs page say failed', async () => {
    const { renders: [created] } = await create(shortClipId, 'Footage gone', { loudness: null })
    const gone = await footage({ width: 320, height: 180, fps: 30, shots: [1] }, 'Gone')
    await db.render.update({ where: { id: created!.id }, data: { sourceVideoId: gone } })
    await db.video.update({ where: { id: gone }, data: { deletedAt: new Date() } })
    const jobId = created!.jobId!
    await engine.send(queue, { workspaceId, renderId: created!.id }, { id: jobId })
    await waitUntil(async () => ['failed', 'completed'].includes((await db.$queryRaw<{ state: string }[]>`SELECT state::text AS state FROM pgboss.job WHERE id = ${jobId}::uuid`)[0]?.state ?? ''), 30_000, 'the job to end')
    const [job] = await db.$queryRaw<{ state: string, retry_count: number }[]>`SELECT state::text AS state, retry_count FROM pgboss.job WHERE id = ${jobId}::uuid`
    expect(job).toEqual({ state: 'failed', retry_count: 0 })
    expect(await db.jobRun.findUniqueOrThrow({ where: { id: jobId } })).toMatchObject({ state: 'failed', attempts: 1, error: expect.stringMatching(/^The footage of this render was deleted/) })
    expect(await db.render.findUniqueOrThrow({ where: { id: created!.id } })).toMatchObject({ status: 'failed', error: expect.stringMatching(/^The footage of this render was deleted/) })
  }, 60_000)

  it('a retried job starts over and leaves one of each file', async () => {
    const { renders: [created] } = await create(shortClipId, 'Retried', { loudness: null })
    const data = { workspaceId, renderId: created!.id }
    // The first attempt is cut off as the full render starts (the worker stopped, say), with a retry to come.
    const interrupt = new AbortController()
    const first = runRender(deps(), data, { signal: interrupt.signal, final: false, onProgress: stage => stage === 'rendering' && interrupt.abort() })
    await expect(first).rejects.toThrow(/interrupted/)
    expect(await db.render.findUniqueOrThrow({ where: { id: created!.id } })).toMatchObject({ status: 'queued', previewKey: null, error: expect.stringMatching(/interrupted.*Trying again shortly\./) })
    expect(await renderFiles(created!.id)).toEqual([])

    expect(await runRender(deps(), data, { final: true })).toEqual({ status: 'succeeded' })
    const files = await renderFiles(created!.id)
    expect(files).toEqual(['output.mp4', 'preview.mp4', 'thumbnail.jpg'])
    const folder = join(mediaRoot(), 'ws', workspaceId, 'renders', created!.id)
    const times = await Promise.all(files.map(async file => (await stat(join(folder, file))).mtimeMs))

    // Run again (a duplicate delivery): nothing to do, nothing rewritten.
    expect(await runRender(deps(), data, { final: true })).toEqual({ status: 'skipped' })
    expect(await renderFiles(created!.id)).toEqual(files)
    expect(await Promise.all(files.map(async file => (await stat(join(folder, file))).mtimeMs))).toEqual(times)
    expect(await db.render.findUniqueOrThrow({ where: { id: created!.id } })).toMatchObject({ status: 'succeeded', progress: 1, error: null })
  }, 120_000)
})
