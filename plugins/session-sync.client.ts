// Keeps the session (who you are, your workspaces and your role in each) current without a reload:
// - when the tab comes back into view or the window gets focus: a role changed by an admin on another device shows
//   the moment you look at the tab again;
// - every minute while the tab is visible, for a window left open side by side;
// - at once in every other tab of this browser when this one changes something the session shows (BroadcastChannel).
// The session route is answered from the server's session cache, so this costs little.
const MIN_GAP_MS = 5_000
const VISIBLE_INTERVAL_MS = 60_000

export default defineNuxtPlugin(() => {
  const { status, getSession } = useAuth()
  let last = 0
  let running: Promise<unknown> | undefined

  function refresh(force = false) {
    if (status.value !== 'authenticated' || running) return
    if (!force && Date.now() - last < MIN_GAP_MS) return
    last = Date.now()
    running = getSession({ force: true }).catch(() => {}).finally(() => (running = undefined))
  }

  const channel = typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel('reelwise-session')
  channel?.addEventListener('message', () => refresh(true))
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') refresh()
  })
  window.addEventListener('focus', () => refresh())
  setInterval(() => {
    if (document.visibilityState === 'visible') refresh()
  }, VISIBLE_INTERVAL_MS)

  return {
    provide: {
      /** Tells the other tabs of this browser that the session changed (a role, a workspace, a name). */
      announceSessionChange: () => channel?.postMessage('changed'),
    },
  }
})
