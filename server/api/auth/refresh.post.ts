import { rotateRefreshToken } from '../../services/auth/sessions'

// Trades the HttpOnly refresh cookie for a new access token and a new refresh token.
export default defineEventHandler(async (event) => {
  const token = getCookie(event, REFRESH_COOKIE)
  if (!token) throw createError({ status: 401, statusText: 'Your session has ended. Sign in again.' })
  try {
    return await issueSession(event, await rotateRefreshToken(useDb(), token, requestMeta(event)))
  }
  catch (error) {
    clearSessionCookies(event)
    throw error
  }
})
