// Scheduled posts as the calendar shows them: one entry per group (a render to one or more accounts at one time), each
// account's post with its own state, and the entry's state from theirs. The month query reads one index range
// ([workspaceId, scheduledAt]) and groups in memory.
import { calendarState, type CalendarEntry, type CalendarQuery } from '#shared/calendar'
import { platformNames } from '#shared/platforms/keys'
import type { Prisma, PrismaClient } from '../../generated/prisma/client'
import { notFound } from '../errors'

const select = {
  id: true, groupId: true, renderId: true, status: true, caption: true, permalink: true, error: true, waitingReason: true,
  lateSeconds: true, publishedAt: true, scheduledAt: true, scheduledWall: true, scheduledZone: true, needsApproval: true,
  approvedAt: true, reviewComment: true, seriesId: true, fromQueue: true, createdAt: true,
  socialAccount: { select: { id: true, platform: true, displayName: true, handle: true } },
  render: { select: { variantLabel: true, recipe: { select: { name: true } } } },
  createdBy: { select: { id: true, name: true, email: true } },
} satisfies Prisma.PostSelect

type Row = Prisma.PostGetPayload<{ select: typeof select }>

/** Posts that have not started publishing can still move; once one account is under way the time is kept. */
const MOVABLE = new Set(['draft', 'scheduled'])

export function entriesOf(rows: Row[]): CalendarEntry[] {
  const groups = new Map<string, Row[]>()
  for (const row of rows) {
    const key = row.groupId ?? row.id
    const group = groups.get(key)
    if (group) group.push(row)
    else groups.set(key, [row])
  }
  return [...groups.entries()].map(([groupId, posts]) => {
    const first = posts[0]!
    return {
      groupId,
      renderId: first.renderId,
      renderName: first.render ? `${first.render.recipe?.name ?? 'Render'} · ${first.render.variantLabel}` : null,
      start: first.scheduledAt?.toISOString() ?? null,
      wall: first.scheduledWall,
      zone: first.scheduledZone,
      state: calendarState(posts, first),
      needsApproval: first.needsApproval,
      approvedAt: first.approvedAt?.toISOString() ?? null,
      reviewComment: first.reviewComment,
      author: first.createdBy ? { id: first.createdBy.id, name: first.createdBy.name ?? first.createdBy.email } : null,
      seriesId: first.seriesId,
      fromQueue: first.fromQueue,
      movable: posts.every(post => MOVABLE.has(post.status) && !post.waitingReason),
      targets: posts.map(post => ({
        postId: post.id,
        account: { id: post.socialAccount.id, platform: post.socialAccount.platform, name: post.socialAccount.displayName ?? post.socialAccount.handle ?? platformNames[post.socialAccount.platform] },
        status: post.status, caption: post.caption, permalink: post.permalink, error: post.error, waitingReason: post.waitingReason,
        lateSeconds: post.lateSeconds, publishedAt: post.publishedAt?.toISOString() ?? null,
      })),
    }
  })
}

function stateFilter(state: CalendarQuery['state']): Prisma.PostWhereInput {
  if (!state) return {}
  if (state === 'waiting_approval') return { status: 'scheduled', needsApproval: true, approvedAt: null }
  if (state === 'scheduled') return { status: 'scheduled', OR: [{ needsApproval: false }, { approvedAt: { not: null } }] }
  return { status: state }
}

/** The entries of a window of the calendar, with its filters, and the drafts that have no time yet. */
export async function calendarWindow(db: PrismaClient, workspaceId: string, query: CalendarQuery): Promise<{ entries: CalendarEntry[], drafts: CalendarEntry[] }> {
  const filters: Prisma.PostWhereInput = {
    ...(query.accountId ? { socialAccountId: query.accountId } : {}),
    ...(query.authorId ? { createdById: query.authorId } : {}),
  }
  // A filter on an account or a state picks groups; the entry still shows all its accounts.
  const [timed, drafts] = await Promise.all([
    db.post.findMany({
      where: { workspaceId, scheduledAt: { gte: new Date(query.from), lt: new Date(query.to) }, ...filters, ...stateFilter(query.state) },
      select: { groupId: true, id: true },
    }),
    db.post.findMany({
      where: { workspaceId, scheduledAt: null, status: 'draft', ...filters },
      select, orderBy: { createdAt: 'desc' }, take: 100,
    }),
  ])
  const groupIds = [...new Set(timed.map(row => row.groupId).filter((id): id is string => !!id))]
  const rows = groupIds.length
    ? await db.post.findMany({ where: { workspaceId, groupId: { in: groupIds } }, select, orderBy: [{ scheduledAt: 'asc' }, { createdAt: 'asc' }] })
    : []
  return { entries: entriesOf(rows), drafts: entriesOf(drafts) }
}

export async function getEntry(db: PrismaClient, workspaceId: string, groupId: string): Promise<CalendarEntry> {
  const rows = await db.post.findMany({ where: { workspaceId, groupId }, select, orderBy: { createdAt: 'asc' } })
  if (!rows.length) throw notFound('That post')
  return entriesOf(rows)[0]!
}
