import type { StudioSuggestions } from '#shared/decisions'

/** Which caption styles to render and whether to keep the hook line, drawn from the workspace's post results. */
export function useStudioSuggestions() {
  const { current } = useWorkspace()
  return useApi<StudioSuggestions>(() => `/api/workspaces/${current.value?.id}/studio/suggestions`, {
    key: () => `studio-suggestions-${current.value?.id}`,
    immediate: Boolean(current.value),
    lazy: true,
  })
}
