// What a workspace keeps in media storage, for its quota: source videos (and uploads in progress, by their
// declared size), their analysis pictures, renders (output, preview, thumbnail) and Studio assets.
import type { PrismaClient } from '../../generated/prisma/client'
import { formatBytes } from '#shared/library'

type Reader = Pick<PrismaClient, 'video' | 'videoAnalysis' | 'render' | 'studioAsset' | '$executeRaw'>

/** Every byte the workspace keeps, from the rows that record them. */
export async function workspaceUsedBytes(db: Reader, workspaceId: string): Promise<number> {
  // One after the other: inside an interactive transaction the client runs one query at a time anyway.
  const videos = await db.video.aggregate({ where: { workspaceId, deletedAt: null }, _sum: { sizeBytes: true } })
  const pictures = await db.videoAnalysis.aggregate({ where: { workspaceId }, _sum: { storedBytes: true } })
  const renders = await db.render.aggregate({ where: { workspaceId }, _sum: { storedBytes: true } })
  const assets = await db.studioAsset.aggregate({ where: { workspaceId }, _sum: { sizeBytes: true } })
  return [videos._sum.sizeBytes, pictures._sum.storedBytes, renders._sum.storedBytes, assets._sum.sizeBytes]
    .reduce<number>((total, bytes) => total + Number(bytes ?? 0), 0)
}

/** Takes the workspace's quota lock for the rest of the transaction, so two writers cannot both squeeze under it. */
export async function lockWorkspaceQuota(tx: Reader, workspaceId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`quota:${workspaceId}`}, 0))`
}

/** The refusal for work whose size is known only once done (a render) when the quota is used up, or null. */
export function storageFullRefusal(usedBytes: number, quotaBytes: number): string | null {
  if (usedBytes < quotaBytes) return null
  return `Your workspace has used its storage (${formatBytes(usedBytes)} of its ${formatBytes(quotaBytes)}). Delete videos, renders or Studio assets you no longer need, or ask the owner to raise the quota, then render again.`
}

/** The refusal when `sizeBytes` more would pass the quota, or null when they fit. */
export function quotaRefusal(sizeBytes: number, usedBytes: number, quotaBytes: number): string | null {
  if (usedBytes + sizeBytes <= quotaBytes) return null
  return `This upload (${formatBytes(sizeBytes)}) does not fit: the workspace uses ${formatBytes(usedBytes)} of its ${formatBytes(quotaBytes)}. Delete videos, renders or Studio assets you no longer need, or ask the owner to raise the quota.`
}
