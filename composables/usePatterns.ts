import type { PatternsView } from '#shared/patterns'

/** Every pattern of the current workspace, with its videos and the with/without reference figures. */
export function usePatterns() {
  const { current } = useWorkspace()
  return useApi<PatternsView>(() => `/api/workspaces/${current.value?.id}/patterns`, {
    key: () => `patterns-${current.value?.id}`,
    immediate: Boolean(current.value),
    lazy: true,
  })
}
