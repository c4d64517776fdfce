import { z } from 'zod'
import type { Timeline, VideoFeatures } from './analysis'
import type { EvidenceReading, PatternEvidenceSource } from './patterns'
import type { ReferencePerformanceView } from './references'

// Library schemas and helpers shared by the pages and the routes.

export const videoKinds = ['reference', 'footage'] as const
export type VideoKind = typeof videoKinds[number]

// What the Library routes answer, used by the routes (server/services/library/videos.ts) and the pages alike.

export type VideoStatus = 'uploading' | 'uploaded' | 'analysing' | 'ready' | 'failed'

/** One video in GET …/videos. */
export interface LibraryVideo {
  id: string
  kind: VideoKind
  status: VideoStatus
  title: string
  originalFilename: string | null
  sizeBytes: number
  durationMs: number | null
  width: number | null
  height: number | null
  fps: number | null
  error: string | null
  createdAt: string
  thumbnailUrl: string | null
}

/** GET …/videos: every video with the workspace's storage use and limits. */
export interface VideoList {
  usedBytes: number
  quotaBytes: number
  maxUploadBytes: number
  videos: LibraryVideo[]
}

export interface AnalysisProvenance {
  analyser?: string
  ffmpegVersion?: string
  thresholds?: { cutThreshold: number, silenceNoiseDb: number, silenceMinSeconds: number, hookWindowSeconds?: number }
  elapsedMs?: number
}

export interface VideoAnalysis {
  id: string
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled'
  error: string | null
  jobId: string | null
  createdAt: string
  finishedAt: string | null
  features: VideoFeatures | null
  timeline: Timeline | null
  provenance: AnalysisProvenance | null
  contactSheetUrl: string | null
  shotKeyframeUrls: (string | null)[]
}

/** A bucket the video falls in: measured by the analysis, or read by an AI model (whose provider and model are named). */
export interface VideoPattern {
  key: string
  kind: string
  label: string
  note: string | null
  value: Record<string, unknown>
  source: PatternEvidenceSource
  reading: EvidenceReading | null
}

/** GET …/videos/:videoId: one video with its latest analysis, signed links and the pattern buckets it falls in. */
export interface VideoDetail extends LibraryVideo {
  sha256: string | null
  videoCodec: string | null
  audioCodec: string | null
  probe: { container?: string, formatName?: string } | null
  mimeType: string | null
  sourceUrl: string | null
  downloadUrl: string | null
  analysis: VideoAnalysis | null
  patterns: VideoPattern[]
  /** A reference's public numbers with its normalised score; null for footage and references without numbers. */
  performance: ReferencePerformanceView | null
}

export const videoListQuery = z.object({
  kind: z.enum(videoKinds).optional(),
})

export const videoUpdateSchema = z.object({
  title: z.string().trim().min(1, 'Give the video a title.').max(200).optional(),
  kind: z.enum(videoKinds).optional(),
})

// Re-analysis may override the thresholds; anything left out keeps the workspace default.
export const analyseRequestSchema = z.object({
  cutThreshold: z.number().min(1).max(100).optional(),
  silenceNoiseDb: z.number().min(-90).max(-10).optional(),
  silenceMinSeconds: z.number().min(0.05).max(10).optional(),
}).default({})

/** 1536 → "1.5 KB", in binary units as the configuration reads them. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${value} bytes` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`
}

/**
 * 83.4 → "1:23". Whole seconds are counted down, as browsers' video players count them, so a card and the player
 * under it show the same time: every duration on a page goes through here.
 */
export function formatDuration(seconds: number): string {
  const whole = Number.isFinite(seconds) ? Math.max(0, Math.floor(seconds)) : 0
  const hours = Math.floor(whole / 3600)
  const minutes = Math.floor((whole % 3600) / 60)
  const rest = String(whole % 60).padStart(2, '0')
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`
}

/** A length refused for being over `limitSeconds`: in tenths when whole seconds would read the same as the limit. */
export function formatDurationOver(seconds: number, limitSeconds: number): string {
  return formatDuration(seconds) === formatDuration(limitSeconds) ? `${seconds.toFixed(1)} s` : formatDuration(seconds)
}
