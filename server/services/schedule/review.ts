// Approvals: in a workspace whose posts need approval, an editor's post waits for an owner or admin. Approving lets
// it publish at its time (now, when its time passed while it waited); rejecting sends it back to draft with the
// comment. In a series, the decision covers this occurrence and every later one still waiting.
import type { CalendarEntry, ReviewInput } from '#shared/calendar'
import { roleAllows, type Role } from '#shared/permissions'
import { instantToWallTime } from '#shared/schedule-time'
import { badRequest, conflict, forbidden, notFound } from '../errors'
import type { Actor, ScheduleDeps } from './create'
import { getEntry } from './entries'
import { sendIfSoon } from './jobs'
import { hashApprovalToken } from '../notifications/notify'

export async function reviewPost(deps: ScheduleDeps, actor: Actor, groupId: string, input: ReviewInput): Promise<CalendarEntry> {
  const { db } = deps
  const now = deps.now?.() ?? new Date()
  const head = await db.post.findFirst({ where: { workspaceId: actor.workspaceId, groupId }, orderBy: { createdAt: 'asc' } })
  if (!head) throw notFound('That post')
  const waiting = { workspaceId: actor.workspaceId, needsApproval: true, approvedAt: null, status: 'scheduled' as const }
  const where = head.seriesId && head.scheduledAt
    ? { ...waiting, OR: [{ groupId }, { seriesId: head.seriesId, scheduledAt: { gt: head.scheduledAt } }] }
    : { ...waiting, groupId }
  const rows = await db.post.findMany({ where, select: { id: true, groupId: true, scheduledAt: true, scheduledZone: true } })
  if (!rows.length) throw conflict(head.status === 'draft' ? 'This post is a draft: it is reviewed once its author schedules it.' : 'This post is not waiting for approval.')

  if (input.decision === 'reject') {
    await db.post.updateMany({
      where: { id: { in: rows.map(row => row.id) }, status: 'scheduled' },
      data: { status: 'draft', dueAt: null, reviewComment: input.comment, reviewedAt: now, approvedAt: null, approvedById: actor.userId },
    })
    for (const row of rows) await deps.jobs.cancelPublish(row.id)
  }
  else {
    // A time that passed while it waited becomes "now": approving it publishes it, it does not miss its window.
    await db.$transaction(rows.map(row => row.scheduledAt && row.scheduledAt < now
      ? db.post.update({ where: { id: row.id }, data: { approvedAt: now, approvedById: actor.userId, reviewedAt: now, reviewComment: input.comment || null, scheduledAt: now, dueAt: now, scheduledWall: instantToWallTime(now.toISOString(), row.scheduledZone ?? 'UTC') } })
      : db.post.update({ where: { id: row.id }, data: { approvedAt: now, approvedById: actor.userId, reviewedAt: now, reviewComment: input.comment || null } })))
    const after = await db.post.findMany({ where: { id: { in: rows.map(row => row.id) } }, select: { id: true, workspaceId: true, dueAt: true, status: true, needsApproval: true, approvedAt: true } })
    await sendIfSoon(deps.jobs, after, now)
  }
  await deps.notify?.reviewed({ workspaceId: actor.workspaceId, groupId, reviewerId: actor.userId, decision: input.decision, comment: input.comment })
  return getEntry(db, actor.workspaceId, groupId)
}

/** What an approval link opens: the post it is about, for the approver it was sent to, while it is valid. */
export async function approvalLinkOf(deps: Pick<ScheduleDeps, 'db'>, token: string, now = new Date()): Promise<{ actor: Actor, groupId: string, linkId: string }> {
  const link = await deps.db.approvalLink.findUnique({ where: { tokenHash: hashApprovalToken(token) } })
  if (!link) throw notFound('That approval link')
  if (link.usedAt) throw badRequest('This approval link has already been used. Open the calendar to see the post.')
  if (link.expiresAt <= now) throw badRequest('This approval link has expired. Open the calendar to review the post.')
  // The approver's role now, not when the mail went: someone no longer an admin cannot approve.
  const membership = await deps.db.membership.findUnique({ where: { workspaceId_userId: { workspaceId: link.workspaceId, userId: link.userId } }, select: { role: true } })
  if (!membership || !roleAllows(membership.role as Role, 'posts.approve')) throw forbidden('You can no longer approve posts in this workspace.')
  return { actor: { workspaceId: link.workspaceId, userId: link.userId, role: membership.role as Role }, groupId: link.groupId, linkId: link.id }
}

/** Decides through a mailed link: used once (a conditional update), then reviewed as that approver. */
export async function reviewByLink(deps: ScheduleDeps, token: string, input: ReviewInput): Promise<CalendarEntry> {
  const now = deps.now?.() ?? new Date()
  const { actor, groupId, linkId } = await approvalLinkOf(deps, token, now)
  const used = await deps.db.approvalLink.updateMany({ where: { id: linkId, usedAt: null }, data: { usedAt: now } })
  if (!used.count) throw badRequest('This approval link has already been used. Open the calendar to see the post.')
  return reviewPost(deps, actor, groupId, input)
}
