// Posts as the pages show them: live state, the attempts with the platform's (redacted) replies, the permalink.
import { platformNames } from '#shared/platforms/keys'
import type { PostAttemptView, PostView } from '#shared/posts'
import type { Prisma, PrismaClient } from '../../generated/prisma/client'
import { notFound } from '../errors'

const include = {
  socialAccount: { select: { id: true, platform: true, displayName: true, handle: true, externalId: true } },
  attempts: { orderBy: { number: 'asc' } },
} satisfies Prisma.PostInclude

type Row = Prisma.PostGetPayload<{ include: typeof include }>

function viewOf(row: Row): PostView {
  const account = row.socialAccount
  return {
    id: row.id, groupId: row.groupId, renderId: row.renderId,
    account: { id: account.id, platform: account.platform, name: account.displayName ?? account.handle ?? platformNames[account.platform] },
    status: row.status, caption: row.caption, title: row.title, privacy: row.privacy, error: row.error, waitingReason: row.waitingReason,
    permalink: row.permalink, notice: row.notice, publishedAt: row.publishedAt?.toISOString() ?? null, createdAt: row.createdAt.toISOString(),
    waitingForApproval: row.status === 'scheduled' && row.needsApproval && !row.approvedAt, lateSeconds: row.lateSeconds, tags: row.tags,
    attempts: row.attempts.map((attempt): PostAttemptView => ({
      number: attempt.number, status: attempt.status, error: attempt.error, errorCode: attempt.errorCode, retryable: attempt.retryable,
      responses: Array.isArray(attempt.responses) ? attempt.responses : [],
      startedAt: attempt.startedAt.toISOString(), finishedAt: attempt.finishedAt?.toISOString() ?? null,
    })),
  }
}

/** A workspace's posts of one render (or of one "Publish now"), the newest first. */
export async function listPosts(db: PrismaClient, workspaceId: string, filter: { renderId?: string, groupId?: string }): Promise<PostView[]> {
  const rows = await db.post.findMany({ where: { workspaceId, ...filter }, include, orderBy: { createdAt: 'desc' }, take: 100 })
  return rows.map(viewOf)
}

export async function getPost(db: PrismaClient, workspaceId: string, postId: string): Promise<PostView> {
  const row = await db.post.findFirst({ where: { id: postId, workspaceId }, include })
  if (!row) throw notFound('That post')
  return viewOf(row)
}
