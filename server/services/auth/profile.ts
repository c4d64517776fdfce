// The signed-in person's own account: their name, their password, and what the profile page shows.
import type { PrismaClient } from '../../generated/prisma/client'
import type { AccountProfile } from '#shared/auth'
import { recordAudit } from '../audit'
import { badRequest, conflict } from '../errors'
import { decoyHash, hashPassword, verifyPassword } from './password'
import type { RequestMeta } from './sessions'

export async function getProfile(db: PrismaClient, userId: string, sessionId: string, now = new Date()): Promise<AccountProfile> {
  const [user, otherSessions] = await Promise.all([
    db.user.findUniqueOrThrow({ where: { id: userId }, select: { name: true, email: true, emailVerifiedAt: true, passwordHash: true, supabaseUserId: true, createdAt: true } }),
    db.authSession.count({ where: { userId, revokedAt: null, expiresAt: { gt: now }, id: { not: sessionId } } }),
  ])
  return {
    name: user.name ?? '',
    email: user.email,
    emailVerified: Boolean(user.emailVerifiedAt),
    hasPassword: Boolean(user.passwordHash),
    otherSessions,
    createdAt: user.createdAt.toISOString(),
  }
}

export async function updateProfile(db: PrismaClient, userId: string, input: { name: string }, meta: RequestMeta): Promise<void> {
  await db.user.update({ where: { id: userId }, data: { name: input.name } })
  await recordAudit(db, { action: 'auth.profile_updated', actorId: userId, targetType: 'user', targetId: userId, ip: meta.ip, userAgent: meta.userAgent, metadata: { name: input.name } })
}

/**
 * Changes the password after checking the current one, and ends every other session of the account: whoever might
 * know the old password is signed out everywhere but here. Throws 400 for a wrong current password, which the caller
 * counts against the same limit as failed sign-ins.
 */
export async function changePassword(db: PrismaClient, user: { id: string, sessionId: string }, input: { currentPassword: string, newPassword: string }, meta: RequestMeta): Promise<{ sessionsEnded: number }> {
  const stored = await db.user.findUniqueOrThrow({ where: { id: user.id }, select: { passwordHash: true } })
  if (!stored.passwordHash) {
    await verifyPassword(await decoyHash(), input.currentPassword)
    throw conflict('This account signs in without a password here (through Supabase); there is no password to change.')
  }
  if (!await verifyPassword(stored.passwordHash, input.currentPassword)) throw badRequest('Your current password is not right. Type it again, or sign out and use "Forgot password?".', { field: 'currentPassword' })
  if (input.currentPassword === input.newPassword) throw badRequest('The new password is the same as the current one; choose another.', { field: 'newPassword' })
  const passwordHash = await hashPassword(input.newPassword)
  return db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { passwordHash } })
    const { count } = await tx.authSession.updateMany({ where: { userId: user.id, revokedAt: null, id: { not: user.sessionId } }, data: { revokedAt: new Date(), revokedReason: 'password_changed' } })
    // Reset links sent for the old password must not set another one behind the person's back.
    await tx.emailToken.updateMany({ where: { userId: user.id, purpose: 'password_reset', usedAt: null }, data: { usedAt: new Date() } })
    await recordAudit(tx, { action: 'auth.password_changed', actorId: user.id, targetType: 'user', targetId: user.id, ip: meta.ip, userAgent: meta.userAgent, metadata: { sessionsEnded: count } })
    return { sessionsEnded: count }
  })
}
