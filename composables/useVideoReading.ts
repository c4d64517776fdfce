import type { VideoReadingView } from '#shared/semantics'

/** The AI's latest reading of one video, who made it, and the reading job on its way. */
export function useVideoReading(videoId: MaybeRefOrGetter<string>) {
  const { current } = useWorkspace()
  return useApi<VideoReadingView>(() => `/api/workspaces/${current.value?.id}/videos/${toValue(videoId)}/reading`, {
    key: () => `video-reading-${current.value?.id}-${toValue(videoId)}`,
    immediate: Boolean(current.value),
    lazy: true,
  })
}
