import { randomBytes } from 'node:crypto'
import type { Prisma, PrismaClient } from '../../generated/prisma/client'
import type { Role } from '#shared/permissions'
import { recordAudit } from '../audit'
import { conflict, notFound } from '../errors'

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

/** How many workspaces one account may own: enough for a creator with several brands, too few to farm storage quotas. */
export const MAX_OWNED_WORKSPACES = 10

// Parallel requests queue on the owner's row lock (and, on the embedded database, on its one session): they wait their turn.
const ownerLockWait = { maxWait: 15_000, timeout: 15_000 }

/** A workspace the user makes for themself (a second brand, a client), refused past MAX_OWNED_WORKSPACES. */
export async function createOwnWorkspace(db: PrismaClient, ownerId: string, input: NewWorkspace) {
  return db.$transaction(async (tx) => {
    // Locking the user's row makes parallel requests count one after another, so none slips past the cap.
    await tx.$queryRaw`SELECT id FROM "User" WHERE id = ${ownerId}::uuid FOR UPDATE`
    const owned = await tx.membership.count({ where: { userId: ownerId, role: 'owner' } })
    if (owned >= MAX_OWNED_WORKSPACES) {
      throw conflict(`You already own ${MAX_OWNED_WORKSPACES} workspaces, the most one account may have. Reuse one you own, or hand one over to another owner first.`)
    }
    return createWorkspace(tx, ownerId, input)
  }, ownerLockWait)
}

/** The workspaces a user belongs to, with the user's role in each, oldest membership first. */
export async function listWorkspacesFor(db: PrismaClient, userId: string) {
  const memberships = await db.membership.findMany({
    where: { userId },
    orderBy: { createdAt: 'asc' },
    select: { role: true, workspace: { select: { id: true, name: true, slug: true, timeZone: true, postsNeedApproval: true, lateLimitMinutes: true } } },
  })
  return memberships.map(membership => ({ ...membership.workspace, role: membership.role as Role }))
}

export async function getWorkspace(db: PrismaClient, workspaceId: string) {
  const workspace = await db.workspace.findUnique({
    where: { id: workspaceId },
    select: { id: true, name: true, slug: true, timeZone: true, postsNeedApproval: true, lateLimitMinutes: true, createdAt: true },
  })
  if (!workspace) throw notFound('The workspace')
  return workspace
}

export interface WorkspaceSettings { name?: string, timeZone?: string, postsNeedApproval?: boolean, lateLimitMinutes?: number }

export async function updateWorkspace(db: PrismaClient, workspaceId: string, actorId: string, settings: WorkspaceSettings) {
  const before = await db.workspace.findUnique({ where: { id: workspaceId }, select: { name: true, timeZone: true, postsNeedApproval: true, lateLimitMinutes: true } })
  // The audit trail records what changed, not every field the form sent back.
  const changed = Object.entries(settings).filter(([key, value]) => value !== undefined && before?.[key as keyof WorkspaceSettings] !== value)
  const workspace = await db.workspace.update({
    where: { id: workspaceId },
    data: settings,
    select: { id: true, name: true, slug: true, timeZone: true, postsNeedApproval: true, lateLimitMinutes: true, createdAt: true },
  })
  await recordAudit(db, {
    action: 'workspace.updated', workspaceId, actorId, targetType: 'workspace', targetId: workspaceId,
    metadata: Object.fromEntries(changed),
  })
  return workspace
}
