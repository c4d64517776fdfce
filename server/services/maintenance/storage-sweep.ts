// The daily storage sweep: no byte outlives its row, and no stored byte goes unrecorded.
// - The media root pass lists `ws/` and removes what deleted workspaces left; it names the workspaces to sweep.
// - A workspace pass settles rows whose bytes were stored but never recorded (an upload whose row still says
//   `uploading`, a render still `running` after its job ended), queues analyses that were never queued, records the
//   sizes of files stored before rows counted them (the quota reads the rows), and removes objects no row names.
// Objects are removed only after a grace period (by their mtime or LastModified), so an upload, analysis or render
// writing right now, before its row names the key, is never hit.
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { PrismaClient } from '../../generated/prisma/client'
import { formatBytes } from '#shared/library'
import type { MediaTools } from '../media/ffmpeg'
import { NotAVideoError, probeVideo } from '../media/probe'
import { contentTypeOf } from '../media/storage/local'
import { analysisPrefix, MEDIA_ROOT_PREFIX, renderPrefix, videoPrefix, workspacePrefix } from '../media/storage/keys'
import type { MediaStore } from '../media/storage/types'

const HOUR_MS = 60 * 60 * 1000
/** How old an object with no row must be before it is removed: longer than any upload, analysis or render runs. */
export const ORPHAN_GRACE_MS = 24 * HOUR_MS
/** How long a row may look unfinished after its work stopped before the sweep settles it. */
export const SETTLE_AFTER_MS = HOUR_MS

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const sourceFile = /\/source\.[a-z0-9]{1,8}$/

export interface StorageSweepDependencies {
  db: PrismaClient
  store: MediaStore
  tools: () => Promise<MediaTools>
  /** Where a stored upload is downloaded to be probed again (S3). */
  scratchDir: string
  /** Queues the analysis of a stored video (media.analyse), as the upload's finish step does. */
  queueAnalysis: (video: { workspaceId: string, videoId: string }) => Promise<void>
}

export interface SweepOptions {
  now?: Date
  graceMs?: number
  settleAfterMs?: number
}

export interface MediaRootSweepReport {
  /** Workspaces that have objects in storage: each gets a workspace pass of its own. */
  workspaceIds: string[]
  removedObjects: number
  reclaimedBytes: number
  summary: string
}

export interface WorkspaceSweepReport {
  removedObjects: number
  reclaimedBytes: number
  analysesQueued: number
  rendersSettled: number
  uploadsRecovered: number
  /** Rows stored before sizes were recorded (storedBytes 0, or a video with no size) whose size was read from the store. */
  sizesRecorded: number
  /** What the Jobs page shows. */
  summary: string
}

function workspaceOf(key: string): string | undefined {
  const id = key.split('/')[1]
  return id && uuid.test(id) ? id : undefined
}

/** Lists `ws/` and removes the objects of workspaces that no longer exist. */
export async function sweepMediaRoot(deps: Pick<StorageSweepDependencies, 'db' | 'store'>, options: SweepOptions = {}): Promise<MediaRootSweepReport> {
  const { cutoff } = windows(options)
  const exists = new Map<string, boolean>()
  let removedObjects = 0
  let reclaimedBytes = 0
  for await (const object of deps.store.list(MEDIA_ROOT_PREFIX)) {
    const workspaceId = workspaceOf(object.key)
    // Not a key this app makes: leave it to a person.
    if (!workspaceId) continue
    if (!exists.has(workspaceId)) exists.set(workspaceId, await deps.db.workspace.count({ where: { id: workspaceId } }) > 0)
    if (exists.get(workspaceId) || object.lastModified > cutoff) continue
    await deps.store.delete(object.key)
    removedObjects++
    reclaimedBytes += object.sizeBytes
  }
  const workspaceIds = [...exists].filter(([, found]) => found).map(([id]) => id)
  return { workspaceIds, removedObjects, reclaimedBytes, summary: `Reclaimed ${formatBytes(reclaimedBytes)} (${removedObjects} file(s) of deleted workspaces); ${workspaceIds.length} workspace(s) to sweep.` }
}

/** Settles, queues and removes for one workspace; see the top of this file. Running it twice does nothing the second time. */
export async function sweepWorkspace(deps: StorageSweepDependencies, workspaceId: string, options: SweepOptions = {}): Promise<WorkspaceSweepReport> {
  const { cutoff, settledBefore } = windows(options)
  const settled = await settleRenders(deps, workspaceId, settledBefore)
  const recovered = await recoverUploads(deps, workspaceId, settledBefore)
  const queued = await queueNeverAnalysed(deps, workspaceId, settledBefore)
  const sized = await recordMissingSizes(deps, workspaceId)
  const removed = await removeOrphans(deps, workspaceId, cutoff)
  const reclaimedBytes = settled.bytes + removed.bytes
  const removedObjects = settled.objects + removed.objects
  const notes = [
    `Reclaimed ${formatBytes(reclaimedBytes)} (${removedObjects} file(s) no video, render or asset owned)`,
    queued + recovered.queued > 0 && `queued ${queued + recovered.queued} analysis(es) that never started`,
    settled.renders > 0 && `marked ${settled.renders} render(s) failed whose job had ended`,
    recovered.recovered > 0 && `recovered ${recovered.recovered} upload(s) stored but never recorded`,
    sized > 0 && `recorded the size of ${sized} video(s), analyses or render(s) stored before sizes were counted`,
  ].filter(Boolean)
  return {
    removedObjects,
    reclaimedBytes,
    analysesQueued: queued + recovered.queued,
    rendersSettled: settled.renders,
    uploadsRecovered: recovered.recovered,
    sizesRecorded: sized,
    summary: `${notes.join('; ')}.`,
  }
}

function windows(options: SweepOptions) {
  const now = options.now ?? new Date()
  return {
    now,
    cutoff: new Date(now.getTime() - (options.graceMs ?? ORPHAN_GRACE_MS)),
    settledBefore: new Date(now.getTime() - (options.settleAfterMs ?? SETTLE_AFTER_MS)),
  }
}

/** Removes every object under `prefix`, counting its bytes. */
async function removePrefix(store: MediaStore, prefix: string): Promise<{ objects: number, bytes: number }> {
  let bytes = 0
  for await (const object of store.list(prefix)) bytes += object.sizeBytes
  return { objects: await store.deletePrefix(prefix), bytes }
}

/** A render still queued or running though its job ended a while ago: nothing will finish it. */
async function settleRenders(deps: StorageSweepDependencies, workspaceId: string, settledBefore: Date) {
  const { db, store } = deps
  const rows = await db.render.findMany({ where: { workspaceId, status: { in: ['queued', 'running'] }, jobId: { not: null } }, select: { id: true, jobId: true } })
  const ended = rows.length === 0
    ? []
    : await db.jobRun.findMany({ where: { id: { in: rows.map(row => row.jobId!) }, state: { in: ['succeeded', 'failed', 'canceled'] }, finishedAt: { lt: settledBefore } }, select: { id: true } })
  const endedJobs = new Set(ended.map(job => job.id))
  let renders = 0
  let objects = 0
  let bytes = 0
  for (const row of rows.filter(row => endedJobs.has(row.jobId!))) {
    const { count } = await db.render.updateMany({
      where: { id: row.id, workspaceId, status: { in: ['queued', 'running'] }, jobId: row.jobId },
      data: {
        status: 'failed', finishedAt: new Date(), previewKey: null, storageKey: null, thumbnailKey: null,
        error: 'This render stopped without finishing (its worker was lost). Render it again.',
      },
    })
    if (count === 0) continue
    renders++
    const removed = await removePrefix(store, renderPrefix(workspaceId, row.id))
    objects += removed.objects
    bytes += removed.bytes
  }
  return { renders, objects, bytes }
}

/**
 * An upload whose bytes reached storage while its row still says `uploading`: the process died between storing and
 * recording. The stored file is probed and hashed again, the row recorded as the finish step would have, and its
 * analysis queued. A file that is not a video is left to the upload expiry, which removes the row; its bytes then
 * have no row and go with the orphans.
 */
async function recoverUploads(deps: StorageSweepDependencies, workspaceId: string, settledBefore: Date) {
  const { db, store } = deps
  const rows = await db.video.findMany({ where: { workspaceId, status: 'uploading', updatedAt: { lt: settledBefore } }, select: { id: true, updatedAt: true } })
  let recovered = 0
  let queued = 0
  for (const row of rows) {
    let stored: { key: string, sizeBytes: number } | undefined
    for await (const object of store.list(videoPrefix(workspaceId, row.id))) {
      if (sourceFile.test(object.key) && object.lastModified < settledBefore) stored = object
    }
    if (!stored) continue
    await mkdir(deps.scratchDir, { recursive: true })
    const workDir = await mkdtemp(join(deps.scratchDir, 'recover-'))
    try {
      const local = await store.openLocal(stored.key, workDir)
      const probe = await probeVideo(local.path, await deps.tools()).catch((error: unknown) => {
        if (error instanceof NotAVideoError) return undefined
        throw error
      })
      if (!probe) continue
      const hash = createHash('sha256')
      for await (const chunk of createReadStream(local.path)) hash.update(chunk as Buffer)
      // Only if nothing recorded it meanwhile (a finish step that was merely slow).
      const { count } = await db.video.updateMany({
        where: { id: row.id, workspaceId, status: 'uploading', updatedAt: row.updatedAt },
        data: {
          status: 'uploaded', uploadId: null, storageKey: stored.key, sizeBytes: BigInt(stored.sizeBytes), sha256: hash.digest('hex'),
          mimeType: contentTypeOf(stored.key), durationMs: Math.round(probe.durationSeconds * 1000),
          width: probe.video.displayWidth, height: probe.video.displayHeight, fps: probe.video.fps,
          videoCodec: probe.video.codec, audioCodec: probe.audio?.codec ?? null, probe: JSON.parse(JSON.stringify(probe)),
        },
      })
      if (count === 0) continue
      recovered++
      await deps.queueAnalysis({ workspaceId, videoId: row.id })
      queued++
    }
    finally {
      await rm(workDir, { recursive: true, force: true })
    }
  }
  return { recovered, queued }
}

/** Stored and recorded, but its analysis was never queued (the queue was unreachable when the upload finished). */
async function queueNeverAnalysed(deps: StorageSweepDependencies, workspaceId: string, settledBefore: Date): Promise<number> {
  const rows = await deps.db.video.findMany({
    where: { workspaceId, status: 'uploaded', deletedAt: null, storageKey: { not: null }, updatedAt: { lt: settledBefore }, analyses: { none: {} } },
    select: { id: true },
  })
  for (const row of rows) await deps.queueAnalysis({ workspaceId, videoId: row.id })
  return rows.length
}

/**
 * Rows from before the quota counted every byte (analysis pictures and render files: `storedBytes` 0; a video with no
 * size) that name stored files: their size is read from the store, so the quota sees them. Only a row still at 0 is
 * written, so a render finishing meanwhile keeps its own count. A row whose files are all gone stays at 0.
 */
async function recordMissingSizes(deps: StorageSweepDependencies, workspaceId: string): Promise<number> {
  const { db, store } = deps
  const sizeOf = async (keys: unknown[]) => {
    let total = 0
    for (const key of new Set(keys)) {
      if (typeof key === 'string') total += (await store.stat(key))?.sizeBytes ?? 0
    }
    return total
  }
  let recorded = 0
  // Finished ones only: work still running records its own count when it ends (and a render that fails keeps none).
  const analyses = await db.videoAnalysis.findMany({ where: { workspaceId, status: 'succeeded', storedBytes: 0 }, select: { id: true, artifacts: true } })
  for (const analysis of analyses) {
    const artifacts = (analysis.artifacts ?? {}) as { thumbnail?: unknown, contactSheet?: unknown, shotKeyframes?: unknown }
    const bytes = await sizeOf([artifacts.thumbnail, artifacts.contactSheet, ...Array.isArray(artifacts.shotKeyframes) ? artifacts.shotKeyframes : []])
    if (bytes === 0) continue
    const { count } = await db.videoAnalysis.updateMany({ where: { id: analysis.id, workspaceId, storedBytes: 0 }, data: { storedBytes: BigInt(bytes) } })
    recorded += count
  }
  const renders = await db.render.findMany({
    where: { workspaceId, status: 'succeeded', storedBytes: 0, OR: [{ storageKey: { not: null } }, { previewKey: { not: null } }, { thumbnailKey: { not: null } }] },
    select: { id: true, storageKey: true, previewKey: true, thumbnailKey: true },
  })
  for (const render of renders) {
    const bytes = await sizeOf([render.storageKey, render.previewKey, render.thumbnailKey])
    if (bytes === 0) continue
    const { count } = await db.render.updateMany({ where: { id: render.id, workspaceId, storedBytes: 0 }, data: { storedBytes: BigInt(bytes) } })
    recorded += count
  }
  const videos = await db.video.findMany({ where: { workspaceId, sizeBytes: null, storageKey: { not: null } }, select: { id: true, storageKey: true } })
  for (const video of videos) {
    const bytes = await sizeOf([video.storageKey])
    if (bytes === 0) continue
    const { count } = await db.video.updateMany({ where: { id: video.id, workspaceId, sizeBytes: null }, data: { sizeBytes: BigInt(bytes) } })
    recorded += count
  }
  return recorded
}

/** Every key a row of this workspace names, and the folders that work in progress is writing into. */
async function recordedKeys(db: PrismaClient, workspaceId: string): Promise<{ keys: Set<string>, writing: string[] }> {
  const [videos, analyses, renders, assets] = await Promise.all([
    db.video.findMany({ where: { workspaceId }, select: { id: true, status: true, storageKey: true, thumbnailKey: true } }),
    db.videoAnalysis.findMany({ where: { workspaceId }, select: { id: true, videoId: true, status: true, artifacts: true } }),
    db.render.findMany({ where: { workspaceId }, select: { id: true, status: true, storageKey: true, previewKey: true, thumbnailKey: true } }),
    db.studioAsset.findMany({ where: { workspaceId }, select: { storageKey: true } }),
  ])
  const keys = new Set<string>()
  const writing: string[] = []
  const add = (key: unknown) => {
    if (typeof key === 'string') keys.add(key)
  }
  for (const video of videos) {
    add(video.storageKey)
    add(video.thumbnailKey)
    if (video.status === 'uploading') writing.push(videoPrefix(workspaceId, video.id))
  }
  for (const analysis of analyses) {
    const artifacts = (analysis.artifacts ?? {}) as { thumbnail?: unknown, contactSheet?: unknown, shotKeyframes?: unknown }
    add(artifacts.thumbnail)
    add(artifacts.contactSheet)
    if (Array.isArray(artifacts.shotKeyframes)) artifacts.shotKeyframes.forEach(add)
    if (analysis.status === 'queued' || analysis.status === 'running') {
      writing.push(analysisPrefix(workspaceId, analysis.videoId, analysis.id))
    }
  }
  for (const render of renders) {
    add(render.storageKey)
    add(render.previewKey)
    add(render.thumbnailKey)
    if (render.status === 'queued' || render.status === 'running') writing.push(renderPrefix(workspaceId, render.id))
  }
  for (const asset of assets) add(asset.storageKey)
  return { keys, writing }
}

async function removeOrphans(deps: StorageSweepDependencies, workspaceId: string, cutoff: Date) {
  const { keys, writing } = await recordedKeys(deps.db, workspaceId)
  let objects = 0
  let bytes = 0
  for await (const object of deps.store.list(workspacePrefix(workspaceId))) {
    if (keys.has(object.key) || writing.some(prefix => object.key.startsWith(prefix)) || object.lastModified > cutoff) continue
    await deps.store.delete(object.key)
    objects++
    bytes += object.sizeBytes
  }
  return { objects, bytes }
}
