import type { VideoList } from './useVideos'

/** The workspace's footage (raw clips to edit), newest first, for the Studio's picker. */
export function useStudioFootage() {
  const { current } = useWorkspace()
  return useFetch<VideoList>(() => `/api/workspaces/${current.value?.id}/videos`, {
    key: () => `studio-footage-${current.value?.id}`,
    query: { kind: 'footage' },
    immediate: Boolean(current.value),
  })
}
