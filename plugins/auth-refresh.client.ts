// Keeps the 15-minute access token fresh while the app is open: shortly before it expires (and when the tab
// comes back into view), trade the HttpOnly refresh cookie for a new one. One tab at a time, through a Web Lock,
// so tabs do not race each other with the same refresh token.
const REFRESH_BEFORE_MS = 2 * 60 * 1000

function expiresAt(token: string | null | undefined): number | undefined {
  const payload = token?.split('.')[1]
  if (!payload) return undefined
  try {
    const { exp } = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: number }
    return exp ? exp * 1000 : undefined
  }
  catch {
    return undefined
  }
}

export default defineNuxtPlugin(() => {
  const { status, signOut } = useAuth()
  const { rawToken, setToken } = useAuthState()
  const router = useRouter()

  async function refreshIfDue() {
    if (status.value !== 'authenticated') return
    const due = (expiresAt(rawToken.value) ?? 0) - REFRESH_BEFORE_MS
    if (Date.now() < due) return
    await navigator.locks.request('reelwise-token-refresh', async () => {
      // Another tab may have refreshed while this one waited; the cookie then holds a fresh token.
      const latest = useCookie<string | null>('auth.token').value
      if (latest && (expiresAt(latest) ?? 0) - REFRESH_BEFORE_MS > Date.now()) {
        setToken(latest)
        return
      }
      try {
        const { token } = await $fetch<{ token: string }>('/api/auth/refresh', { method: 'POST' })
        setToken(token)
      }
      catch {
        // Signed out meanwhile: sign in again, then come back to this page.
        await signOut({ callbackUrl: router.resolve(signInLocation(router.currentRoute.value.fullPath)).fullPath })
      }
    })
  }

  setInterval(refreshIfDue, 30_000)
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') refreshIfDue()
  })
})
