import type { VideoKind } from '#shared/library'

export type VideoStatus = 'uploading' | 'uploaded' | 'analysing' | 'ready' | 'failed'

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

export interface VideoList {
  usedBytes: number
  quotaBytes: number
  maxUploadBytes: number
  videos: LibraryVideo[]
}

/** Every video of the current workspace with its storage use; the page filters by kind itself. */
export function useVideos() {
  const { current } = useWorkspace()
  return useApi<VideoList>(() => `/api/workspaces/${current.value?.id}/videos`, {
    key: () => `videos-${current.value?.id}`,
    immediate: Boolean(current.value),
    // Navigation does not wait for it: <AppAsyncState> shows a skeleton until it arrives.
    lazy: true,
  })
}
