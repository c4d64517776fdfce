// Every minute: the publish jobs of posts due in the next minutes (ahead of time, with startAfter). And nothing stays
// "publishing" or "processing" forever (a complaint about every scheduler): the sweep sends the job a post is owed
// (the queues' stately policy drops one that is already waiting), and fails a post whose processing deadline passed
// or whose publish has been silent for too long, with the reason.
import type { PrismaClient } from '../../generated/prisma/client'
import { SEND_AHEAD_MINUTES, sendIfSoon, type ScheduleJobs } from '../schedule/jobs'
import type { PostWorkerDeps } from './publish'
import { failStuckPost, nextCheckDelaySeconds } from './settle'

/** A publish that has not moved in this long has lost its worker for good (uploads send heartbeats far more often). */
export const PUBLISH_SILENT_MINUTES = 90

export async function sweepPosts(db: PrismaClient, jobs: Pick<PostWorkerDeps, 'sendPublish' | 'sendCheck'> & Pick<ScheduleJobs, 'sendPublishMany'>, now = new Date()): Promise<{ due: number, checks: number, failed: number }> {
  // Due within the send-ahead window and free to go (approved, or needing no approval): pg-boss waits for the time.
  // A job already waiting for a post drops the send (its singleton key), so a sweep every minute sends each post once.
  const due = await db.post.findMany({
    where: { status: 'scheduled', dueAt: { lte: new Date(now.getTime() + SEND_AHEAD_MINUTES * 60_000) }, OR: [{ needsApproval: false }, { approvedAt: { not: null } }] },
    select: { id: true, workspaceId: true, dueAt: true, status: true, needsApproval: true, approvedAt: true },
    orderBy: { dueAt: 'asc' }, take: 5000,
  })
  await sendIfSoon(jobs, due, now)
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
