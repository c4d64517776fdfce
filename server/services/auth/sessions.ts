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

/** The user behind a live session, or undefined when it was revoked or has expired. Runs on every authenticated request. */
export async function findActiveSessionUser(db: PrismaClient, sessionId: string, userId: string, now = new Date()) {
  const session = await db.authSession.findFirst({
    where: { id: sessionId, userId, revokedAt: null, expiresAt: { gt: now } },
    select: { user: { select: { id: true, email: true, name: true } } },
  })
  return session?.user
}
