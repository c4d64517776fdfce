// Nothing stays "publishing" or "processing" forever (a complaint about every scheduler): every few minutes the
// sweep sends the job a post is owed (the queues' stately policy drops one that is already waiting), and fails a post
// whose processing deadline passed or whose publish has been silent for too long, with the reason.
import type { PrismaClient } from '../../generated/prisma/client'
import type { PostWorkerDeps } from './publish'
import { failStuckPost, nextCheckDelaySeconds } from './settle'

/** A publish that has not moved in this long has lost its worker for good (uploads send heartbeats far more often). */
export const PUBLISH_SILENT_MINUTES = 90

export async function sweepPosts(db: PrismaClient, jobs: Pick<PostWorkerDeps, 'sendPublish' | 'sendCheck'>, now = new Date()): Promise<{ due: number, checks: number, failed: number }> {
  const due = await db.post.findMany({ where: { status: 'scheduled', scheduledAt: { lte: now } }, select: { id: true, workspaceId: true }, take: 500 })
  for (const post of due) await jobs.sendPublish({ workspaceId: post.workspaceId, postId: post.id })
  const processing = await db.post.findMany({ where: { status: 'processing' }, select: { id: true, workspaceId: true, checks: true }, take: 500 })
  for (const post of processing) {
    await jobs.sendCheck({ workspaceId: post.workspaceId, postId: post.id }, { startAfter: new Date(now.getTime() + nextCheckDelaySeconds(post.checks) * 1000) })
  }
  const silent = await db.post.findMany({
    where: { status: 'publishing', updatedAt: { lt: new Date(now.getTime() - PUBLISH_SILENT_MINUTES * 60_000) } },
    select: { id: true, workspaceId: true },
  })
  for (const post of silent) await failStuckPost(db, { workspaceId: post.workspaceId, postId: post.id }, `no word from its worker for ${PUBLISH_SILENT_MINUTES} minutes`)
  return { due: due.length, checks: processing.length, failed: silent.length }
}
