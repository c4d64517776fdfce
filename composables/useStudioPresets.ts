import type { StudioPreset } from '#shared/studio'

/** Starting recipes for one piece of footage: the built-in ones and those made from the Library's patterns. */
export function useStudioPresets(videoId: MaybeRefOrGetter<string>) {
  const { current } = useWorkspace()
  return useApi<{ presets: StudioPreset[] }>(() => `/api/workspaces/${current.value?.id}/studio/presets?videoId=${toValue(videoId)}`, {
    key: () => `studio-presets-${current.value?.id}-${toValue(videoId)}`,
    immediate: Boolean(current.value),
    // Navigation does not wait for it: <AppAsyncState> shows a skeleton until it arrives.
    lazy: true,
  })
}
