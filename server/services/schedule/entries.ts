// Scheduled posts as the calendar shows them: one entry per group (a render to one or more accounts at one time), each
// account's post with its own state, and the entry's state from theirs. The month query reads one index range
// ([workspaceId, scheduledAt]) and groups in memory; a filtered one reads the groups it picked by [groupId].
import { calendarState, type CalendarEntry, type CalendarQuery } from '#shared/calendar'
import { platformNames, type PlatformKey } from '#shared/platforms/keys'
import { Prisma, type PostStatus, type PrismaClient } from '../../generated/prisma/client'
import { notFound } from '../errors'

/** A post as the calendar draws it, with its account's, render's and author's names; times are ISO strings. */
interface Row {
  id: string
  groupId: string | null
  renderId: string | null
  status: PostStatus
  caption: string
  permalink: string | null
  error: string | null
  waitingReason: string | null
  lateSeconds: number | null
  publishedAt: string | null
  scheduledAt: string | null
  scheduledWall: string | null
  scheduledZone: string | null
  needsApproval: boolean
  approvedAt: string | null
  reviewComment: string | null
  seriesId: string | null
  fromQueue: boolean
  socialAccountId: string
  createdById: string | null
  platform: PlatformKey
  accountName: string | null
  renderName: string | null
  authorName: string | null
}

/** A Row's values in the order the statement below lists them. */
type RowValues = [
  Row['id'], Row['groupId'], Row['renderId'], Row['status'], Row['caption'], Row['permalink'], Row['error'],
  Row['waitingReason'], Row['lateSeconds'], Row['publishedAt'], Row['scheduledAt'], Row['scheduledWall'],
  Row['scheduledZone'], Row['needsApproval'], Row['approvedAt'], Row['reviewComment'], Row['seriesId'], Row['fromQueue'],
  Row['socialAccountId'], Row['createdById'], Row['platform'], Row['accountName'], Row['renderName'], Row['authorName'],
]

/** A time as JavaScript's toISOString writes it (UTC, milliseconds, "Z"), made in the database. */
const iso = (column: Prisma.Sql) => Prisma.sql`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

/** Rows per JSON text (see readPosts). */
const ROWS_PER_CHUNK = 50

/**
 * The posts `where` picks, in `order`, each with its account, render and author: one statement, whose answer is a few
 * JSON texts the database writes (each a run of 50 rows, each row an array). A month holds 2,000 posts: read as 2,000
 * rows of 24 columns, every value was an object the driver and Prisma each made and converted, and a young-heap
 * collection with a read's rows alive made the slow reads. Forty strings and JSON.parse make less garbage
 * (bench/schedule.ts, same runs: p95 27–35 ms against 31–47 as columns). One text for the whole month was slower
 * (p50 60–70 ms): the driver assembles a megabyte-long value piece by piece.
 */
async function readPosts(db: PrismaClient, workspaceId: string, where: Prisma.Sql, order: Prisma.Sql, limit?: number): Promise<Row[]> {
  const chunks = await db.$queryRaw<{ rows: string }[]>`
    SELECT json_agg(q.row ORDER BY q.n)::text AS rows FROM (
      SELECT row_number() OVER (ORDER BY ${order}) AS n, json_build_array(
        p.id, p."groupId", p."renderId", p.status, p.caption, p.permalink, p.error, p."waitingReason", p."lateSeconds",
        ${iso(Prisma.sql`p."publishedAt"`)}, ${iso(Prisma.sql`p."scheduledAt"`)}, p."scheduledWall", p."scheduledZone",
        p."needsApproval", ${iso(Prisma.sql`p."approvedAt"`)}, p."reviewComment", p."seriesId", p."fromQueue",
        p."socialAccountId", p."createdById", a.platform, COALESCE(a."displayName", a.handle),
        CASE WHEN r.id IS NULL THEN NULL ELSE COALESCE(e.name, 'Render') || ' · ' || r."variantLabel" END,
        COALESCE(u.name, u.email)
      ) AS row
      FROM "Post" p
      JOIN "SocialAccount" a ON a.id = p."socialAccountId" AND a."workspaceId" = p."workspaceId"
      LEFT JOIN "Render" r ON r.id = p."renderId" AND r."workspaceId" = p."workspaceId"
      LEFT JOIN "EditRecipe" e ON e.id = r."recipeId" AND e."workspaceId" = p."workspaceId"
      LEFT JOIN "User" u ON u.id = p."createdById"
      WHERE p."workspaceId" = ${workspaceId}::uuid AND ${where}
      ORDER BY ${order}
      ${limit ? Prisma.sql`LIMIT ${limit}` : Prisma.empty}
    ) q
    GROUP BY (q.n - 1) / ${Prisma.raw(String(ROWS_PER_CHUNK))}
    ORDER BY (q.n - 1) / ${Prisma.raw(String(ROWS_PER_CHUNK))}`
  return chunks.flatMap(({ rows }) => (JSON.parse(rows) as RowValues[]).map(([
    id, groupId, renderId, status, caption, permalink, error, waitingReason, lateSeconds, publishedAt, scheduledAt,
    scheduledWall, scheduledZone, needsApproval, approvedAt, reviewComment, seriesId, fromQueue, socialAccountId,
    createdById, platform, accountName, renderName, authorName,
  ]) => ({
    id, groupId, renderId, status, caption, permalink, error, waitingReason, lateSeconds, publishedAt, scheduledAt,
    scheduledWall, scheduledZone, needsApproval, approvedAt, reviewComment, seriesId, fromQueue, socialAccountId,
    createdById, platform, accountName, renderName, authorName,
  })))
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
      renderName: first.renderName,
      start: first.scheduledAt,
      wall: first.scheduledWall,
      zone: first.scheduledZone,
      state: calendarState(posts, first),
      needsApproval: first.needsApproval,
      approvedAt: first.approvedAt,
      reviewComment: first.reviewComment,
      author: first.createdById && first.authorName ? { id: first.createdById, name: first.authorName } : null,
      seriesId: first.seriesId,
      fromQueue: first.fromQueue,
      movable: posts.every(post => MOVABLE.has(post.status) && !post.waitingReason),
      targets: posts.map(post => ({
        postId: post.id,
        account: { id: post.socialAccountId, platform: post.platform, name: post.accountName ?? platformNames[post.platform] },
        status: post.status, caption: post.caption, permalink: post.permalink, error: post.error, waitingReason: post.waitingReason,
        lateSeconds: post.lateSeconds, publishedAt: post.publishedAt,
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
  const [from, to] = [new Date(query.from), new Date(query.to)]
  const inTime = Prisma.sql`p."scheduledAt", p."createdAt"`
  const narrowed = !!(query.accountId || query.authorId || query.state)
  const [rows, drafts] = await Promise.all([
    narrowed
      // A filter on an account or a state picks groups; the entry still shows all its accounts.
      ? db.post.findMany({ where: { workspaceId, scheduledAt: { gte: from, lt: to }, ...filters, ...stateFilter(query.state) }, select: { groupId: true } }).then((picked) => {
          const groupIds = [...new Set(picked.map(row => row.groupId).filter((id): id is string => !!id))]
          return groupIds.length ? readPosts(db, workspaceId, Prisma.sql`p."groupId" = ANY(${groupIds}::uuid[])`, inTime) : []
        })
      // Unfiltered, the window holds whole groups (a group's posts share their time: they are moved and approved
      // together), so one read of the index range is enough; the month view asks this most.
      : readPosts(db, workspaceId, Prisma.sql`p."scheduledAt" >= ${from} AND p."scheduledAt" < ${to} AND p."groupId" IS NOT NULL`, inTime),
    readPosts(db, workspaceId, Prisma.sql`p."scheduledAt" IS NULL AND p.status = 'draft'
      ${query.accountId ? Prisma.sql`AND p."socialAccountId" = ${query.accountId}::uuid` : Prisma.empty}
      ${query.authorId ? Prisma.sql`AND p."createdById" = ${query.authorId}::uuid` : Prisma.empty}`, Prisma.sql`p."createdAt" DESC`, 100),
  ])
  return { entries: entriesOf(rows), drafts: entriesOf(drafts) }
}

export async function getEntry(db: PrismaClient, workspaceId: string, groupId: string): Promise<CalendarEntry> {
  const rows = await readPosts(db, workspaceId, Prisma.sql`p."groupId" = ${groupId}::uuid`, Prisma.sql`p."createdAt"`)
  if (!rows.length) throw notFound('That post')
  return entriesOf(rows)[0]!
}
