import type { ScriptList } from '#shared/scripts'

/** The workspace's scripts, the batches being written and the last one that failed. */
export function useScripts() {
  const { current } = useWorkspace()
  return useApi<ScriptList>(() => `/api/workspaces/${current.value?.id}/scripts`, {
    key: () => `scripts-${current.value?.id}`,
    immediate: Boolean(current.value),
    lazy: true,
  })
}
