import type { H3Event } from 'h3'
import { z } from 'zod'
import { permissions, roleAllows, roleWithArticle, type Permission, type Role } from '#shared/permissions'
import { uuidParam } from '#shared/auth'
import { findActiveSessionUser, loadSession, type ActiveUser, type IssuedRefresh, type RequestMeta, type SessionView } from '../services/auth/sessions'
import { ACCESS_TOKEN_SECONDS, signAccessToken, verifyAccessToken, type AccessClaims } from '../services/auth/tokens'
import { forbidden, notFound, unauthorized } from '../services/errors'
import { pickClientAddress } from '../services/security/client-address'

export const ACCESS_COOKIE = 'auth.token'
export const REFRESH_COOKIE = 'rw_refresh'

export interface SessionUser { id: string, email: string, name: string | null, sessionId: string }

/**
 * The client's address, for rate limits, the audit trail and sessions alike. Behind TRUST_PROXY, the entry our own
 * proxy appended to X-Forwarded-For: the entries left of it are whatever the client chose to write.
 */
export function clientAddress(event: H3Event): string | undefined {
  return pickClientAddress(event.node.req.headers['x-forwarded-for'], event.node.req.socket?.remoteAddress, useServerConfig().trustedProxyHops)
}

export function requestMeta(event: H3Event): RequestMeta {
  return {
    ip: clientAddress(event),
    userAgent: getRequestHeader(event, 'user-agent') ?? undefined,
  }
}

function accessTokenFrom(event: H3Event): string | undefined {
  const header = getRequestHeader(event, 'authorization')
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim()
  return getCookie(event, ACCESS_COOKIE) || undefined
}

/** The claims of a valid access token (signature and expiry only; the session itself is not checked yet), or 401. */
export async function requireAccessClaims(event: H3Event): Promise<AccessClaims> {
  const token = accessTokenFrom(event)
  if (!token) throw unauthorized()
  const claims = await verifyAccessToken(token, useServerConfig().secretKey)
  if (!claims) throw unauthorized('Your session has expired. Sign in again.')
  return claims
}

/** The view of a live session, or undefined once it has ended: from this process's memory when that can be trusted. */
export function findSessionView(sessionId: string, userId: string): Promise<SessionView | undefined> {
  const load = () => loadSession(useDb(), sessionId, userId)
  const cache = useSessionCache()
  return cache ? cache.lookup(sessionId, userId, load) : load().then(loaded => loaded?.view)
}

/** The signed-in user, or 401. The session is checked on every request, so signing out anywhere takes effect at once. */
export async function requireUser(event: H3Event): Promise<SessionUser> {
  const cached = event.context.user as SessionUser | undefined
  if (cached) return cached
  const claims = await requireAccessClaims(event)
  // Without a cache the lighter query will do; with one, the whole view is loaded once and remembered, and kept for
  // requireMember (its roles are as fresh as the session check itself: the same fence covers both).
  let view: SessionView | undefined
  let user: ActiveUser | undefined
  if (useSessionCache()?.live) {
    view = await findSessionView(claims.sessionId, claims.userId)
    user = view?.user
  }
  else {
    user = await findActiveSessionUser(useDb(), claims.sessionId, claims.userId)
  }
  if (!user) throw unauthorized('Your session has ended. Sign in again.')
  event.context.sessionView = view
  event.context.user = { id: user.id, email: user.email, name: user.name, sessionId: claims.sessionId } satisfies SessionUser
  return event.context.user
}

export interface MemberContext { user: SessionUser, workspaceId: string, role: Role }

const workspaceParams = z.object({ workspaceId: uuidParam })

/**
 * The one gate for workspace routes: signed in, a member of the workspace in the URL, with a role that allows `permission`.
 * A workspace the user is not in answers 404, so its existence is not revealed.
 */
export async function requireMember(event: H3Event, permission: Permission): Promise<MemberContext> {
  const user = await requireUser(event)
  const { workspaceId } = await getValidatedRouterParams(event, workspaceParams.parse)
  // The session view lists every membership with its role, so with it in hand no query is needed.
  const view = event.context.sessionView as SessionView | undefined
  const membership = view
    ? view.workspaces.find(workspace => workspace.id === workspaceId)
    : await useDb().membership.findUnique({ where: { workspaceId_userId: { workspaceId, userId: user.id } }, select: { role: true } })
  if (!membership) throw notFound('The workspace')
  const role = membership.role as Role
  if (!roleAllows(role, permission)) {
    throw forbidden(`This needs the ${permissions[permission]} role or higher in this workspace; you are ${roleWithArticle(role)}.`)
  }
  return { user, workspaceId, role }
}

function cookieOptions(maxAgeSeconds: number, httpOnly: boolean) {
  return { httpOnly, secure: useServerConfig().production, sameSite: 'lax' as const, path: '/', maxAge: maxAgeSeconds }
}

/** Signs the access token for a session and sets both cookies: the refresh token is HttpOnly and never reaches scripts. */
export async function issueSession(event: H3Event, issued: IssuedRefresh): Promise<{ token: string, expiresInSeconds: number }> {
  const token = await signAccessToken({ userId: issued.userId, sessionId: issued.sessionId }, useServerConfig().secretKey)
  const refreshSeconds = Math.floor((issued.refreshExpiresAt.getTime() - Date.now()) / 1000)
  setCookie(event, REFRESH_COOKIE, issued.refreshToken, cookieOptions(refreshSeconds, true))
  // The access token cookie is the one @sidebase/nuxt-auth manages in the browser; the server sets it too after a refresh.
  setCookie(event, ACCESS_COOKIE, token, cookieOptions(ACCESS_TOKEN_SECONDS, false))
  return { token, expiresInSeconds: ACCESS_TOKEN_SECONDS }
}

export function clearSessionCookies(event: H3Event): void {
  deleteCookie(event, REFRESH_COOKIE, { path: '/' })
  deleteCookie(event, ACCESS_COOKIE, { path: '/' })
}
