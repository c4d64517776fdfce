import type { Prisma, PrismaClient } from '../../generated/prisma/client'
import { outranks, type Role } from '#shared/permissions'
import type { OpenInvite } from '#shared/workspaces'
import { recordAudit } from '../audit'
import { conflict, forbidden, notFound, ServiceError } from '../errors'
import { hashOpaqueToken, newOpaqueToken } from '../auth/tokens'

const DAY_MS = 24 * 60 * 60 * 1000

export interface InviteInput { role: Role, email?: string, expiresInDays: number }

/** Creates a single-use invite link. The token is returned once and only its hash is kept. */
export async function createInvite(db: PrismaClient, workspaceId: string, actor: { id: string, role: Role }, input: InviteInput, now = new Date()) {
  if (outranks(input.role, actor.role)) throw forbidden(`You can invite people as ${actor.role} or below, not as ${input.role}.`)
  const { token, hash } = newOpaqueToken()
  const invite = await db.invite.create({
    data: { workspaceId, role: input.role, email: input.email, tokenHash: hash, invitedById: actor.id, expiresAt: new Date(now.getTime() + input.expiresInDays * DAY_MS) },
    select: { id: true, role: true, email: true, expiresAt: true, createdAt: true },
  })
  await recordAudit(db, { action: 'invite.created', workspaceId, actorId: actor.id, targetType: 'invite', targetId: invite.id, metadata: { role: input.role, email: input.email ?? null } })
  return { ...invite, token }
}

export async function listOpenInvites(db: PrismaClient, workspaceId: string, now = new Date()): Promise<OpenInvite[]> {
  const invites = await db.invite.findMany({
    where: { workspaceId, acceptedAt: null, revokedAt: null, expiresAt: { gt: now } },
    orderBy: { createdAt: 'desc' },
    select: { id: true, role: true, email: true, expiresAt: true, createdAt: true, invitedBy: { select: { name: true, email: true } } },
  })
  return invites.map(invite => ({ ...invite, role: invite.role as Role, expiresAt: invite.expiresAt.toISOString(), createdAt: invite.createdAt.toISOString() }))
}

export async function revokeInvite(db: PrismaClient, workspaceId: string, inviteId: string, actorId: string) {
  const { count } = await db.invite.updateMany({ where: { id: inviteId, workspaceId, acceptedAt: null, revokedAt: null }, data: { revokedAt: new Date() } })
  if (count === 0) throw notFound('The invite')
  await recordAudit(db, { action: 'invite.revoked', workspaceId, actorId, targetType: 'invite', targetId: inviteId })
}

type InviteState = 'open' | 'used' | 'expired' | 'revoked'

function stateOf(invite: { acceptedAt: Date | null, revokedAt: Date | null, expiresAt: Date }, now: Date): InviteState {
  if (invite.acceptedAt) return 'used'
  if (invite.revokedAt) return 'revoked'
  if (invite.expiresAt <= now) return 'expired'
  return 'open'
}

const refusal: Record<Exclude<InviteState, 'open'>, string> = {
  used: 'This invite has already been used. Ask for a new link.',
  expired: 'This invite has expired. Ask for a new link.',
  revoked: 'This invite was withdrawn. Ask for a new link.',
}

/** What the invite page shows before anyone signs in: the workspace, the role and whether it still works. */
export async function previewInvite(db: PrismaClient, token: string, now = new Date()) {
  const invite = await db.invite.findUnique({
    where: { tokenHash: hashOpaqueToken(token) },
    select: { role: true, email: true, expiresAt: true, acceptedAt: true, revokedAt: true, workspace: { select: { name: true } }, invitedBy: { select: { name: true } } },
  })
  if (!invite) throw notFound('The invite')
  const state = stateOf(invite, now)
  return { workspaceName: invite.workspace.name, role: invite.role, email: invite.email, invitedBy: invite.invitedBy?.name ?? null, expiresAt: invite.expiresAt, state, problem: state === 'open' ? null : refusal[state] }
}

// The invite behind a token, if it is still open and meant for this address.
async function openInviteFor(tx: Prisma.TransactionClient, token: string, email: string, now: Date) {
  const invite = await tx.invite.findUnique({ where: { tokenHash: hashOpaqueToken(token) } })
  if (!invite) throw notFound('The invite')
  const state = stateOf(invite, now)
  if (state !== 'open') throw conflict(refusal[state])
  if (invite.email && invite.email !== email) throw forbidden(`This invite is for ${invite.email}. Sign in with that address, or ask for a new link.`)
  return invite
}

/**
 * Uses an invite for `userId`, inside the caller's transaction. Single use is enforced by a conditional update,
 * so two people racing with one link cannot both get in. An invite bound to an address needs that address verified:
 * holding the link proves nothing about who reads the mail.
 */
export async function acceptInvite(tx: Prisma.TransactionClient, token: string, user: { id: string, email: string }, now = new Date()) {
  const invite = await openInviteFor(tx, token, user.email, now)
  if (invite.email) {
    const { emailVerifiedAt } = await tx.user.findUniqueOrThrow({ where: { id: user.id }, select: { emailVerifiedAt: true } })
    if (!emailVerifiedAt) {
      throw new ServiceError(403, `This invite is for a confirmed ${invite.email}. Confirm your address first: open the link we e-mailed to it (or send a new one), then accept the invite again.`, { reason: 'email_unverified' })
    }
  }
  const existing = await tx.membership.findUnique({ where: { workspaceId_userId: { workspaceId: invite.workspaceId, userId: user.id } } })
  if (existing) throw conflict('You are already a member of this workspace.')
  const { count } = await tx.invite.updateMany({ where: { id: invite.id, acceptedAt: null, revokedAt: null }, data: { acceptedAt: now, acceptedById: user.id } })
  if (count === 0) throw conflict(refusal.used)
  await tx.membership.create({ data: { workspaceId: invite.workspaceId, userId: user.id, role: invite.role } })
  await recordAudit(tx, { action: 'invite.accepted', workspaceId: invite.workspaceId, actorId: user.id, targetType: 'invite', targetId: invite.id, metadata: { role: invite.role } })
  return { workspaceId: invite.workspaceId, role: invite.role as Role }
}

/**
 * Sign-up through an invite: joins at once, unless the invite is bound to an address the new account has not
 * verified yet. Then the account is made without a workspace, and the invite waits for the address to be confirmed.
 */
export async function joinOnSignUp(tx: Prisma.TransactionClient, token: string, user: { id: string, email: string, emailVerifiedAt: Date | null }, now = new Date()): Promise<string | null> {
  const invite = await openInviteFor(tx, token, user.email, now)
  if (invite.email && !user.emailVerifiedAt) return null
  return (await acceptInvite(tx, token, user, now)).workspaceId
}
