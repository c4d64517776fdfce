import type { StrategyComparison } from '#shared/strategy'

/** Two versions side by side, with what changed from the older to the newer. */
export function useStrategyComparison(from: string, to: string) {
  const { current } = useWorkspace()
  return useApi<StrategyComparison>(() => `/api/workspaces/${current.value?.id}/strategies/compare`, {
    key: `strategy-compare-${current.value?.id}-${from}-${to}`,
    query: { from, to },
    immediate: Boolean(current.value),
    lazy: true,
  })
}
