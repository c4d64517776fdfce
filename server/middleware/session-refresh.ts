import { rotateRefreshToken } from '../services/auth/sessions'
import { verifyAccessToken } from '../services/auth/tokens'

// A page load after the 15-minute access token has lapsed: trade the HttpOnly refresh cookie for a new
// access token before the page renders, so a returning user is not sent to the sign-in page.
export default defineEventHandler(async (event) => {
  if (event.method !== 'GET' || event.path.startsWith('/api/') || event.path.startsWith('/_') || event.path === '/health') return
  if (!getRequestHeader(event, 'accept')?.includes('text/html')) return
  const refreshToken = getCookie(event, REFRESH_COOKIE)
  if (!refreshToken) return
  const accessToken = getCookie(event, ACCESS_COOKIE)
  if (accessToken && await verifyAccessToken(accessToken, useServerConfig().secretKey)) return
  try {
    const { token } = await issueSession(event, await rotateRefreshToken(useDb(), refreshToken, requestMeta(event)))
    // The page renders from this request's cookies, so it must see the new token too.
    const others = (getRequestHeader(event, 'cookie') ?? '').split(';').map(part => part.trim()).filter(part => part && !part.startsWith(`${ACCESS_COOKIE}=`))
    event.node.req.headers.cookie = [...others, `${ACCESS_COOKIE}=${token}`].join('; ')
  }
  catch {
    clearSessionCookies(event)
  }
})
