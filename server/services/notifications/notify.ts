// What members hear about posts: a post waiting for their approval (approvers), a post approved or sent back (its
// author), and how a post went once every account settled (its author). In the app always; by e-mail through the
// product's mailer (SMTP when set; the dev outbox in development). An approval mail carries a single-use link that
// expires, so an admin can decide from their inbox.
import { platformNames } from '#shared/platforms/keys'
import type { NotificationKind, PrismaClient } from '../../generated/prisma/client'
import { hashOpaqueToken, newOpaqueToken } from '../auth/tokens'
import type { Mailer, MailMessage } from '../mail/mailer'
import { notificationMail } from '../mail/templates'

export const APPROVAL_LINK_HOURS = 72

export interface Notifier {
  approvalRequested: (args: { workspaceId: string, groupId: string, authorId: string, occurrences: number }) => Promise<void>
  reviewed: (args: { workspaceId: string, groupId: string, reviewerId: string, decision: 'approve' | 'reject', comment: string }) => Promise<void>
}

export interface NotifyDeps {
  db: PrismaClient
  mailer: Pick<Mailer, 'send'>
  /** An absolute link into the app, from APP_URL. */
  link: (path: string) => string
  log?: (message: string) => void
}

const APPROVER_ROLES = ['owner', 'admin'] as const

async function groupSummary(db: PrismaClient, workspaceId: string, groupId: string) {
  const posts = await db.post.findMany({
    where: { workspaceId, groupId },
    select: { id: true, status: true, error: true, permalink: true, scheduledAt: true, createdById: true, socialAccount: { select: { platform: true, displayName: true, handle: true } }, workspace: { select: { name: true, timeZone: true } } },
  })
  if (!posts.length) return null
  const first = posts[0]!
  const names = posts.map(post => `${platformNames[post.socialAccount.platform]} (${post.socialAccount.displayName ?? post.socialAccount.handle ?? 'account'})`)
  const when = first.scheduledAt
    ? new Intl.DateTimeFormat('en-GB', { timeZone: first.workspace.timeZone, day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }).format(first.scheduledAt)
    : 'no time yet'
  return { posts, names, when, workspaceName: first.workspace.name, authorId: first.createdById }
}

export function createNotifier(deps: NotifyDeps): Notifier & { postsSettled: (args: { workspaceId: string, groupId: string }) => Promise<void> } {
  const { db } = deps
  const send = async (message: MailMessage) => {
    try {
      await deps.mailer.send(message)
    }
    catch (error) {
      // Logged without the content: an approval mail holds a link with a token.
      deps.log?.(`[notifications] could not send a ${message.kind} mail: ${(error as Error).message}`)
    }
  }
  const record = async (workspaceId: string, userIds: string[], kind: NotificationKind, groupId: string, title: string, body: string, mail?: (user: { id: string, email: string }) => Promise<MailMessage>) => {
    const users = await db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, email: true } })
    for (const user of users) {
      await db.notification.create({ data: { workspaceId, userId: user.id, kind, groupId, title, body, emailedAt: mail ? new Date() : null } })
      if (mail) await send(await mail(user))
    }
  }

  return {
    async approvalRequested({ workspaceId, groupId, authorId, occurrences }) {
      const summary = await groupSummary(db, workspaceId, groupId)
      if (!summary) return
      const approvers = await db.membership.findMany({ where: { workspaceId, role: { in: [...APPROVER_ROLES] }, userId: { not: authorId } }, select: { userId: true } })
      const author = await db.user.findUnique({ where: { id: authorId }, select: { name: true, email: true } })
      const who = author?.name ?? author?.email ?? 'An editor'
      const title = `${who} asks you to approve ${occurrences > 1 ? `${occurrences} posts` : 'a post'}`
      // Several posts at once: a repeating post, an evergreen rotation, or a CSV import.
      const body = `${occurrences > 1 ? `${occurrences} posts, the first on` : 'A post for'} ${summary.when}, to ${summary.names.join(', ')}. ${occurrences > 1 ? 'They do' : 'It does'} not publish until someone approves ${occurrences > 1 ? 'them' : 'it'}.`
      await record(workspaceId, approvers.map(row => row.userId), 'post_needs_approval', groupId, title, body, async (user) => {
        const { token, hash } = newOpaqueToken()
        await db.approvalLink.create({ data: { workspaceId, groupId, userId: user.id, tokenHash: hash, expiresAt: new Date(Date.now() + APPROVAL_LINK_HOURS * 3_600_000) } })
        return notificationMail('post_approval', user.email, `${title} (${summary.workspaceName})`, [body, `The link works once, for ${APPROVAL_LINK_HOURS} hours; after that, approve it in the calendar.`], { url: deps.link(`/approve/${token}`), label: 'Review the post' })
      })
    },

    async reviewed({ workspaceId, groupId, reviewerId, decision, comment }) {
      const summary = await groupSummary(db, workspaceId, groupId)
      if (!summary?.authorId || summary.authorId === reviewerId) return
      const reviewer = await db.user.findUnique({ where: { id: reviewerId }, select: { name: true, email: true } })
      const who = reviewer?.name ?? reviewer?.email ?? 'An admin'
      const title = decision === 'approve' ? `${who} approved your post` : `${who} sent your post back`
      const body = decision === 'approve'
        ? `Your post for ${summary.when}, to ${summary.names.join(', ')}, will publish at its time.${comment ? ` Their comment: ${comment}` : ''}`
        : `Your post for ${summary.when}, to ${summary.names.join(', ')}, is a draft again. Their comment: ${comment}`
      await record(workspaceId, [summary.authorId], decision === 'approve' ? 'post_approved' : 'post_rejected', groupId, title, body,
        async user => notificationMail(decision === 'approve' ? 'post_approved' : 'post_rejected', user.email, title, [body], { url: deps.link(`/calendar?post=${groupId}`), label: 'Open the calendar' }))
    },

    /** Every account of the group finished (published, failed or canceled): one message for the whole post. */
    async postsSettled({ workspaceId, groupId }) {
      const summary = await groupSummary(db, workspaceId, groupId)
      if (!summary?.authorId) return
      const failed = summary.posts.filter(post => post.status === 'failed')
      const published = summary.posts.filter(post => post.status === 'published')
      const label = (post: typeof summary.posts[number]) => platformNames[post.socialAccount.platform]
      const title = failed.length
        ? `Your post failed on ${failed.map(label).join(', ')}`
        : `Your post is live on ${published.map(label).join(', ')}`
      const body = [
        ...published.map(post => `${label(post)}: published${post.permalink ? ` (${post.permalink})` : ''}.`),
        ...failed.map(post => `${label(post)}: ${post.error ?? 'failed'}`),
      ].join(' ')
      if (!failed.length && !published.length) return
      await record(workspaceId, [summary.authorId], failed.length ? 'post_failed' : 'post_published', groupId, title, body,
        async user => notificationMail(failed.length ? 'post_failed' : 'post_published', user.email, title, [body], { url: deps.link(`/calendar?post=${groupId}`), label: 'Open the calendar' }))
    },
  }
}

/**
 * The notification sweep: groups whose every account finished, with a post nobody was told about yet. Marked first
 * (a conditional update), so two sweeps never tell twice.
 */
export async function notifySettledPosts(db: PrismaClient, notifier: { postsSettled: (args: { workspaceId: string, groupId: string }) => Promise<void> }, now = new Date()): Promise<number> {
  const finished = await db.post.findMany({
    where: { notifiedAt: null, status: { in: ['published', 'failed', 'canceled'] } },
    select: { id: true, groupId: true, workspaceId: true }, distinct: ['groupId'], take: 200,
  })
  let told = 0
  for (const { id, groupId, workspaceId } of finished) {
    // Posts from before groups: nothing to say, and they must not come back every sweep.
    if (!groupId) {
      await db.post.update({ where: { id }, data: { notifiedAt: now } })
      continue
    }
    const open = await db.post.count({ where: { workspaceId, groupId, status: { notIn: ['published', 'failed', 'canceled'] } } })
    if (open) continue
    const claimed = await db.post.updateMany({ where: { workspaceId, groupId, notifiedAt: null }, data: { notifiedAt: now } })
    if (!claimed.count) continue
    await notifier.postsSettled({ workspaceId, groupId })
    told++
  }
  return told
}

export const hashApprovalToken = hashOpaqueToken
