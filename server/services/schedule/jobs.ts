// Publishing on time: pg-boss does the waiting. A post due within SEND_AHEAD_MINUTES gets its posts.publish job now,
// with startAfter at its time and the singleton key of its (post, account) row, so a second send while one waits is
// dropped. The sweep (every minute) sends the ones that come into that window; a post moved or deleted has its waiting
// job canceled first, and the publish job's claim refuses a post that is not due yet (a cancel that lost a race).
import type { PostJobData } from '../posts/settle'

/** How far ahead a due post's job is queued. The sweep runs every minute, so every post is queued minutes early. */
export const SEND_AHEAD_MINUTES = 10

export interface ScheduleJobs {
  sendPublish: (data: PostJobData, options?: { startAfter?: Date }) => Promise<unknown>
  /** Cancels the post's publish job still waiting (a post moved or deleted). One already running is left to its claim. */
  cancelPublish: (postId: string) => Promise<void>
}

interface Due { id: string, workspaceId: string, dueAt: Date | null, status: string, needsApproval: boolean, approvedAt: Date | null }

/** Whether nothing stands between the post and its publish job but time. */
export const readyToPublish = (post: Due) => post.status === 'scheduled' && !!post.dueAt && (!post.needsApproval || !!post.approvedAt)

/** Sends the publish job of each post due within the window; later ones are left to the sweep. */
export async function sendIfSoon(jobs: Pick<ScheduleJobs, 'sendPublish'>, posts: Due[], now = new Date()): Promise<number> {
  const horizon = now.getTime() + SEND_AHEAD_MINUTES * 60_000
  let sent = 0
  for (const post of posts) {
    if (!readyToPublish(post) || post.dueAt!.getTime() > horizon) continue
    await jobs.sendPublish({ workspaceId: post.workspaceId, postId: post.id }, post.dueAt!.getTime() > now.getTime() ? { startAfter: post.dueAt! } : undefined)
    sent++
  }
  return sent
}
