import type { BrandGoal, BrandProfile, brandProfileSchema } from '#shared/brand'
import { brandGoalSchema } from '#shared/brand'
import type { z } from 'zod'
import type { PrismaClient } from '../../generated/prisma/client'
import { recordAudit } from '../audit'

// The workspace's brand profile. The model allows several per workspace (a later agency view); today the first
// one made is the workspace's, and saving updates it.

const select = { id: true, name: true, niche: true, audience: true, goals: true, platforms: true, cadence: true, voice: true, updatedAt: true } as const

// Goals are JSON: anything stored that no longer fits the schema is left out rather than failing the page.
function goalsOf(stored: unknown): BrandGoal[] {
  return Array.isArray(stored)
    ? stored.flatMap((goal) => {
        const parsed = brandGoalSchema.safeParse(goal)
        return parsed.success ? [parsed.data] : []
      })
    : []
}

export async function getBrandProfile(db: PrismaClient, workspaceId: string): Promise<BrandProfile> {
  const row = await db.brandProfile.findFirst({ where: { workspaceId }, orderBy: { createdAt: 'asc' }, select })
  if (!row) {
    const workspace = await db.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { name: true } })
    return { saved: false, updatedAt: null, name: workspace.name, niche: '', audience: '', goals: [], platforms: [], cadence: '', voice: '' }
  }
  return {
    saved: true,
    updatedAt: row.updatedAt.toISOString(),
    name: row.name,
    niche: row.niche ?? '',
    audience: row.audience ?? '',
    goals: goalsOf(row.goals),
    platforms: row.platforms,
    cadence: row.cadence ?? '',
    voice: row.voice ?? '',
  }
}

export async function saveBrandProfile(db: PrismaClient, workspaceId: string, actorId: string, input: z.output<typeof brandProfileSchema>): Promise<BrandProfile> {
  const data = {
    name: input.name,
    niche: input.niche || null,
    audience: input.audience || null,
    goals: input.goals,
    platforms: input.platforms,
    cadence: input.cadence || null,
    voice: input.voice || null,
  }
  await db.$transaction(async (tx) => {
    // Serialised per workspace, so two first saves at once cannot make two profiles.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`brand:${workspaceId}`}))`
    const existing = await tx.brandProfile.findFirst({ where: { workspaceId }, orderBy: { createdAt: 'asc' }, select: { id: true } })
    if (existing) await tx.brandProfile.update({ where: { id: existing.id }, data })
    else await tx.brandProfile.create({ data: { ...data, workspaceId } })
    await recordAudit(tx, { action: 'brand.updated', workspaceId, actorId, targetType: 'brand', targetId: workspaceId })
  })
  return getBrandProfile(db, workspaceId)
}
