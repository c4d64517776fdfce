// The worker's side of the Library: analyse a stored video, keep its pictures in media storage, and file it
// under pattern buckets with the evidence. Idempotent: a retried job redoes the same analysis row.
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { PrismaClient } from '../../generated/prisma/client'
import { analyseFile } from '../media/analysis/analyse'
import type { AnalysisReport } from '../media/analysis/analyse'
import type { ThresholdOverrides } from '../media/analysis/thresholds'
import type { MediaTools } from '../media/ffmpeg'
import { analysisArtifactKey } from '../media/storage/keys'
import type { MediaStore } from '../media/storage/types'
import { conflict, notFound } from '../errors'

export interface AnalysisJobData {
  workspaceId: string
  videoId: string
  analysisId: string
}

export interface AnalysisDependencies {
  db: PrismaClient
  store: MediaStore
  tools: MediaTools
  scratchDir: string
  /** Workspace-wide defaults (from the configuration); an analysis row's own overrides win. */
  defaultThresholds?: ThresholdOverrides
}

const toJson = <T>(value: T) => JSON.parse(JSON.stringify(value))

/** Creates the analysis row a job will fill in. The caller sends media.analyse with its ids. */
export async function createAnalysis(db: PrismaClient, workspaceId: string, videoId: string, thresholds: ThresholdOverrides, jobId: string): Promise<AnalysisJobData> {
  const video = await db.video.findFirst({ where: { id: videoId, workspaceId, deletedAt: null }, select: { id: true, status: true, storageKey: true } })
  if (!video) throw notFound('This video')
  if (!video.storageKey || video.status === 'uploading') throw conflict('This video has not finished uploading yet; it is analysed as soon as it has.')
  const analysis = await db.videoAnalysis.create({ data: { workspaceId, videoId, status: 'queued', provenance: { requestedThresholds: toJson(thresholds), jobId } } })
  return { workspaceId, videoId, analysisId: analysis.id }
}

async function storeArtifacts(deps: AnalysisDependencies, data: AnalysisJobData, report: AnalysisReport) {
  // Their bytes count towards the workspace quota.
  let storedBytes = 0
  const put = async (path: string | null, name: string) => {
    if (!path) return null
    const key = analysisArtifactKey(data.workspaceId, data.videoId, data.analysisId, name)
    // Awaited first: `storedBytes += await ...` would read the total before the keyframes' parallel puts land.
    const stored = await deps.store.putFile(key, path, { contentType: 'image/jpeg' })
    storedBytes += stored.sizeBytes
    return key
  }
  const keys = {
    thumbnail: await put(report.artifacts.thumbnail, 'thumbnail.jpg'),
    contactSheet: await put(report.artifacts.contactSheet, 'contact-sheet.jpg'),
    shotKeyframes: await Promise.all(report.artifacts.shotKeyframes.map((path, index) => put(path, `shot-${String(index).padStart(4, '0')}.jpg`))),
  }
  return { keys, storedBytes }
}

/** Files the video under each pattern bucket it shows; a newer analysis replaces the older one's evidence. */
async function recordPatterns(db: PrismaClient, data: AnalysisJobData, report: AnalysisReport) {
  await db.$transaction(async (tx) => {
    await tx.patternEvidence.deleteMany({ where: { workspaceId: data.workspaceId, videoId: data.videoId, source: 'analysis' } })
    for (const match of report.patterns) {
      const pattern = await tx.pattern.upsert({
        where: { workspaceId_key: { workspaceId: data.workspaceId, key: match.key } },
        create: { workspaceId: data.workspaceId, key: match.key, kind: match.kind, label: match.label },
        update: {},
      })
      await tx.patternEvidence.create({
        data: { workspaceId: data.workspaceId, patternId: pattern.id, source: 'analysis', videoId: data.videoId, analysisId: data.analysisId, value: match.value, note: match.note },
      })
    }
  })
}

export async function runAnalysis(deps: AnalysisDependencies, data: AnalysisJobData, options: {
  onProgress?: (fraction: number) => void
  signal?: AbortSignal
} = {}): Promise<{ status: 'succeeded' | 'skipped', cuts?: number }> {
  const { db } = deps
  const analysis = await db.videoAnalysis.findFirst({ where: { id: data.analysisId, workspaceId: data.workspaceId, videoId: data.videoId } })
  const video = await db.video.findFirst({ where: { id: data.videoId, workspaceId: data.workspaceId, deletedAt: null } })
  // Deleted meanwhile, or done by an earlier attempt: nothing to do.
  if (!analysis || !video?.storageKey || analysis.status === 'succeeded' || analysis.status === 'canceled') return { status: 'skipped' }

  await db.videoAnalysis.update({ where: { id: analysis.id }, data: { status: 'running', startedAt: new Date(), error: null } })
  await db.video.update({ where: { id: video.id }, data: { status: 'analysing', error: null } })
  await mkdir(deps.scratchDir, { recursive: true })
  const workDir = await mkdtemp(join(deps.scratchDir, 'analysis-'))
  const local = await deps.store.openLocal(video.storageKey, workDir)
  try {
    const { requestedThresholds: requested = {}, jobId } = (analysis.provenance ?? {}) as { requestedThresholds?: ThresholdOverrides, jobId?: string }
    const report = await analyseFile(local.path, {
      tools: deps.tools,
      workDir,
      thresholds: { ...deps.defaultThresholds, ...requested },
      probe: (video.probe as AnalysisReport['probe'] | null) ?? undefined,
      onProgress: options.onProgress,
      signal: options.signal,
    })
    const { keys: artifacts, storedBytes } = await storeArtifacts(deps, data, report)
    await recordPatterns(db, data, report)
    await db.$transaction([
      db.videoAnalysis.update({
        where: { id: analysis.id },
        data: {
          status: 'succeeded',
          finishedAt: new Date(),
          features: toJson(report.features),
          segments: toJson(report.timeline),
          provenance: toJson({ ...report.provenance, requestedThresholds: requested, jobId }),
          artifacts,
          storedBytes: BigInt(storedBytes),
        },
      }),
      db.video.update({ where: { id: video.id }, data: { status: 'ready', thumbnailKey: artifacts.thumbnail, error: null } }),
    ])
    return { status: 'succeeded', cuts: report.timeline.cuts.length }
  }
  finally {
    await local.release()
    await rm(workDir, { recursive: true, force: true })
  }
}

/** After the last attempt: the analysis and the video say what went wrong, in words. */
export async function failAnalysis(db: PrismaClient, data: AnalysisJobData, message: string, canceled = false): Promise<void> {
  await db.videoAnalysis.updateMany({
    where: { id: data.analysisId, workspaceId: data.workspaceId, status: { in: ['queued', 'running'] } },
    data: { status: canceled ? 'canceled' : 'failed', error: message, finishedAt: new Date() },
  })
  // A video keeps its last good analysis; it is only marked failed when it has none.
  const good = await db.videoAnalysis.count({ where: { videoId: data.videoId, workspaceId: data.workspaceId, status: 'succeeded' } })
  await db.video.updateMany({
    where: { id: data.videoId, workspaceId: data.workspaceId },
    data: good > 0 ? { status: 'ready' } : { status: 'failed', error: `Analysis failed: ${message}` },
  })
}
