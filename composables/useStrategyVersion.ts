import type { StrategyDetail } from '#shared/strategy'

/** One version in full, when a person opens one that is not the active one. */
export function useStrategyVersion(strategyId: string) {
  const { current } = useWorkspace()
  return useApi<StrategyDetail>(() => `/api/workspaces/${current.value?.id}/strategies/${strategyId}`, {
    key: `strategy-${current.value?.id}-${strategyId}`,
    immediate: Boolean(current.value),
    lazy: true,
  })
}
