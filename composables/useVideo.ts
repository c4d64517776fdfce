import type { VideoDetail } from '#shared/library'

/** One video with its latest analysis, its pictures (signed links) and the pattern buckets it falls in. */
export function useVideo(videoId: MaybeRefOrGetter<string>) {
  const { current } = useWorkspace()
  return useApi<VideoDetail>(() => `/api/workspaces/${current.value?.id}/videos/${toValue(videoId)}`, {
    key: () => `video-${current.value?.id}-${toValue(videoId)}`,
    immediate: Boolean(current.value),
  })
}
