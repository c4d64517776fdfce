import type { SessionData } from '#shared/workspaces'

// What @sidebase/nuxt-auth calls getSession, on every page load: who is signed in and which workspaces they can open.
export default defineEventHandler(async (event): Promise<SessionData> => {
  const claims = await requireAccessClaims(event)
  const view = await findSessionView(claims.sessionId, claims.userId)
  if (!view) throw createError({ status: 401, statusText: 'Your session has ended. Sign in again.' })
  return view
})
