// A 401 from any API call while this tab believes it is signed in: the access token lapsed while the tab slept, or the
// session ended elsewhere (signed out on another device, password changed). Try the refresh cookie once; when that
// fails too, go to sign-in with the way back (`/login?next=/library/abc`), never render the refusal as an empty list.
// Done once here, for every $fetch and useFetch, by wrapping the client's global $fetch.
export default defineNuxtPlugin((nuxtApp) => {
  const { status } = useAuth()
  const { data, setToken, clearToken } = useAuthState()
  const router = nuxtApp.$router as ReturnType<typeof useRouter>
  let handling: Promise<void> | undefined

  async function sessionEnded() {
    try {
      const { token } = await $fetch<{ token: string }>('/api/auth/refresh', { method: 'POST' })
      setToken(token)
      await refreshNuxtData()
      return
    }
    catch {
      // The refresh cookie is gone or revoked too: the session has ended.
    }
    const returnTo = router.currentRoute.value.fullPath
    clearToken()
    data.value = null
    await nuxtApp.runWithContext(() => navigateTo(signInLocation(returnTo)))
  }

  const base = globalThis.$fetch
  globalThis.$fetch = base.create({
    async onResponseError({ request, response }) {
      const url = typeof request === 'string' ? request : request.url
      // Sign-in's own refusals (a wrong password, a spent refresh token) are answered where they happen.
      if (response.status !== 401 || status.value !== 'authenticated' || url.includes('/api/auth/')) return
      handling ??= sessionEnded().finally(() => {
        handling = undefined
      })
      await handling
    },
  }) as typeof base
})
