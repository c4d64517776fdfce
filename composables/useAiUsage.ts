import { addDays, todayIn, type AiUsageReport } from '#shared/ai'

/** The Usage page's report for the last `days` days (the workspace's calendar days, today included). */
export function useAiUsage(days: MaybeRefOrGetter<number>) {
  const { current, can } = useWorkspace()
  const query = computed(() => {
    const to = todayIn(current.value?.timeZone ?? 'UTC')
    return { from: addDays(to, 1 - toValue(days)), to }
  })
  return useApi<AiUsageReport>(() => `/api/workspaces/${current.value?.id}/ai/usage`, {
    key: () => `ai-usage-${current.value?.id}-${query.value.from}-${query.value.to}`,
    query,
    immediate: Boolean(current.value && can('ai.manage')),
    lazy: true,
  })
}
