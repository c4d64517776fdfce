// What a workspace decides for its posts: the zone its calendar reads, and whether a member's posts wait for approval.
import { roleAllows, type Role } from '#shared/permissions'
import type { PrismaClient } from '../../generated/prisma/client'
import { notFound } from '../errors'

/** Whether posts this member makes wait for an owner's or admin's approval. */
export async function approvalNeeded(db: PrismaClient, actor: { workspaceId: string, role: Role }): Promise<boolean> {
  if (roleAllows(actor.role, 'posts.approve')) return false
  const workspace = await db.workspace.findUnique({ where: { id: actor.workspaceId }, select: { postsNeedApproval: true } })
  return !!workspace?.postsNeedApproval
}

export async function workspaceZone(db: PrismaClient, workspaceId: string): Promise<string> {
  const workspace = await db.workspace.findUnique({ where: { id: workspaceId }, select: { timeZone: true } })
  if (!workspace) throw notFound('The workspace')
  return workspace.timeZone
}
