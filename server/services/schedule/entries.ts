// Scheduled posts as the calendar shows them: one entry per group (a render to one or more accounts at one time), each
// account's post with its own state, and the entry's state from theirs. The month query reads one index range
// ([workspaceId, scheduledAt]) and groups in memory; a filtered one reads the groups it picked by [groupId].
import { calendarState, type CalendarEntry, type CalendarQuery } from '#shared/calendar'
import { platformNames, type PlatformKey } from '#shared/platforms/keys'
import type { Prisma, PrismaClient } from '../../generated/prisma/client'
import { notFound } from '../errors'

// The post's own columns; its account, render and author are read once per window, not joined into every row (the
// nested select made each of a month's rows carry its own copy: the month of bench/schedule.ts took 85 ms at p50 with
// it, 32 ms without).
const columns = {
  id: true, groupId: true, renderId: true, status: true, caption: true, permalink: true, error: true, waitingReason: true,
  lateSeconds: true, publishedAt: true, scheduledAt: true, scheduledWall: true, scheduledZone: true, needsApproval: true,
  approvedAt: true, reviewComment: true, seriesId: true, fromQueue: true, createdAt: true, socialAccountId: true, createdById: true,
} satisfies Prisma.PostSelect

type Columns = Prisma.PostGetPayload<{ select: typeof columns }>
type Row = Columns & {
  socialAccount: { id: string, platform: PlatformKey, displayName: string | null, handle: string | null }
  render: { variantLabel: string, recipe: { name: string } | null } | null
  createdBy: { id: string, name: string | null, email: string } | null
}

/** The posts `args` picks, each with its account, render and author: three small reads for all of them. */
async function readPosts(db: PrismaClient, workspaceId: string, args: { where: Prisma.PostWhereInput, orderBy: Prisma.PostOrderByWithRelationInput | Prisma.PostOrderByWithRelationInput[], take?: number }): Promise<Row[]> {
  const posts = await db.post.findMany({ ...args, where: { ...args.where, workspaceId }, select: columns })
  if (!posts.length) return []
  const distinct = (ids: (string | null)[]) => [...new Set(ids.filter((id): id is string => !!id))]
  const renderIds = distinct(posts.map(post => post.renderId))
  const authorIds = distinct(posts.map(post => post.createdById))
  const [accounts, renders, authors] = await Promise.all([
    db.socialAccount.findMany({ where: { workspaceId, id: { in: distinct(posts.map(post => post.socialAccountId)) } }, select: { id: true, platform: true, displayName: true, handle: true } }),
    renderIds.length ? db.render.findMany({ where: { workspaceId, id: { in: renderIds } }, select: { id: true, variantLabel: true, recipe: { select: { name: true } } } }) : [],
    // Users belong to no workspace; these ids come from the workspace's own posts.
    authorIds.length ? db.user.findMany({ where: { id: { in: authorIds } }, select: { id: true, name: true, email: true } }) : [],
  ])
  const account = new Map(accounts.map(row => [row.id, row]))
  const render = new Map(renders.map(row => [row.id, { variantLabel: row.variantLabel, recipe: row.recipe }]))
  const author = new Map(authors.map(row => [row.id, row]))
  return posts.map(post => ({
    ...post,
    socialAccount: account.get(post.socialAccountId)!,
    render: (post.renderId && render.get(post.renderId)) || null,
    createdBy: (post.createdById && author.get(post.createdById)) || null,
  }))
}

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
  const inWindow = { workspaceId, scheduledAt: { gte: new Date(query.from), lt: new Date(query.to) } }
  const order: Prisma.PostOrderByWithRelationInput[] = [{ scheduledAt: 'asc' }, { createdAt: 'asc' }]
  const narrowed = !!(query.accountId || query.authorId || query.state)
  const [rows, drafts] = await Promise.all([
    narrowed
      // A filter on an account or a state picks groups; the entry still shows all its accounts.
      ? db.post.findMany({ where: { ...inWindow, ...filters, ...stateFilter(query.state) }, select: { groupId: true } }).then((picked) => {
          const groupIds = [...new Set(picked.map(row => row.groupId).filter((id): id is string => !!id))]
          return groupIds.length ? readPosts(db, workspaceId, { where: { groupId: { in: groupIds } }, orderBy: order }) : []
        })
      // Unfiltered, the window holds whole groups (a group's posts share their time: they are moved and approved
      // together), so one read of the index range is enough; the month view asks this most.
      : readPosts(db, workspaceId, { where: { ...inWindow, groupId: { not: null } }, orderBy: order }),
    readPosts(db, workspaceId, { where: { scheduledAt: null, status: 'draft', ...filters }, orderBy: { createdAt: 'desc' }, take: 100 }),
  ])
  return { entries: entriesOf(rows), drafts: entriesOf(drafts) }
}

export async function getEntry(db: PrismaClient, workspaceId: string, groupId: string): Promise<CalendarEntry> {
  const rows = await readPosts(db, workspaceId, { where: { groupId }, orderBy: { createdAt: 'asc' } })
  if (!rows.length) throw notFound('That post')
  return entriesOf(rows)[0]!
}
