import type { RenderSummary } from '#shared/studio'

/** Every render of one piece of footage, newest first, with signed links to their preview and output. */
export function useStudioRenders(videoId: MaybeRefOrGetter<string>) {
  const { current } = useWorkspace()
  return useApi<{ renders: RenderSummary[] }>(() => `/api/workspaces/${current.value?.id}/studio/renders?videoId=${toValue(videoId)}`, {
    key: () => `studio-renders-${current.value?.id}-${toValue(videoId)}`,
    immediate: Boolean(current.value),
    // Navigation does not wait for it: <AppAsyncState> shows a skeleton until it arrives.
    lazy: true,
  })
}
