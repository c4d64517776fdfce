import type { HomeOverview } from '#shared/home'

/** Home's checklist, recent renders and recent jobs for the current workspace. */
export function useHome() {
  const { current } = useWorkspace()
  return useApi<HomeOverview>(() => `/api/workspaces/${current.value?.id}/home`, {
    key: `home-${current.value?.id}`,
    immediate: Boolean(current.value),
  })
}
