import type { BrandProfile } from '#shared/brand'

/** The current workspace's brand profile (every member reads it; editors and up save it). */
export function useBrandProfile() {
  const { current } = useWorkspace()
  return useApi<BrandProfile>(() => `/api/workspaces/${current.value?.id}/brand`, {
    key: `brand-${current.value?.id}`,
    immediate: Boolean(current.value),
  })
}
