import type { AiSettingsResponse } from '#shared/ai'

/** The workspace's AI provider: the whole view for admins, which provider and model for everyone else. */
export function useAiSettings() {
  const { current } = useWorkspace()
  return useApi<AiSettingsResponse>(() => `/api/workspaces/${current.value?.id}/ai/settings`, {
    key: `ai-settings-${current.value?.id}`,
    immediate: Boolean(current.value),
  })
}
