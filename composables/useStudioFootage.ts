import type { VideoList } from '#shared/library'

/** The workspace's footage (raw clips to edit), newest first, for the Studio's picker. */
export function useStudioFootage() {
  const { current } = useWorkspace()
  return useApi<VideoList>(() => `/api/workspaces/${current.value?.id}/videos`, {
    key: () => `studio-footage-${current.value?.id}`,
    query: { kind: 'footage' },
    immediate: Boolean(current.value),
    // Navigation does not wait for it: <AppAsyncState> shows a skeleton until it arrives.
    lazy: true,
  })
}
