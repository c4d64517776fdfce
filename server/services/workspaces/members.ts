import type { Prisma, PrismaClient } from '../../generated/prisma/client'
import { outranks, type Role } from '#shared/permissions'
import type { WorkspaceMember } from '#shared/workspaces'
import { recordAudit } from '../audit'
import { conflict, forbidden, notFound } from '../errors'

const LAST_OWNER = 'A workspace needs at least one owner. Make someone else an owner first.'

export async function listMembers(db: PrismaClient, workspaceId: string): Promise<WorkspaceMember[]> {
  const members = await db.membership.findMany({
    where: { workspaceId },
    orderBy: { createdAt: 'asc' },
    select: { id: true, role: true, createdAt: true, user: { select: { id: true, name: true, email: true, lastSignInAt: true } } },
  })
  return members.map(({ createdAt, user, ...member }) => ({
    ...member,
    role: member.role as Role,
    createdAt: createdAt.toISOString(),
    user: { ...user, lastSignInAt: user.lastSignInAt?.toISOString() ?? null },
  }))
}

// Locks the owner rows, so two owners demoting each other at once cannot leave the workspace with none.
async function ownerCount(tx: Prisma.TransactionClient, workspaceId: string): Promise<number> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Membership" WHERE "workspaceId" = ${workspaceId}::uuid AND role = 'owner' FOR UPDATE`
  return rows.length
}

async function findMember(tx: Prisma.TransactionClient, workspaceId: string, memberId: string) {
  const member = await tx.membership.findFirst({ where: { id: memberId, workspaceId }, include: { user: { select: { email: true } } } })
  if (!member) throw notFound('The member')
  return { ...member, role: member.role as Role }
}

// Nobody changes someone above them, and only owners make or unmake owners.
function assertCanManage(actor: { role: Role }, target: Role, next?: Role) {
  if (outranks(target, actor.role)) throw forbidden(`Only an ${target === 'owner' ? 'owner' : 'admin or owner'} can change a ${target}.`)
  if ((target === 'owner' || next === 'owner') && actor.role !== 'owner') throw forbidden('Only an owner can make or unmake owners.')
}

export async function changeRole(db: PrismaClient, workspaceId: string, actor: { id: string, role: Role }, memberId: string, role: Role) {
  return db.$transaction(async (tx) => {
    const member = await findMember(tx, workspaceId, memberId)
    assertCanManage(actor, member.role, role)
    if (member.role === 'owner' && role !== 'owner' && await ownerCount(tx, workspaceId) <= 1) throw conflict(LAST_OWNER)
    const updated = await tx.membership.update({ where: { id: member.id }, data: { role }, select: { id: true, role: true } })
    await recordAudit(tx, { action: 'member.role_changed', workspaceId, actorId: actor.id, targetType: 'member', targetId: member.userId, metadata: { email: member.user.email, from: member.role, to: role } })
    return updated
  })
}

export async function removeMember(db: PrismaClient, workspaceId: string, actor: { id: string, role: Role }, memberId: string) {
  await db.$transaction(async (tx) => {
    const member = await findMember(tx, workspaceId, memberId)
    if (member.userId === actor.id) throw conflict('To leave the workspace yourself, use Leave.')
    assertCanManage(actor, member.role)
    if (member.role === 'owner' && await ownerCount(tx, workspaceId) <= 1) throw conflict(LAST_OWNER)
    await tx.membership.delete({ where: { id: member.id } })
    await recordAudit(tx, { action: 'member.removed', workspaceId, actorId: actor.id, targetType: 'member', targetId: member.userId, metadata: { email: member.user.email, role: member.role } })
  })
}

export async function leaveWorkspace(db: PrismaClient, workspaceId: string, userId: string) {
  await db.$transaction(async (tx) => {
    const member = await tx.membership.findUnique({ where: { workspaceId_userId: { workspaceId, userId } } })
    if (!member) throw notFound('The workspace')
    if (member.role === 'owner' && await ownerCount(tx, workspaceId) <= 1) throw conflict(LAST_OWNER)
    await tx.membership.delete({ where: { id: member.id } })
    await recordAudit(tx, { action: 'member.left', workspaceId, actorId: userId, targetType: 'member', targetId: userId })
  })
}
