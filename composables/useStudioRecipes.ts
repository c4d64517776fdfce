import type { RecipeSummary } from '#shared/studio'

/** The drafts of one piece of footage, the last changed first. */
export function useStudioRecipes(videoId: MaybeRefOrGetter<string>) {
  const { current } = useWorkspace()
  return useApi<{ recipes: RecipeSummary[] }>(() => `/api/workspaces/${current.value?.id}/studio/recipes?videoId=${toValue(videoId)}`, {
    key: () => `studio-recipes-${current.value?.id}-${toValue(videoId)}`,
    immediate: Boolean(current.value),
  })
}
