import type { VideoList } from '#shared/library'

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
