import { randomBytes } from 'node:crypto'
import type { Prisma, PrismaClient } from '../../generated/prisma/client'
import type { Role } from '../../../shared/permissions'
import { recordAudit } from '../audit'
import { notFound } from '../errors'

type Db = PrismaClient | Prisma.TransactionClient

function slugFor(name: string): string {
  const base = name.normalize('NFKD').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'workspace'
  return `${base}-${randomBytes(3).toString('hex')}`
}

export interface NewWorkspace { name: string, timeZone?: string }

/** A workspace with `ownerId` as its owner. */
export async function createWorkspace(db: Db, ownerId: string, input: NewWorkspace) {
  const workspace = await db.workspace.create({
    data: {
      name: input.name, slug: slugFor(input.name), timeZone: input.timeZone ?? 'UTC',
      memberships: { create: { userId: ownerId, role: 'owner' } },
    },
  })
  await recordAudit(db, { action: 'workspace.created', workspaceId: workspace.id, actorId: ownerId, targetType: 'workspace', targetId: workspace.id, metadata: { name: workspace.name } })
  return workspace
}

/** The workspaces a user belongs to, with the user's role in each, oldest membership first. */
export async function listWorkspacesFor(db: PrismaClient, userId: string) {
  const memberships = await db.membership.findMany({
    where: { userId },
    orderBy: { createdAt: 'asc' },
    select: { role: true, workspace: { select: { id: true, name: true, slug: true, timeZone: true, postsNeedApproval: true } } },
  })
  return memberships.map(membership => ({ ...membership.workspace, role: membership.role as Role }))
}

export async function getWorkspace(db: PrismaClient, workspaceId: string) {
  const workspace = await db.workspace.findUnique({
    where: { id: workspaceId },
    select: { id: true, name: true, slug: true, timeZone: true, postsNeedApproval: true, createdAt: true },
  })
  if (!workspace) throw notFound('The workspace')
  return workspace
}

export interface WorkspaceSettings { name?: string, timeZone?: string, postsNeedApproval?: boolean }

export async function updateWorkspace(db: PrismaClient, workspaceId: string, actorId: string, settings: WorkspaceSettings) {
  const workspace = await db.workspace.update({
    where: { id: workspaceId },
    data: settings,
    select: { id: true, name: true, slug: true, timeZone: true, postsNeedApproval: true, createdAt: true },
  })
  await recordAudit(db, {
    action: 'workspace.updated', workspaceId, actorId, targetType: 'workspace', targetId: workspaceId,
    metadata: Object.fromEntries(Object.entries(settings).map(([key, value]) => [key, value ?? null])),
  })
  return workspace
}
