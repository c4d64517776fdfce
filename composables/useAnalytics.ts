import type { AnalyticsQuery, AnalyticsView, LearningSettings, LearningSettingsPatch } from '#shared/analytics'

/** Only the filters that are set, as the route and the CSV link take them. */
export function analyticsQueryParams(query: AnalyticsQuery): Record<string, string> {
  return Object.fromEntries(Object.entries(query).filter(([, value]) => typeof value === 'string' && value !== '')) as Record<string, string>
}

/** The Analytics page's view of the current workspace for the filters, refetched when they change; and its settings save. */
export function useAnalytics(query: MaybeRefOrGetter<AnalyticsQuery>) {
  const { current } = useWorkspace()
  const params = computed(() => analyticsQueryParams(toValue(query)))
  const view = useApi<AnalyticsView>(() => `/api/workspaces/${current.value?.id}/analytics`, {
    key: () => `analytics-${current.value?.id}-${JSON.stringify(params.value)}`,
    query: params,
    immediate: Boolean(current.value),
    lazy: true,
  })
  const csvUrl = computed(() => {
    const search = new URLSearchParams(params.value).toString()
    return `/api/workspaces/${current.value?.id}/analytics/export.csv${search ? `?${search}` : ''}`
  })

  async function saveSettings(patch: LearningSettingsPatch): Promise<LearningSettings> {
    const saved = await $fetch<LearningSettings>(`/api/workspaces/${current.value?.id}/analytics/settings`, { method: 'PATCH', body: patch })
    // A new metric or horizon changes every outcome and score on the page.
    await view.refresh()
    return saved
  }

  return { ...view, csvUrl, saveSettings }
}
