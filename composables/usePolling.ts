/** Calls `refresh` every `intervalMs` while `active()` holds, in the browser only; stops when the component goes. */
export function usePolling(active: () => boolean, refresh: () => unknown, intervalMs = 3000) {
  let timer: ReturnType<typeof setInterval> | undefined
  const stop = () => {
    clearInterval(timer)
    timer = undefined
  }
  watch(active, (now) => {
    if (import.meta.server) return
    stop()
    if (now) timer = setInterval(refresh, intervalMs)
  }, { immediate: true })
  onBeforeUnmount(stop)
}
