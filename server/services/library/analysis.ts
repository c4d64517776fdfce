// The worker's side of the Library: analyse a stored video, keep its pictures in media storage, and file it
// under pattern buckets with the evidence. Idempotent: a retried job redoes the same analysis row.
import { randomUUID } from 'node:crypto'
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Prisma, PrismaClient } from '../../generated/prisma/client'
import { analyseFile } from '../media/analysis/analyse'
import type { AnalysisReport } from '../media/analysis/analyse'
import type { ThresholdOverrides } from '../media/analysis/thresholds'
import type { MediaTools } from '../media/ffmpeg'
import { analysisArtifactKey, analysisPrefix } from '../media/storage/keys'
import type { MediaStore } from '../media/storage/types'
import { conflict, notFound } from '../errors'
import { CLAIM_LEASE_MS, pause, removeStaleScratch, scratchFolderName } from '../jobs/claims'

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
  /** Runs once an analysis has succeeded (the app queues the AI's reading of the video); its failure fails nothing. */
  afterAnalysis?: (data: AnalysisJobData) => Promise<void>
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
async function recordPatterns(tx: Prisma.TransactionClient, data: AnalysisJobData, report: AnalysisReport) {
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
}

export async function runAnalysis(deps: AnalysisDependencies, data: AnalysisJobData, options: {
  onProgress?: (fraction: number) => void
  signal?: AbortSignal
  /** Names this attempt; the analysis row is claimed with it (see runRender). */
  attempt?: string
  claimLeaseMs?: number
} = {}): Promise<{ status: 'succeeded' | 'skipped', cuts?: number }> {
  const { db } = deps
  const attempt = options.attempt ?? randomUUID()
  const leaseMs = options.claimLeaseMs ?? CLAIM_LEASE_MS
  const analysis = await db.videoAnalysis.findFirst({ where: { id: data.analysisId, workspaceId: data.workspaceId, videoId: data.videoId } })
  const video = await db.video.findFirst({ where: { id: data.videoId, workspaceId: data.workspaceId, deletedAt: null } })
  // Deleted meanwhile, or done by an earlier attempt: nothing to do.
  if (!analysis || !video?.storageKey || analysis.status === 'succeeded' || analysis.status === 'canceled') return { status: 'skipped' }

  // Claims the row unless another attempt holds a live claim on it; then waits for that one to finish or die.
  for (;;) {
    const claimed = await db.videoAnalysis.updateMany({
      where: {
        id: analysis.id, workspaceId: data.workspaceId, status: { notIn: ['succeeded', 'canceled'] },
        OR: [{ status: { not: 'running' } }, { claim: null }, { claim: attempt }, { claimedAt: null }, { claimedAt: { lt: new Date(Date.now() - leaseMs) } }],
      },
      data: { status: 'running', claim: attempt, claimedAt: new Date(), startedAt: new Date(), error: null },
    })
    if (claimed.count === 1) break
    const row = await db.videoAnalysis.findFirst({ where: { id: analysis.id, workspaceId: data.workspaceId }, select: { status: true } })
    if (!row || row.status === 'succeeded' || row.status === 'canceled' || options.signal?.aborted) return { status: 'skipped' }
    await pause(Math.min(1000, leaseMs / 4), options.signal)
  }
  await db.video.update({ where: { id: video.id }, data: { status: 'analysing', error: null } })

  // Renews the claim every second; another attempt having taken the row over stops this one, which then writes nothing.
  const superseded = new AbortController()
  let renewing = false
  const renewer = setInterval(() => {
    if (renewing) return
    renewing = true
    db.videoAnalysis.updateMany({ where: { id: analysis.id, claim: attempt }, data: { claimedAt: new Date() } })
      .then(({ count }) => {
        if (count === 0) superseded.abort()
      })
      .catch(() => {})
      .finally(() => {
        renewing = false
      })
  }, 1000)
  renewer.unref()
  const signal = options.signal ? AbortSignal.any([options.signal, superseded.signal]) : superseded.signal

  await mkdir(deps.scratchDir, { recursive: true })
  const folder = scratchFolderName('analysis', analysis.id, attempt)
  const workDir = join(deps.scratchDir, folder)
  await mkdir(workDir, { recursive: true })
  await removeStaleScratch(deps.scratchDir, 'analysis', analysis.id, folder)
  let local: { release: () => Promise<void> } | undefined
  try {
    const opened = await deps.store.openLocal(video.storageKey, workDir)
    local = opened
    const { requestedThresholds: requested = {}, jobId } = (analysis.provenance ?? {}) as { requestedThresholds?: ThresholdOverrides, jobId?: string }
    const report = await analyseFile(opened.path, {
      tools: deps.tools,
      workDir,
      thresholds: { ...deps.defaultThresholds, ...requested },
      probe: (video.probe as AnalysisReport['probe'] | null) ?? undefined,
      onProgress: options.onProgress,
      signal,
    })
    if (superseded.signal.aborted) return { status: 'skipped' }
    const { keys: artifacts, storedBytes } = await storeArtifacts(deps, data, report)
    const finished = await db.$transaction(async (tx) => {
      const { count } = await tx.videoAnalysis.updateMany({
        where: { id: analysis.id, claim: attempt, status: 'running' },
        data: {
          status: 'succeeded',
          finishedAt: new Date(),
          claim: null,
          features: toJson(report.features),
          segments: toJson(report.timeline),
          provenance: toJson({ ...report.provenance, requestedThresholds: requested, jobId }),
          artifacts,
          storedBytes: BigInt(storedBytes),
        },
      })
      if (count === 0) return false
      await recordPatterns(tx, data, report)
      await tx.video.update({ where: { id: video.id }, data: { status: 'ready', thumbnailKey: artifacts.thumbnail, error: null } })
      return true
    })
    if (!finished) return { status: 'skipped' }
    await deps.afterAnalysis?.(data).catch(error => console.warn(`[analysis] ${data.analysisId}: could not queue what follows it: ${(error as Error).message}`))
    return { status: 'succeeded', cuts: report.timeline.cuts.length }
  }
  catch (error) {
    // Taken over by another attempt: its outcome is the row's, not this one's failure.
    if (superseded.signal.aborted) return { status: 'skipped' }
    // Pictures stored before the failure (a disk that filled part-way) go now, not at the daily sweep; a retry stores them
    // again. Only while this attempt holds the row: otherwise they are another attempt's.
    const held = await db.videoAnalysis.count({ where: { id: analysis.id, claim: attempt } }).catch(() => 0)
    if (held === 1) await deps.store.deletePrefix(analysisPrefix(data.workspaceId, data.videoId, analysis.id)).catch(() => {})
    throw error
  }
  finally {
    clearInterval(renewer)
    await local?.release()
    await rm(workDir, { recursive: true, force: true })
  }
}

/** After the last attempt: the analysis and the video say what went wrong, in words. */
export async function failAnalysis(db: PrismaClient, data: AnalysisJobData, message: string, canceled = false): Promise<void> {
  const { count } = await db.videoAnalysis.updateMany({
    where: { id: data.analysisId, workspaceId: data.workspaceId, status: { in: ['queued', 'running'] } },
    data: { status: canceled ? 'canceled' : 'failed', error: message, finishedAt: new Date(), claim: null },
  })
  // Already settled (a later attempt succeeded, or an earlier call failed it): the video stays as that left it.
  if (count === 0) return
  // A video keeps its last good analysis; it is only marked failed when it has none.
  const good = await db.videoAnalysis.count({ where: { videoId: data.videoId, workspaceId: data.workspaceId, status: 'succeeded' } })
  await db.video.updateMany({
    where: { id: data.videoId, workspaceId: data.workspaceId },
    data: good > 0 ? { status: 'ready' } : { status: 'failed', error: `Analysis failed: ${message}` },
  })
}
