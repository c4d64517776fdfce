// A page that needs a session, opened without one (a reload after signing out, a bookmarked deep link): sign in, then
// come back here. App middleware runs before @sidebase/nuxt-auth's, which would go to /login without the way back.
export default defineNuxtRouteMiddleware((to) => {
  const rule = to.meta.auth as boolean | { unauthenticatedOnly?: boolean } | undefined
  // Public pages (`auth: false`) and the signed-out-only ones (sign-in, sign-up) are sidebase's to handle.
  if (rule === false || (typeof rule === 'object' && rule.unauthenticatedOnly !== false)) return
  // An address that matches no page shows error.vue's "does not exist", signed in or not.
  if (to.matched.length === 0) return
  if (useAuth().status.value !== 'unauthenticated') return
  return navigateTo(signInLocation(to.fullPath))
})
