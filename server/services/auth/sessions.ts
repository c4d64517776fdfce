import type { SessionData } from '#shared/workspaces'
import type { PrismaClient } from '../../generated/prisma/client'
import { recordAudit } from '../audit'
import { unauthorized } from '../errors'
import { hashOpaqueToken, newOpaqueToken, REFRESH_TOKEN_DAYS } from './tokens'

const DAY_MS = 24 * 60 * 60 * 1000
// Two tabs (or a browser restoring its tabs) may present the same token within moments of each other.
// Within this window a repeat gets a fresh token of the same chain instead of ending the session.
export const REUSE_GRACE_MS = 20_000

export interface RequestMeta { ip?: string, userAgent?: string }

export interface IssuedRefresh { userId: string, sessionId: string, refreshToken: string, refreshExpiresAt: Date }

/** A new signed-in device: a session and the first refresh token of its chain. */
export async function startSession(db: PrismaClient, userId: string, meta: RequestMeta, now = new Date()): Promise<IssuedRefresh> {
  const refresh = newOpaqueToken()
  const refreshExpiresAt = new Date(now.getTime() + REFRESH_TOKEN_DAYS * DAY_MS)
  const session = await db.authSession.create({
    data: {
      userId, ip: meta.ip, userAgent: meta.userAgent?.slice(0, 300), expiresAt: refreshExpiresAt,
      refreshTokens: { create: { tokenHash: refresh.hash, expiresAt: refreshExpiresAt } },
    },
  })
  return { userId, sessionId: session.id, refreshToken: refresh.token, refreshExpiresAt }
}

/**
 * Trades a refresh token for a new one. A token works once: presenting it again means it was copied,
 * so the whole session (every token in its chain) is revoked.
 */
export async function rotateRefreshToken(db: PrismaClient, token: string, meta: RequestMeta, now = new Date()): Promise<IssuedRefresh> {
  const stored = await db.refreshToken.findUnique({ where: { tokenHash: hashOpaqueToken(token) }, include: { session: true } })
  if (!stored || stored.session.revokedAt || stored.session.expiresAt <= now || stored.expiresAt <= now) {
    throw unauthorized('Your session has ended. Sign in again.')
  }
  // Marking it used only if nobody else has; a repeat after the grace window means the token was copied.
  const claimed = stored.usedAt ? 0 : (await db.refreshToken.updateMany({ where: { id: stored.id, usedAt: null }, data: { usedAt: now } })).count
  const usedAt = stored.usedAt ?? (claimed === 0 ? (await db.refreshToken.findUnique({ where: { id: stored.id } }))?.usedAt : undefined)
  const withinGrace = usedAt !== undefined && usedAt !== null && now.getTime() - usedAt.getTime() <= REUSE_GRACE_MS
  if (claimed === 0 && !withinGrace) {
    await revokeSession(db, stored.sessionId, 'refresh_reuse')
    await recordAudit(db, { action: 'auth.refresh_reuse', actorId: stored.session.userId, targetType: 'session', targetId: stored.sessionId, ip: meta.ip, userAgent: meta.userAgent })
    throw unauthorized('This sign-in was ended because its refresh token was used twice. Sign in again.')
  }
  const refresh = newOpaqueToken()
  const refreshExpiresAt = new Date(now.getTime() + REFRESH_TOKEN_DAYS * DAY_MS)
  await db.$transaction([
    db.refreshToken.create({ data: { sessionId: stored.sessionId, tokenHash: refresh.hash, expiresAt: refreshExpiresAt } }),
    db.authSession.update({ where: { id: stored.sessionId }, data: { lastUsedAt: now, expiresAt: refreshExpiresAt, ip: meta.ip } }),
  ])
  return { userId: stored.session.userId, sessionId: stored.sessionId, refreshToken: refresh.token, refreshExpiresAt }
}

export async function revokeSession(db: PrismaClient, sessionId: string, reason: string): Promise<void> {
  await db.authSession.updateMany({ where: { id: sessionId, revokedAt: null }, data: { revokedAt: new Date(), revokedReason: reason } })
}

/** "Sign out of all devices". Returns how many sessions ended. */
export async function revokeAllSessions(db: PrismaClient, userId: string, reason: string): Promise<number> {
  const { count } = await db.authSession.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: new Date(), revokedReason: reason } })
  return count
}

export interface ActiveUser { id: string, email: string, name: string | null }

// Raw SQL on purpose: this runs on every authenticated request, and one hand-written query by primary key costs
// a fraction of the ORM's per-query work (bench/auth.ts).
/** The user behind a live session, or undefined when it was revoked or has expired. */
export async function findActiveSessionUser(db: PrismaClient, sessionId: string, userId: string, now = new Date()): Promise<ActiveUser | undefined> {
  const rows = await db.$queryRaw<ActiveUser[]>`
    SELECT u.id::text AS id, u.email, u.name
    FROM "AuthSession" s JOIN "User" u ON u.id = s."userId"
    WHERE s.id = ${sessionId}::uuid AND s."userId" = ${userId}::uuid AND s."revokedAt" IS NULL AND s."expiresAt" > ${now}`
  return rows[0]
}

/** What GET /api/auth/session answers (the shape the pages read). */
export type SessionView = SessionData

/** A session view, with the instant the session itself expires (how long it may be remembered). */
export interface LoadedSession { view: SessionView, expiresAt: Date }

/** What the app asks for on every page load: the user of a live session and their workspaces, in one round trip. */
export async function loadSession(db: PrismaClient, sessionId: string, userId: string, now = new Date()): Promise<LoadedSession | undefined> {
  const rows = await db.$queryRaw<(SessionView['user'] & { workspaces: SessionView['workspaces'], expiresAt: Date })[]>`
    SELECT u.id::text AS id, u.email, u.name, (u."emailVerifiedAt" IS NOT NULL) AS "emailVerified", s."expiresAt",
      COALESCE((SELECT json_agg(json_build_object('id', w.id, 'name', w.name, 'slug', w.slug, 'timeZone', w."timeZone",
                  'postsNeedApproval', w."postsNeedApproval", 'lateLimitMinutes', w."lateLimitMinutes", 'role', m.role) ORDER BY m."createdAt")
                FROM "Membership" m JOIN "Workspace" w ON w.id = m."workspaceId" WHERE m."userId" = u.id), '[]'::json) AS workspaces
    FROM "AuthSession" s JOIN "User" u ON u.id = s."userId"
    WHERE s.id = ${sessionId}::uuid AND s."userId" = ${userId}::uuid AND s."revokedAt" IS NULL AND s."expiresAt" > ${now}`
  const row = rows[0]
  if (!row) return undefined
  return { view: { user: { id: row.id, email: row.email, name: row.name, emailVerified: row.emailVerified }, workspaces: row.workspaces }, expiresAt: row.expiresAt }
}
