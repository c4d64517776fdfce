import type { StudioAssetSummary } from '#shared/studio'

/** The workspace's music tracks and logos, shared by every edit. */
export function useStudioAssets() {
  const { current } = useWorkspace()
  return useApi<{ assets: StudioAssetSummary[] }>(() => `/api/workspaces/${current.value?.id}/studio/assets`, {
    key: () => `studio-assets-${current.value?.id}`,
    immediate: Boolean(current.value),
    // Navigation does not wait for it: <AppAsyncState> shows a skeleton until it arrives.
    lazy: true,
  })
}
