// Limits on the job progress streams (server-sent events): each holds a connection and polls the database.
import type { PrismaClient } from '../../generated/prisma/client'
import { findActiveSessionUser } from '../auth/sessions'

/** Open streams one user may hold in this process. Below a browser's six connections per host, so the page itself still loads. */
export const JOB_STREAMS_PER_USER = 5

/** How often an open stream checks that its viewer is still signed in and still a member of the workspace. */
export const JOB_STREAM_RECHECK_MS = 2000

// Per process: with several web instances, each enforces the cap on its own streams.
const openStreams = new Map<string, number>()

/** Takes one of the user's stream slots; returns its release, or undefined when all are taken. */
export function claimJobStream(userId: string): (() => void) | undefined {
  const count = openStreams.get(userId) ?? 0
  if (count >= JOB_STREAMS_PER_USER) return undefined
  openStreams.set(userId, count + 1)
  let released = false
  return () => {
    if (released) return
    released = true
    const left = (openStreams.get(userId) ?? 1) - 1
    if (left > 0) openStreams.set(userId, left)
    else openStreams.delete(userId)
  }
}

/** Whether the viewer may still watch: their session is live and they are still a member of the workspace. */
export async function mayStillWatch(db: PrismaClient, viewer: { userId: string, sessionId: string, workspaceId: string }): Promise<boolean> {
  const [user, membership] = await Promise.all([
    findActiveSessionUser(db, viewer.sessionId, viewer.userId),
    db.membership.findUnique({ where: { workspaceId_userId: { workspaceId: viewer.workspaceId, userId: viewer.userId } }, select: { id: true } }),
  ])
  return Boolean(user && membership)
}
