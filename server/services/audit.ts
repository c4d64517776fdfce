import { auditSentence, type AuditEntry } from '#shared/audit'
import type { Prisma, PrismaClient } from '../generated/prisma/client'

type Db = PrismaClient | Prisma.TransactionClient

export type AuditAction
  = | 'auth.sign_up' | 'auth.sign_in' | 'auth.sign_in_failed' | 'auth.sign_out' | 'auth.sign_out_everywhere' | 'auth.refresh_reuse'
    | 'auth.password_reset_requested' | 'auth.password_reset' | 'auth.email_verified' | 'auth.password_changed' | 'auth.profile_updated'
    | 'workspace.created' | 'workspace.updated' | 'brand.updated' | 'ai.settings.updated'
    | 'invite.created' | 'invite.revoked' | 'invite.accepted'
    | 'member.role_changed' | 'member.removed' | 'member.left'
    | 'references.imported'
    | 'account.connected' | 'account.disconnected'

export interface AuditInput {
  action: AuditAction
  workspaceId?: string | null
  actorId?: string | null
  targetType?: string
  targetId?: string
  ip?: string
  userAgent?: string
  // Never a secret: e-mails, roles and names only.
  metadata?: Record<string, string | number | boolean | null>
}

export async function recordAudit(db: Db, input: AuditInput): Promise<void> {
  await db.auditEvent.create({
    data: {
      action: input.action,
      workspaceId: input.workspaceId ?? null,
      actorId: input.actorId ?? null,
      targetType: input.targetType,
      targetId: input.targetId,
      ip: input.ip,
      userAgent: input.userAgent?.slice(0, 300),
      metadata: input.metadata ?? {},
    },
  })
}

/** A workspace's audit trail, newest first, as sentences, plus the sign-in events of its members (which belong to no workspace). */
export async function listAudit(db: PrismaClient, workspaceId: string, { before, limit = 50 }: { before?: Date, limit?: number } = {}): Promise<AuditEntry[]> {
  const memberIds = (await db.membership.findMany({ where: { workspaceId }, select: { userId: true } })).map(member => member.userId)
  const events = await db.auditEvent.findMany({
    where: {
      OR: [{ workspaceId }, { workspaceId: null, actorId: { in: memberIds } }],
      ...(before ? { createdAt: { lt: before } } : {}),
    },
    orderBy: { createdAt: 'desc' },
    take: limit,
    select: { id: true, action: true, createdAt: true, targetType: true, targetId: true, ip: true, metadata: true, actor: { select: { id: true, name: true, email: true } } },
  })
  // A withdrawn invite is named by its address or role, which the event itself does not hold.
  const inviteIds = events.flatMap(event => event.targetType === 'invite' && event.targetId ? [event.targetId] : [])
  const invites = new Map((await db.invite.findMany({ where: { workspaceId, id: { in: inviteIds } }, select: { id: true, email: true, role: true } }))
    .map(invite => [invite.id, invite]))
  return events.map(event => ({
    id: event.id,
    action: event.action,
    sentence: auditSentence({ action: event.action, actor: event.actor, metadata: (event.metadata ?? {}) as Record<string, unknown>, target: event.targetId ? invites.get(event.targetId) : undefined }),
    actor: event.actor,
    ip: event.ip,
    createdAt: event.createdAt.toISOString(),
  }))
}
