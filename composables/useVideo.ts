import type { Timeline, VideoFeatures } from '#shared/analysis'
import type { LibraryVideo } from './useVideos'

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

export interface VideoPattern { key: string, kind: string, label: string, note: string, value: Record<string, unknown> }

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
}

/** One video with its latest analysis, its pictures (signed links) and the pattern buckets it falls in. */
export function useVideo(videoId: MaybeRefOrGetter<string>) {
  const { current } = useWorkspace()
  return useApi<VideoDetail>(() => `/api/workspaces/${current.value?.id}/videos/${toValue(videoId)}`, {
    key: () => `video-${current.value?.id}-${toValue(videoId)}`,
    immediate: Boolean(current.value),
  })
}
