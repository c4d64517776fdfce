// No orphaned bytes, on both storage drivers: deleting a video takes its renders' files and analysis pictures with it,
// and the daily sweep removes what has no row (after a grace period, so in-flight work is never hit), settles rows
// whose bytes were stored but never recorded, queues analyses that were never queued, and reports the bytes reclaimed.
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { recordJobResult, summariseJobs } from '../../server/services/jobs/tracker'
import { createAnalysis } from '../../server/services/library/analysis'
import { workspaceUsedBytes } from '../../server/services/library/usage'
import { deleteVideo } from '../../server/services/library/videos'
import { sweepMediaRoot, sweepWorkspace } from '../../server/services/maintenance/storage-sweep'
import { locateMediaTools } from '../../server/services/media/ffmpeg'
import { analysisArtifactKey, renderFileKey, studioAssetKey, videoSourceKey } from '../../server/services/media/storage/keys'
import { createLocalMediaStore } from '../../server/services/media/storage/local'
import { createS3MediaStore } from '../../server/services/media/storage/s3'
import type { MediaStore } from '../../server/services/media/storage/types'
import { startFakeS3, type FakeS3 } from '../support/fake-s3'
import { generateClip } from '../support/media'
import { createPrisma } from '../support/scratch'

const HOUR = 60 * 60 * 1000
const credentials = { accessKeyId: 'AKIAREELWISESWEEP001', secretAccessKey: randomBytes(30).toString('base64') }

describe.each(['local', 's3'] as const)(`no orphaned bytes on %s storage, on ${inject('databaseKind')}`, (driver) => {
  let db: PrismaClient
  let dir: string
  let fake: FakeS3 | undefined
  let store: MediaStore
  let userId: string

  beforeAll(async () => {
    db = createPrisma(inject('databaseUrl'))
    dir = await mkdtemp(join(tmpdir(), 'reelwise-storage-sweep-'))
    if (driver === 's3') {
      // Three keys a page, so every listing below needs continuation tokens.
      fake = await startFakeS3({ ...credentials, bucket: 'sweep', maxKeysPerPage: 3 })
      store = createS3MediaStore({ bucket: 'sweep', region: 'eu-west-1', endpoint: fake.endpoint, forcePathStyle: true, ...credentials })
    }
    else {
      store = createLocalMediaStore({ root: join(dir, 'media'), appUrl: 'http://127.0.0.1', signingKey: 'sweep' })
    }
    userId = (await db.user.create({ data: { email: `sweep-${randomUUID()}@example.test`, name: 'Sweep' } })).id
  })
  afterAll(async () => {
    await db.$disconnect()
    await fake?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  async function newWorkspace(): Promise<string> {
    return (await db.workspace.create({ data: { name: 'Sweep', slug: `sweep-${randomUUID()}` } })).id
  }

  async function put(key: string, size = 1000): Promise<number> {
    await store.put(key, Readable.from([randomBytes(size)]))
    return size
  }

  async function keysUnder(prefix: string): Promise<string[]> {
    const keys: string[] = []
    for await (const object of store.list(prefix)) keys.push(object.key)
    return keys.sort()
  }

  async function newVideo(workspaceId: string, data: Record<string, unknown> = {}) {
    return db.video.create({ data: { workspaceId, uploadedById: userId, kind: 'footage', status: 'ready', title: 'Clip', sizeBytes: 1000n, ...data } })
  }

  it('lists every object under a prefix, page after page, with its size and time', async () => {
    const workspaceId = await newWorkspace()
    const keys = Array.from({ length: 7 }, (_, index) => renderFileKey(workspaceId, randomUUID(), `file-${index}.mp4`))
    for (const [index, key] of keys.entries()) await put(key, 100 + index)
    const listed = []
    for await (const object of store.list(`ws/${workspaceId}/`)) listed.push(object)
    expect(listed.map(object => object.key).sort()).toEqual([...keys].sort())
    expect(listed.map(object => object.sizeBytes).sort()).toEqual(keys.map((_, index) => 100 + index))
    for (const object of listed) expect(Math.abs(object.lastModified.getTime() - Date.now())).toBeLessThan(60_000)
    expect(await keysUnder('ws/')).toEqual(expect.arrayContaining(keys))
    if (fake) expect(fake.requests.filter(request => request.operation === 'ListObjectsV2').length).toBeGreaterThanOrEqual(3)
    await expect(store.list('ws/../../etc/')[Symbol.asyncIterator]().next()).rejects.toThrow(/unsafe/)
  })

  it('deleting a video removes its renders\' files and its analysis pictures', async () => {
    const workspaceId = await newWorkspace()
    const video = await newVideo(workspaceId, { storageKey: null })
    const sourceKey = videoSourceKey(workspaceId, video.id, 'mp4')
    await put(sourceKey)
    await db.video.update({ where: { id: video.id }, data: { storageKey: sourceKey } })
    const analysis = await db.videoAnalysis.create({ data: { workspaceId, videoId: video.id, status: 'succeeded' } })
    const picture = analysisArtifactKey(workspaceId, video.id, analysis.id, 'thumbnail.jpg')
    await put(picture)
    await db.videoAnalysis.update({ where: { id: analysis.id }, data: { artifacts: { thumbnail: picture, contactSheet: null, shotKeyframes: [] } } })
    const render = await db.render.create({ data: { workspaceId, sourceVideoId: video.id, status: 'succeeded' } })
    const renderKeys = ['output.mp4', 'preview.mp4', 'thumbnail.jpg'].map(name => renderFileKey(workspaceId, render.id, name))
    for (const key of renderKeys) await put(key)
    await db.render.update({ where: { id: render.id }, data: { storageKey: renderKeys[0], previewKey: renderKeys[1], thumbnailKey: renderKeys[2] } })

    const { removedObjects } = await deleteVideo(db, store, workspaceId, video.id)
    expect(await keysUnder(`ws/${workspaceId}/`)).toEqual([])
    expect(removedObjects).toBe(5)
    expect(await db.render.count({ where: { id: render.id } })).toBe(0)
  })

  it('the sweep removes objects with no row after the grace period, keeps the rest, and reports the bytes', async () => {
    const workspaceId = await newWorkspace()
    // Recorded: a video, its analysis picture, a finished render, a Studio asset.
    const video = await newVideo(workspaceId)
    const sourceKey = videoSourceKey(workspaceId, video.id, 'mp4')
    await put(sourceKey)
    await db.video.update({ where: { id: video.id }, data: { storageKey: sourceKey } })
    const analysis = await db.videoAnalysis.create({ data: { workspaceId, videoId: video.id, status: 'succeeded' } })
    const picture = analysisArtifactKey(workspaceId, video.id, analysis.id, 'contact-sheet.jpg')
    await put(picture)
    await db.videoAnalysis.update({ where: { id: analysis.id }, data: { artifacts: { thumbnail: null, contactSheet: picture, shotKeyframes: [] } } })
    const finished = await db.render.create({ data: { workspaceId, sourceVideoId: video.id, status: 'succeeded' } })
    const output = renderFileKey(workspaceId, finished.id, 'output.mp4')
    await put(output)
    await db.render.update({ where: { id: finished.id }, data: { storageKey: output } })
    const asset = await db.studioAsset.create({ data: { workspaceId, kind: 'logo', name: 'Logo', storageKey: 'pending', mimeType: 'image/png', sizeBytes: 10n } })
    const assetKey = studioAssetKey(workspaceId, asset.id, 'png')
    await put(assetKey)
    await db.studioAsset.update({ where: { id: asset.id }, data: { storageKey: assetKey } })
    // In flight: a render whose job is running writes its preview; it has no key on its row yet.
    const runningJob = await db.jobRun.create({ data: { id: randomUUID(), workspaceId, queue: 'media.render', state: 'running' } })
    const running = await db.render.create({ data: { workspaceId, sourceVideoId: video.id, status: 'running', jobId: runningJob.id } })
    const runningPreview = renderFileKey(workspaceId, running.id, 'preview.mp4')
    await put(runningPreview)

    // Orphans: no row names them.
    const orphans: Record<string, number> = {
      [renderFileKey(workspaceId, randomUUID(), 'output.mp4')]: 3000,
      [videoSourceKey(workspaceId, randomUUID(), 'mov')]: 4000,
      [analysisArtifactKey(workspaceId, video.id, randomUUID(), 'thumbnail.jpg')]: 500,
      [studioAssetKey(workspaceId, randomUUID(), 'mp3')]: 700,
      // What a crash in the middle of a write leaves.
      [`${videoSourceKey(workspaceId, video.id, 'mp4')}.part-${randomUUID()}`]: 300,
    }
    for (const [key, size] of Object.entries(orphans)) await put(key, size)
    const deps = { db, store, tools: locateMediaTools, scratchDir: join(dir, 'scratch'), queueAnalysis: async () => {} }
    const everything = await keysUnder(`ws/${workspaceId}/`)

    // Within the grace period nothing goes: an upload or a render may be writing it right now.
    const early = await sweepWorkspace(deps, workspaceId)
    expect(early.removedObjects).toBe(0)
    expect(await keysUnder(`ws/${workspaceId}/`)).toEqual(everything)

    const report = await sweepWorkspace(deps, workspaceId, { now: new Date(Date.now() + 25 * HOUR) })
    expect(await keysUnder(`ws/${workspaceId}/`)).toEqual([sourceKey, picture, output, assetKey, runningPreview].sort())
    expect(report.removedObjects).toBe(Object.keys(orphans).length)
    expect(report.reclaimedBytes).toBe(Object.values(orphans).reduce((sum, size) => sum + size, 0))
    expect(report.summary).toMatch(/^Reclaimed 8\.3 KB \(5 file/)

    // A second run finds nothing.
    expect((await sweepWorkspace(deps, workspaceId, { now: new Date(Date.now() + 25 * HOUR) })).removedObjects).toBe(0)

    // The report lands on the workspace's Jobs page.
    const sweepJob = await db.jobRun.create({ data: { id: randomUUID(), workspaceId, queue: 'storage.sweep', state: 'running' } })
    await recordJobResult(db, sweepJob.id, report)
    const jobs = await summariseJobs(db, workspaceId)
    expect(jobs.recent.find(run => run.id === sweepJob.id)?.result).toMatchObject({ reclaimedBytes: report.reclaimedBytes, summary: report.summary })
  }, 60_000)

  it('the media root sweep removes what deleted workspaces left and names the workspaces to sweep', async () => {
    const kept = await newWorkspace()
    const keptKey = renderFileKey(kept, randomUUID(), 'output.mp4')
    await put(keptKey)
    const gone = randomUUID()
    const goneKeys = [renderFileKey(gone, randomUUID(), 'output.mp4'), videoSourceKey(gone, randomUUID(), 'mp4')]
    for (const key of goneKeys) await put(key, 2000)

    expect((await sweepMediaRoot({ db, store })).removedObjects).toBe(0)
    const report = await sweepMediaRoot({ db, store }, { now: new Date(Date.now() + 25 * HOUR) })
    expect(await keysUnder(`ws/${gone}/`)).toEqual([])
    expect(await keysUnder(`ws/${kept}/`)).toEqual([keptKey])
    expect(report.reclaimedBytes).toBeGreaterThanOrEqual(4000)
    expect(report.workspaceIds).toContain(kept)
    expect(report.workspaceIds).not.toContain(gone)
  })

  it('records the sizes of files stored before sizes were counted, so the quota sees them, once', async () => {
    const workspaceId = await newWorkspace()
    const deps = { db, store, tools: locateMediaTools, scratchDir: join(dir, 'scratch'), queueAnalysis: async () => {} }
    // A video whose size was recorded, and its analysis from before analyses counted their pictures (storedBytes 0).
    const video = await newVideo(workspaceId)
    const sourceKey = videoSourceKey(workspaceId, video.id, 'mp4')
    await put(sourceKey, 1000)
    await db.video.update({ where: { id: video.id }, data: { storageKey: sourceKey } })
    const analysis = await db.videoAnalysis.create({ data: { workspaceId, videoId: video.id, status: 'succeeded' } })
    const [thumbnail, contactSheet, keyframe] = ['thumbnail.jpg', 'contact-sheet.jpg', 'shot-1.jpg'].map(name => analysisArtifactKey(workspaceId, video.id, analysis.id, name)) as [string, string, string]
    await put(thumbnail, 400)
    await put(contactSheet, 300)
    await put(keyframe, 200)
    await db.videoAnalysis.update({ where: { id: analysis.id }, data: { artifacts: { thumbnail, contactSheet, shotKeyframes: [keyframe, null] } } })
    // A render from before renders counted their files.
    const render = await db.render.create({ data: { workspaceId, sourceVideoId: video.id, status: 'succeeded' } })
    const [output, preview, picture] = ['output.mp4', 'preview.mp4', 'thumbnail.jpg'].map(name => renderFileKey(workspaceId, render.id, name)) as [string, string, string]
    await put(output, 3000)
    await put(preview, 1000)
    await put(picture, 100)
    await db.render.update({ where: { id: render.id }, data: { storageKey: output, previewKey: preview, thumbnailKey: picture } })
    // A failed render stored nothing: 0 is its true size.
    const failed = await db.render.create({ data: { workspaceId, sourceVideoId: video.id, status: 'failed' } })
    // A running render's preview is counted by the render itself when it ends.
    const running = await db.render.create({ data: { workspaceId, sourceVideoId: video.id, status: 'running' } })
    const runningPreview = renderFileKey(workspaceId, running.id, 'preview.mp4')
    await put(runningPreview, 700)
    await db.render.update({ where: { id: running.id }, data: { previewKey: runningPreview } })
    // A video stored with no size on its row.
    const unsized = await newVideo(workspaceId, { sizeBytes: null })
    const unsizedKey = videoSourceKey(workspaceId, unsized.id, 'mov')
    await put(unsizedKey, 1500)
    await db.video.update({ where: { id: unsized.id }, data: { storageKey: unsizedKey } })
    // Only the first source's 1000 bytes count; the rest is invisible to the quota.
    expect(await workspaceUsedBytes(db, workspaceId)).toBe(1000)

    const report = await sweepWorkspace(deps, workspaceId)
    expect(report.sizesRecorded).toBe(3)
    expect(report.summary).toMatch(/recorded the size of 3 /)
    expect(await workspaceUsedBytes(db, workspaceId)).toBe(1000 + 900 + 4100 + 1500)
    expect((await db.videoAnalysis.findUniqueOrThrow({ where: { id: analysis.id } })).storedBytes).toBe(900n)
    expect((await db.render.findUniqueOrThrow({ where: { id: render.id } })).storedBytes).toBe(4100n)
    expect((await db.render.findUniqueOrThrow({ where: { id: failed.id } })).storedBytes).toBe(0n)
    expect((await db.render.findUniqueOrThrow({ where: { id: running.id } })).storedBytes).toBe(0n)
    expect((await db.video.findUniqueOrThrow({ where: { id: unsized.id } })).sizeBytes).toBe(1500n)

    // Nothing to record twice.
    expect((await sweepWorkspace(deps, workspaceId)).sizesRecorded).toBe(0)
  })

  it('queues analyses never queued, settles renders whose job ended, and recovers a stored upload never recorded', async () => {
    const workspaceId = await newWorkspace()
    const queued: string[] = []
    const deps = {
      db, store, tools: locateMediaTools, scratchDir: join(dir, 'scratch'),
      // The real row, as the app's queueVideoAnalysis makes it; the job itself is not the point here.
      queueAnalysis: async (video: { workspaceId: string, videoId: string }) => {
        await createAnalysis(db, video.workspaceId, video.videoId, {}, randomUUID())
        queued.push(video.videoId)
      },
    }
    // The sweep runs two hours from now, so the bytes stored below are past the hour rows get to settle.
    const later = new Date(Date.now() + 2 * HOUR)
    const twoHoursAgo = new Date(Date.now() - 2 * HOUR)
    // Stored and marked uploaded, but the analysis was never queued (the queue was down when the upload finished).
    const stuck = await newVideo(workspaceId, { status: 'uploaded', updatedAt: twoHoursAgo })
    const stuckKey = videoSourceKey(workspaceId, stuck.id, 'mp4')
    await put(stuckKey)
    await db.video.update({ where: { id: stuck.id }, data: { storageKey: stuckKey, updatedAt: twoHoursAgo } })
    // Uploaded a minute before the sweep: its analysis may be on its way.
    const fresh = await newVideo(workspaceId, { status: 'uploaded', storageKey: videoSourceKey(workspaceId, randomUUID(), 'mp4'), updatedAt: new Date(later.getTime() - 60_000) })

    // A render row still running, though its job failed an hour and a half ago; its preview was stored.
    const deadJob = await db.jobRun.create({ data: { id: randomUUID(), workspaceId, queue: 'media.render', state: 'failed', finishedAt: new Date(Date.now() - 1.5 * HOUR) } })
    const orphanedRender = await db.render.create({ data: { workspaceId, sourceVideoId: stuck.id, status: 'running', jobId: deadJob.id } })
    await put(renderFileKey(workspaceId, orphanedRender.id, 'preview.mp4'))
    await db.render.update({ where: { id: orphanedRender.id }, data: { previewKey: renderFileKey(workspaceId, orphanedRender.id, 'preview.mp4') } })

    // The upload's bytes reached storage, and the process died before the row said so.
    const clip = await generateClip(join(dir, `lost-${driver}.mp4`), { width: 320, height: 240, fps: 25, shots: [1], audio: [{ tone: -20, seconds: 1 }] })
    const lost = await newVideo(workspaceId, { status: 'uploading', uploadId: randomUUID(), sizeBytes: 5000n, updatedAt: twoHoursAgo, createdAt: twoHoursAgo })
    const lostKey = videoSourceKey(workspaceId, lost.id, 'mp4')
    await store.putFile(lostKey, clip.path)
    await db.video.update({ where: { id: lost.id }, data: { updatedAt: twoHoursAgo } })

    const report = await sweepWorkspace(deps, workspaceId, { now: later })
    expect(report.analysesQueued).toBe(2)
    expect(queued.sort()).toEqual([stuck.id, lost.id].sort())
    expect(queued).not.toContain(fresh.id)

    const settled = await db.render.findUniqueOrThrow({ where: { id: orphanedRender.id } })
    expect(settled.status).toBe('failed')
    expect(settled.error).toMatch(/Render it again/)
    expect(settled.previewKey).toBeNull()
    expect(await keysUnder(`ws/${workspaceId}/renders/`)).toEqual([])
    expect(report.rendersSettled).toBe(1)

    const recovered = await db.video.findUniqueOrThrow({ where: { id: lost.id } })
    expect(recovered).toMatchObject({ status: 'uploaded', storageKey: lostKey, uploadId: null, width: 320, height: 240, mimeType: 'video/mp4' })
    expect(recovered.sha256).toBe(createHash('sha256').update(await readFile(clip.path)).digest('hex'))
    expect(Number(recovered.sizeBytes)).toBe((await readFile(clip.path)).length)
    expect(report.uploadsRecovered).toBe(1)

    // Nothing to do twice.
    const again = await sweepWorkspace(deps, workspaceId, { now: later })
    expect([again.analysesQueued, again.rendersSettled, again.uploadsRecovered]).toEqual([0, 0, 0])
  }, 60_000)
})
