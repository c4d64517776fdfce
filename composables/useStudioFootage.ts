import type { VideoList } from '#shared/library'

/** Every video of the workspace for the Studio's picker: footage first (newest first), then the references. */
export function useStudioFootage() {
  const { current } = useWorkspace()
  return useApi<VideoList>(() => `/api/workspaces/${current.value?.id}/videos`, {
    key: () => `studio-footage-${current.value?.id}`,
    immediate: Boolean(current.value),
    transform: list => ({ ...list, videos: [...list.videos].sort((first, second) => Number(first.kind === 'reference') - Number(second.kind === 'reference')) }),
    // Navigation does not wait for it: <AppAsyncState> shows a skeleton until it arrives.
    lazy: true,
  })
}
