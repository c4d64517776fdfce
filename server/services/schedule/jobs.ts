// Publishing on time: pg-boss does the waiting. A post due within SEND_AHEAD_MINUTES gets its posts.publish job now,
// with startAfter at its time and the singleton key of its (post, account) row, so a second send while one waits is
// dropped. The sweep (every minute) sends the ones that come into that window; a post moved or deleted has its waiting
// job canceled first, and the publish job's claim refuses a post that is not due yet (a cancel that lost a race).
import type { PostJobData } from '../posts/settle'

/** How far ahead a due post's job is queued. The sweep runs every minute, so every post is queued minutes early. */
export const SEND_AHEAD_MINUTES = 10

export interface ScheduleJobs {
  sendPublish: (data: PostJobData, options?: { startAfter?: Date }) => Promise<unknown>
  /** The same for many posts in one statement (the sweep sends every post of the window, every minute); returns how many were new. */
  sendPublishMany?: (jobs: { data: PostJobData, startAfter?: Date }[]) => Promise<number>
  /** Cancels the post's publish job still waiting (a post moved or deleted). One already running is left to its claim. */
  cancelPublish: (postId: string) => Promise<void>
}

interface Due { id: string, workspaceId: string, dueAt: Date | null, status: string, needsApproval: boolean, approvedAt: Date | null }

/** Whether nothing stands between the post and its publish job but time. */
export const readyToPublish = (post: Due) => post.status === 'scheduled' && !!post.dueAt && (!post.needsApproval || !!post.approvedAt)

/** Sends the publish job of each post due within the window; later ones are left to the sweep. */
export async function sendIfSoon(jobs: Pick<ScheduleJobs, 'sendPublish' | 'sendPublishMany'>, posts: Due[], now = new Date()): Promise<number> {
  const horizon = now.getTime() + SEND_AHEAD_MINUTES * 60_000
  const soon = posts.filter(post => readyToPublish(post) && post.dueAt!.getTime() <= horizon).map(post => ({
    data: { workspaceId: post.workspaceId, postId: post.id },
    startAfter: post.dueAt!.getTime() > now.getTime() ? post.dueAt! : undefined,
  }))
  // One statement for a sweep's thousands; a job already waiting for its post is skipped by its singleton key either way.
  if (jobs.sendPublishMany && soon.length > 1) await jobs.sendPublishMany(soon)
  else for (const job of soon) await jobs.sendPublish(job.data, job.startAfter ? { startAfter: job.startAfter } : undefined)
  return soon.length
}
