// Single-use, expiring links sent by e-mail: password reset and address verification. Like invites and refresh
// tokens, only the token's SHA-256 hash is stored; the token itself exists only in the mail.
import { emailLinkAdvice, invalidEmailLinkMessage, type EmailLinkPurpose } from '#shared/auth'
import type { Prisma, PrismaClient } from '../../generated/prisma/client'
import { recordAudit } from '../audit'
import { badRequest } from '../errors'
import { passwordResetMail, verificationMail } from '../mail/templates'
import type { MailMessage } from '../mail/mailer'
import { hashPassword } from './password'
import type { RequestMeta } from './sessions'
import { hashOpaqueToken, newOpaqueToken } from './tokens'

export const RESET_LINK_MINUTES = 60
export const VERIFICATION_LINK_HOURS = 48

type Db = PrismaClient | Prisma.TransactionClient

/** How mail leaves: the caller decides (in a route, without waiting for the mail server). */
export interface MailLinks { deliver: (message: MailMessage) => void, link: (path: string) => string }

async function issueToken(db: Db, user: { id: string, email: string }, purpose: EmailLinkPurpose, lifetimeMs: number, now: Date): Promise<string> {
  const { token, hash } = newOpaqueToken()
  await db.emailToken.create({ data: { userId: user.id, email: user.email, purpose, tokenHash: hash, expiresAt: new Date(now.getTime() + lifetimeMs) } })
  return token
}

const tokenFields = { userId: true, email: true, purpose: true, usedAt: true, expiresAt: true } as const

// Why a link does not work (or undefined when it does), in words that say what to do next.
function refusal(stored: { purpose: EmailLinkPurpose, usedAt: Date | null, expiresAt: Date } | null, purpose: EmailLinkPurpose, now: Date): string | undefined {
  const again = emailLinkAdvice[purpose]
  if (!stored || stored.purpose !== purpose) return invalidEmailLinkMessage(purpose)
  if (stored.usedAt) return `This link has already been used. ${again}`
  if (stored.expiresAt <= now) return `This link has expired. ${again}`
  return undefined
}

/** Uses a link once: a conditional update, so two clicks racing cannot both succeed. */
async function useToken(tx: Prisma.TransactionClient, token: string, purpose: EmailLinkPurpose, now: Date) {
  const tokenHash = hashOpaqueToken(token)
  const { count } = await tx.emailToken.updateMany({ where: { tokenHash, purpose, usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } })
  const stored = await tx.emailToken.findUnique({ where: { tokenHash }, select: tokenFields })
  const problem = count === 0 ? refusal(stored, purpose, now) ?? refusal(null, purpose, now) : undefined
  if (problem || !stored) throw badRequest(problem!)
  return stored
}

/**
 * "Forgot password?": mails a reset link when a local account has this address. The caller answers the same either
 * way, so the answer does not tell who has an account.
 */
export async function requestPasswordReset(db: PrismaClient, email: string, mail: MailLinks, meta: RequestMeta, now = new Date()): Promise<void> {
  const user = await db.user.findUnique({ where: { email }, select: { id: true, email: true, passwordHash: true } })
  // Accounts that sign in only through Supabase have no password here to reset.
  if (!user?.passwordHash) return
  const token = await issueToken(db, user, 'password_reset', RESET_LINK_MINUTES * 60_000, now)
  await recordAudit(db, { action: 'auth.password_reset_requested', actorId: user.id, targetType: 'user', targetId: user.id, ip: meta.ip, userAgent: meta.userAgent })
  mail.deliver(passwordResetMail(user.email, mail.link(`/reset-password/${token}`), RESET_LINK_MINUTES))
}

/**
 * Sets a new password through a reset link. Every session of the account ends, and every other reset link with it.
 * Reading the mail also proves the address, so it counts as verified from now on.
 */
export async function resetPassword(db: PrismaClient, token: string, password: string, meta: RequestMeta, now = new Date()): Promise<{ userId: string, email: string }> {
  // A cheap look first, so a made-up link costs no argon2 hash; the transaction below still decides.
  const problem = refusal(await db.emailToken.findUnique({ where: { tokenHash: hashOpaqueToken(token) }, select: tokenFields }), 'password_reset', now)
  if (problem) throw badRequest(problem)
  const passwordHash = await hashPassword(password)
  return db.$transaction(async (tx) => {
    const stored = await useToken(tx, token, 'password_reset', now)
    const user = await tx.user.findUniqueOrThrow({ where: { id: stored.userId }, select: { id: true, email: true, emailVerifiedAt: true } })
    if (user.email !== stored.email) throw badRequest('This link was sent to an address this account no longer uses. Ask for a new link.')
    await tx.user.update({ where: { id: user.id }, data: { passwordHash, emailVerifiedAt: user.emailVerifiedAt ?? now } })
    await tx.emailToken.updateMany({ where: { userId: user.id, purpose: 'password_reset', usedAt: null }, data: { usedAt: now } })
    const { count } = await tx.authSession.updateMany({ where: { userId: user.id, revokedAt: null }, data: { revokedAt: now, revokedReason: 'password_reset' } })
    await recordAudit(tx, { action: 'auth.password_reset', actorId: user.id, targetType: 'user', targetId: user.id, ip: meta.ip, userAgent: meta.userAgent, metadata: { sessionsEnded: count } })
    return { userId: user.id, email: user.email }
  })
}

/** Mails a verification link for the account's current address. */
export async function sendVerification(db: Db, user: { id: string, email: string }, mail: MailLinks, now = new Date()): Promise<void> {
  const token = await issueToken(db, user, 'email_verification', VERIFICATION_LINK_HOURS * 3_600_000, now)
  mail.deliver(verificationMail(user.email, mail.link(`/verify-email/${token}`), VERIFICATION_LINK_HOURS))
}

/** "Send the link again", for the signed-in user. Nothing is sent once the address is verified. */
export async function resendVerification(db: PrismaClient, userId: string, mail: MailLinks): Promise<{ sent: true } | { alreadyVerified: true }> {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { id: true, email: true, emailVerifiedAt: true } })
  if (user.emailVerifiedAt) return { alreadyVerified: true }
  await sendVerification(db, user, mail)
  return { sent: true }
}

/** Marks the address verified through a link from its mail. The link works on any device, signed in or not. */
export async function verifyEmail(db: PrismaClient, token: string, meta: RequestMeta, now = new Date()): Promise<{ verified: true, email: string }> {
  return db.$transaction(async (tx) => {
    const stored = await useToken(tx, token, 'email_verification', now)
    const user = await tx.user.findUniqueOrThrow({ where: { id: stored.userId }, select: { id: true, email: true, emailVerifiedAt: true } })
    if (user.email !== stored.email) throw badRequest('This link was sent to an address this account no longer uses. Send a new link from the banner in the app.')
    if (!user.emailVerifiedAt) await tx.user.update({ where: { id: user.id }, data: { emailVerifiedAt: now } })
    await recordAudit(tx, { action: 'auth.email_verified', actorId: user.id, targetType: 'user', targetId: user.id, ip: meta.ip, userAgent: meta.userAgent })
    return { verified: true as const, email: user.email }
  })
}
