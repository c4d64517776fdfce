import type { ScriptDetail } from '#shared/scripts'

/** One script, to read and edit. */
export function useScript(scriptId: MaybeRefOrGetter<string>) {
  const { current } = useWorkspace()
  return useApi<ScriptDetail>(() => `/api/workspaces/${current.value?.id}/scripts/${toValue(scriptId)}`, {
    key: () => `script-${current.value?.id}-${toValue(scriptId)}`,
    immediate: Boolean(current.value),
  })
}
