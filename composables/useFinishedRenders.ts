import type { RenderSummary } from '#shared/studio'

/** The workspace's finished renders, newest first: what a post can be made of. */
export function useFinishedRenders() {
  const { current } = useWorkspace()
  const renders = useApi<{ renders: RenderSummary[] }>(() => `/api/workspaces/${current.value?.id}/studio/renders`, {
    key: () => `finished-renders-${current.value?.id}`,
    immediate: Boolean(current.value),
    lazy: true,
    server: false,
  })
  const finished = computed(() => renders.data.value?.renders.filter(render => render.status === 'succeeded'))
  return { ...renders, finished }
}
