// Reading and managing a workspace's videos. Every query is scoped by workspaceId; media is handed out
// as short-lived signed URLs, never as storage paths.
import type { PrismaClient } from '../../generated/prisma/client'
import type { AnalysisProvenance, LibraryVideo, VideoAnalysis, VideoDetail, VideoKind, VideoPattern } from '#shared/library'
import type { AiProviderName } from '#shared/ai'
import type { Timeline, VideoFeatures } from '#shared/analysis'
import { restateRatio } from '#shared/measurements'
import { renderPrefix, videoPrefix } from '../media/storage/keys'
import type { MediaStore } from '../media/storage/types'
import { notFound } from '../errors'
import { workspaceUsedBytes } from './usage'
import { getPerformance } from '../references/performance'

// Long enough to watch a long video without the player losing its source; short enough that a leaked link dies.
const MEDIA_URL_SECONDS = 60 * 60

const listSelect = {
  id: true, kind: true, status: true, title: true, originalFilename: true, sizeBytes: true, durationMs: true,
  width: true, height: true, fps: true, thumbnailKey: true, error: true, createdAt: true,
} as const

function sign(store: MediaStore, key: string | null | undefined, downloadName?: string): Promise<string | null> {
  return key ? store.signedUrl(key, { expiresInSeconds: MEDIA_URL_SECONDS, downloadName }) : Promise.resolve(null)
}

export async function listVideos(db: PrismaClient, store: MediaStore, workspaceId: string, filter: { kind?: VideoKind }): Promise<{ usedBytes: number, videos: LibraryVideo[] }> {
  const [videos, usage] = await Promise.all([
    db.video.findMany({ where: { workspaceId, deletedAt: null, kind: filter.kind }, orderBy: { createdAt: 'desc' }, select: listSelect, take: 500 }),
    workspaceUsedBytes(db, workspaceId),
  ])
  return {
    usedBytes: usage,
    videos: await Promise.all(videos.map(async ({ thumbnailKey, sizeBytes, createdAt, ...video }) => ({
      ...video,
      createdAt: createdAt.toISOString(),
      sizeBytes: Number(sizeBytes ?? 0),
      thumbnailUrl: await sign(store, thumbnailKey),
    }))),
  }
}

interface StoredArtifacts { thumbnail: string | null, contactSheet: string | null, shotKeyframes: (string | null)[] }

export async function getVideo(db: PrismaClient, store: MediaStore, workspaceId: string, videoId: string): Promise<VideoDetail> {
  const video = await db.video.findFirst({
    where: { id: videoId, workspaceId, deletedAt: null },
    select: { ...listSelect, storageKey: true, sha256: true, videoCodec: true, audioCodec: true, probe: true, mimeType: true },
  })
  if (!video) throw notFound('This video')
  const [latest, evidence] = await Promise.all([
    db.videoAnalysis.findFirst({ where: { workspaceId, videoId }, orderBy: { createdAt: 'desc' } }),
    // Measured buckets and the AI's reading side by side, each with where it came from.
    db.patternEvidence.findMany({
      where: { workspaceId, videoId, source: { in: ['analysis', 'semantic'] } },
      include: {
        pattern: { select: { key: true, kind: true, label: true } },
        reading: { select: { provider: true, model: true, promptVersion: true, createdAt: true } },
      },
      orderBy: [{ source: 'asc' }, { createdAt: 'asc' }],
    }),
  ])
  const performance = video.kind === 'reference' ? await getPerformance(db, workspaceId, videoId) : null
  const artifacts = latest?.artifacts as StoredArtifacts | null
  const { storageKey, thumbnailKey, sizeBytes, createdAt, probe, ...rest } = video
  const downloadName = video.originalFilename ?? `${video.title}.${storageKey?.split('.').pop() ?? 'mp4'}`
  return {
    ...rest,
    createdAt: createdAt.toISOString(),
    probe: probe as VideoDetail['probe'],
    sizeBytes: Number(sizeBytes ?? 0),
    sourceUrl: await sign(store, storageKey),
    downloadUrl: await sign(store, storageKey, downloadName),
    thumbnailUrl: await sign(store, thumbnailKey),
    analysis: latest && {
      id: latest.id,
      status: latest.status as VideoAnalysis['status'],
      error: latest.error,
      jobId: (latest.provenance as { jobId?: string } | null)?.jobId ?? null,
      createdAt: latest.createdAt.toISOString(),
      finishedAt: latest.finishedAt?.toISOString() ?? null,
      features: latest.features as VideoFeatures | null,
      timeline: latest.segments as Timeline | null,
      provenance: latest.provenance as AnalysisProvenance | null,
      contactSheetUrl: await sign(store, artifacts?.contactSheet),
      shotKeyframeUrls: await Promise.all((artifacts?.shotKeyframes ?? []).map(key => sign(store, key))),
    },
    patterns: evidence.map(item => ({
      key: item.pattern.key,
      kind: item.pattern.kind,
      label: item.pattern.label,
      note: item.note === null ? null : restateRatio(item.note, item.value),
      value: item.value as Record<string, unknown>,
      source: item.source as VideoPattern['source'],
      reading: item.source === 'semantic' && item.reading
        ? { provider: item.reading.provider as AiProviderName, model: item.reading.model, promptVersion: item.reading.promptVersion, at: item.reading.createdAt.toISOString() }
        : null,
    })),
    performance,
  }
}

export async function updateVideo(db: PrismaClient, workspaceId: string, videoId: string, changes: { title?: string, kind?: VideoKind }) {
  const { count } = await db.video.updateMany({ where: { id: videoId, workspaceId, deletedAt: null }, data: changes })
  if (count === 0) throw notFound('This video')
}

/** Deletes the row, its analyses and renders, and every stored byte of them; pattern evidence from it goes too. */
export async function deleteVideo(db: PrismaClient, store: MediaStore, workspaceId: string, videoId: string): Promise<{ removedObjects: number }> {
  const video = await db.video.findFirst({ where: { id: videoId, workspaceId }, select: { id: true, status: true } })
  if (!video) throw notFound('This video')
  // Renders live under a prefix of their own (they outlive a re-analysis), so they are named before the cascade drops them.
  const renders = await db.render.findMany({ where: { workspaceId, sourceVideoId: video.id }, select: { id: true } })
  await db.$transaction([
    db.patternEvidence.deleteMany({ where: { workspaceId, videoId, source: { in: ['analysis', 'semantic'] } } }),
    db.video.delete({ where: { id: video.id } }),
  ])
  // After the rows: a crash in between leaves orphan bytes, which the storage sweep removes, never a row without bytes.
  // A render still running finds its row gone, stops, and removes what it stored.
  let removedObjects = await store.deletePrefix(videoPrefix(workspaceId, videoId))
  for (const render of renders) removedObjects += await store.deletePrefix(renderPrefix(workspaceId, render.id))
  return { removedObjects }
}
