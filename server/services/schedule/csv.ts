// Scheduled posts from a CSV, and back out. The preview checks every row as the composer would (the time, the DST
// choice, the account, the render, the caption) with a fixed number of queries whatever the file's length: the
// workspace's accounts and the renders the file names are read once. The import writes every post or none, in one
// transaction; rows with the same date, time and render become one post to several accounts, as in the composer.
import { randomUUID } from 'node:crypto'
import type { Role } from '#shared/permissions'
import type { ScheduleExportQuery, ScheduleImportPreview, ScheduleImportResult, ScheduleImportRow } from '#shared/schedule-csv'
import { instantToWallTime } from '#shared/schedule-time'
import type { WallTimeChoiceData } from '#shared/calendar'
import type { Prisma, PrismaClient } from '../../generated/prisma/client'
import { ServiceError, badRequest } from '../errors'
import { accountProblems } from '../posts/create'
import { futureTime, type ScheduleDeps } from './create'
import { accountLabel, exportText, isUuid, matchAccount, parseScheduleCsv, type ScheduleCsvRow } from './csv-format'
import { sendIfSoon } from './jobs'
import { approvalNeeded, workspaceZone } from './policy'
import { placeWallTime, type PlacedTime } from './when'

type CheckDeps = Pick<ScheduleDeps, 'db' | 'appUrl' | 'app' | 'now'>
interface Actor { workspaceId: string, userId: string, role: Role }

/** Posts are written in slices of this many rows (one INSERT each), inside the one transaction. */
const INSERT_SLICE = 500
const EXCERPT = 80

interface Target { accountId: string, caption: string, title: string | null, tags: string[], privacy: string | null }
interface Group { time: PlacedTime, render: { id: string, sourceVideoId: string }, targets: Target[], lines: number[] }

const excerpt = (caption: string) => caption.length > EXCERPT ? `${caption.slice(0, EXCERPT - 1)}…` : caption

/** The moment a row names, or why it names none (a DST gap or overlap without a choice names both moments). */
function placeRow(row: ScheduleCsvRow, zone: string, now: Date): { time: PlacedTime } | { error: string } {
  try {
    return { time: futureTime(placeWallTime(`${row.date}T${row.time}`, zone, row.choice), now) }
  }
  catch (error) {
    if (!(error instanceof ServiceError)) throw error
    const choice = (error.data as WallTimeChoiceData | undefined)?.wallTimeChoice
    if (!choice) return { error: error.message }
    const [earlier, later] = choice.options
    const when = `${row.date} ${row.time}`
    return {
      error: choice.kind === 'gap'
        ? `${when} does not exist in ${zone}: the clocks skip that hour. Write choice “earlier” for ${earlier!.label} or “later” for ${later!.label}.`
        : `${when} happens twice in ${zone}. Write choice “earlier” for ${earlier!.label.toLowerCase()} or “later” for ${later!.label.toLowerCase()}.`,
    }
  }
}

/** Every row checked, with the groups the valid ones make. */
async function check(deps: CheckDeps, actor: Actor, csvText: string, excludeLines: number[] = []) {
  const { db } = deps
  const now = deps.now?.() ?? new Date()
  const parsed = parseScheduleCsv(csvText)
  const excluded = new Set(excludeLines)
  const renderIds = [...new Set(parsed.map(row => row.render).filter(isUuid))]
  const [zone, accounts, renders] = await Promise.all([
    workspaceZone(db, actor.workspaceId),
    db.socialAccount.findMany({
      where: { workspaceId: actor.workspaceId },
      select: { id: true, platform: true, handle: true, displayName: true, externalId: true, status: true },
      // In the order they were connected, so a message listing several reads the same every time.
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    }),
    renderIds.length
      ? db.render.findMany({ where: { workspaceId: actor.workspaceId, id: { in: renderIds } }, select: { id: true, status: true, storageKey: true, checks: true, sourceVideoId: true } })
      : [],
  ])
  const renderById = new Map(renders.map(render => [render.id, render]))
  const groups = new Map<string, Group>()
  // Per group key, the line that already names each account: the same account twice in one post is a mistake.
  const accountLines = new Map<string, Map<string, number>>()
  const rows: ScheduleImportRow[] = []
  const placements = new Map<number, { key: string, group: Group, target: Target }>()

  for (const row of parsed) {
    const errors = [...row.errors]
    const rowZone = row.zone || zone
    const placed = row.readable ? placeRow(row, rowZone, now) : null
    if (placed && 'error' in placed) errors.push(placed.error)
    const matched = matchAccount(row.account, accounts)
    if ('error' in matched) errors.push(matched.error)
    const render = renderById.get(row.render)
    if (!row.render) errors.push('No render: give the id of a finished render (on its card in the Studio).')
    else if (!render) errors.push(`No render of this workspace has the id “${row.render}”. Copy it from the render's card in the Studio.`)
    else if (render.status === 'failed') errors.push('That render failed. Render it again, then import this row.')
    else if (render.status !== 'succeeded' || !render.storageKey) errors.push('That render has not finished. Import this row once it has.')
    const account = 'account' in matched ? accounts.find(each => each.id === matched.account.id)! : null
    const target: Target = { accountId: account?.id ?? '', caption: row.caption, title: row.title, tags: row.tags, privacy: row.privacy }
    if (account) errors.push(...accountProblems(deps, render ?? { checks: null }, account, target))

    const isExcluded = excluded.has(row.line)
    if (!isExcluded && placed && 'time' in placed && render && account) {
      const key = `${placed.time.scheduledAt.toISOString()}|${render.id}`
      const lines = accountLines.get(key) ?? new Map<string, number>()
      accountLines.set(key, lines)
      const earlier = lines.get(account.id)
      if (earlier !== undefined) errors.push(`Line ${earlier} already posts this render to ${accountLabel(account)} at this time. Keep one row per account.`)
      else lines.set(account.id, row.line)
      if (!errors.length) {
        const group = groups.get(key) ?? { time: placed.time, render, targets: [], lines: [] }
        groups.set(key, group)
        placements.set(row.line, { key, group, target })
      }
    }
    rows.push({ line: row.line, date: row.date, time: row.time, zone: rowZone, account: row.account, render: row.render, caption: excerpt(row.caption), excluded: isExcluded, errors })
  }
  for (const [line, { group, target }] of placements) {
    group.targets.push(target)
    group.lines.push(line)
  }
  const included = rows.filter(row => !row.excluded)
  const preview: ScheduleImportPreview = {
    rows,
    valid: included.filter(row => !row.errors.length).length,
    invalid: included.filter(row => row.errors.length).length,
    posts: groups.size,
  }
  return { preview, groups: [...groups.values()], now }
}

/** What importing the CSV would do, row by row, with each row's problems in words; nothing is written. */
export async function previewImport(deps: CheckDeps, actor: Actor, csvText: string, options: { excludeLines?: number[] } = {}): Promise<ScheduleImportPreview> {
  return (await check(deps, actor, csvText, options.excludeLines)).preview
}

/**
 * Imports every row not left out, or nothing: the rows are checked again (an account may have gone since the preview),
 * any problem is a 400 with the rows, and the posts are written in one transaction.
 */
export async function commitImport(deps: ScheduleDeps, actor: Actor, csvText: string, options: { excludeLines?: number[] } = {}): Promise<ScheduleImportResult> {
  const { db } = deps
  const { preview, groups, now } = await check(deps, actor, csvText, options.excludeLines)
  const blocking = preview.rows.filter(row => !row.excluded && row.errors.length)
  if (blocking.length) {
    const lines = blocking.slice(0, 10).map(row => row.line).join(', ')
    throw new ServiceError(400, `Nothing was imported: ${blocking.length === 1 ? 'one row has a problem' : `${blocking.length} rows have problems`} (line ${lines}${blocking.length > 10 ? '…' : ''}). Fix them in the file, or leave them out.`, { rows: blocking })
  }
  if (!groups.length) throw badRequest('Nothing to import: every row was left out.')
  const needsApproval = await approvalNeeded(db, actor)
  const groupIds = groups.map(() => randomUUID())
  const data: Prisma.PostCreateManyInput[] = groups.flatMap((group, index) => {
    const groupId = groupIds[index]!
    return group.targets.map(target => ({
      workspaceId: actor.workspaceId, socialAccountId: target.accountId, videoId: group.render.sourceVideoId, renderId: group.render.id,
      createdById: actor.userId, groupId, status: 'scheduled' as const, needsApproval,
      scheduledAt: group.time.scheduledAt, dueAt: group.time.scheduledAt, scheduledWall: group.time.wall, scheduledZone: group.time.zone,
      caption: target.caption, title: target.title, tags: target.tags, privacy: target.privacy,
    }))
  })
  const created = await db.$transaction(async (tx) => {
    const rows = []
    for (let start = 0; start < data.length; start += INSERT_SLICE) {
      rows.push(...await tx.post.createManyAndReturn({
        data: data.slice(start, start + INSERT_SLICE),
        select: { id: true, workspaceId: true, dueAt: true, status: true, needsApproval: true, approvedAt: true },
      }))
    }
    return rows
  }, { timeout: 60_000, maxWait: 10_000 })
  await sendIfSoon(deps.jobs, created, now)
  if (needsApproval) {
    // One notice for the whole import, as for a series: the approvers find every post of it waiting on the calendar.
    await deps.notify?.approvalRequested({ workspaceId: actor.workspaceId, groupId: groupIds[0]!, authorId: actor.userId, occurrences: groups.length })
  }
  return { created: created.length, groups: groups.length }
}

/** The posts of a window as CSV: a row per account post, its date and time in the zone it was chosen in. */
export async function exportCsv(db: PrismaClient, workspaceId: string, window: ScheduleExportQuery): Promise<string> {
  const [zone, posts] = await Promise.all([
    workspaceZone(db, workspaceId),
    db.post.findMany({
      where: { workspaceId, scheduledAt: { gte: new Date(window.from), lt: new Date(window.to) } },
      orderBy: [{ scheduledAt: 'asc' }, { groupId: 'asc' }, { createdAt: 'asc' }, { id: 'asc' }],
      select: {
        scheduledAt: true, scheduledWall: true, scheduledZone: true, renderId: true, caption: true, title: true, tags: true, privacy: true,
        status: true, needsApproval: true, approvedAt: true, permalink: true, error: true,
        socialAccount: { select: { id: true, platform: true, handle: true, displayName: true, externalId: true } },
      },
    }),
  ])
  return exportText(posts.map((post) => {
    const postZone = post.scheduledZone ?? zone
    return {
      scheduledAt: post.scheduledAt!,
      wall: post.scheduledWall ?? instantToWallTime(post.scheduledAt!.toISOString(), postZone),
      zone: postZone,
      account: post.socialAccount,
      renderId: post.renderId,
      caption: post.caption, title: post.title, tags: post.tags, privacy: post.privacy,
      state: post.status === 'scheduled' && post.needsApproval && !post.approvedAt ? 'waiting_approval' : post.status,
      permalink: post.permalink, error: post.error,
    }
  }))
}
