import type { StrategyList } from '#shared/strategy'

/** The workspace's strategy versions with the active one in full, a generation in progress and what is still missing. */
export function useStrategies() {
  const { current } = useWorkspace()
  return useApi<StrategyList>(() => `/api/workspaces/${current.value?.id}/strategies`, {
    key: () => `strategies-${current.value?.id}`,
    immediate: Boolean(current.value),
    lazy: true,
  })
}
