// Evergreen posts: a set of renders re-posted in rotation at a rule's times, up to 90 days ahead, never the same
// render twice within the minimum gap. A slot where every render posted too recently stays empty rather than repeat.
// The rotation's state is its posts: where the last one left off, and when each render last went out.
import { randomUUID } from 'node:crypto'
import type { EvergreenInput } from '#shared/calendar'
import { RECURRENCE_HORIZON_DAYS, instantToWallTime, occurrences } from '#shared/schedule-time'
import { z } from 'zod'
import type { PostSeries, Prisma, PrismaClient } from '../../generated/prisma/client'
import { ServiceError, badRequest } from '../errors'
import { targetProblems } from '../posts/create'
import type { Actor, ScheduleDeps } from './create'
import { futureTime } from './create'
import { sendIfSoon, type ScheduleJobs } from './jobs'
import { approvalNeeded } from './policy'
import { placeWallTime } from './when'

const DAY_MS = 86_400_000

/** Which render goes in each slot: the next in turn that has not gone out within the gap. Pure, for its tests. */
export function rotate(slots: string[], renderIds: string[], lastPosted: Map<string, number>, startIndex: number, minGapDays: number): { instant: string, renderId: string }[] {
  const last = new Map(lastPosted)
  const picks: { instant: string, renderId: string }[] = []
  let next = startIndex
  for (const instant of slots) {
    const at = Date.parse(instant)
    for (let step = 0; step < renderIds.length; step++) {
      const index = (next + step) % renderIds.length
      const renderId = renderIds[index]!
      const previous = last.get(renderId)
      if (previous !== undefined && at - previous < minGapDays * DAY_MS) continue
      picks.push({ instant, renderId })
      last.set(renderId, at)
      next = (index + 1) % renderIds.length
      break
    }
  }
  return picks
}

const template = z.object({
  items: z.array(z.object({ renderId: z.string(), caption: z.string(), title: z.string().nullable() })),
  targets: z.array(z.object({ accountId: z.string(), privacy: z.string().nullable(), options: z.record(z.string(), z.unknown()), tags: z.array(z.string()) })),
})

/** The rotation's next posts from `from` to the horizon, as rows to insert. */
async function plannedRows(db: PrismaClient | Prisma.TransactionClient, series: PostSeries, from: Date, now: Date) {
  const parsed = template.parse(series.template)
  const horizon = new Date(now.getTime() + RECURRENCE_HORIZON_DAYS * DAY_MS)
  const days = Math.ceil((horizon.getTime() - from.getTime()) / DAY_MS)
  if (days <= 0) return { slots: [] as string[], rows: [] }
  const slots = occurrences(series.rule, series.startWall, series.zone, from.toISOString(), days).filter(instant => Date.parse(instant) >= from.getTime())
  const past = await db.post.findMany({ where: { seriesId: series.id }, select: { renderId: true, scheduledAt: true }, orderBy: { scheduledAt: 'asc' } })
  const lastPosted = new Map<string, number>()
  for (const post of past) if (post.renderId && post.scheduledAt) lastPosted.set(post.renderId, post.scheduledAt.getTime())
  const renderIds = parsed.items.map(item => item.renderId)
  const lastRender = past.at(-1)?.renderId
  const startIndex = lastRender ? (renderIds.indexOf(lastRender) + 1) % renderIds.length : 0
  const accounts = new Set((await db.socialAccount.findMany({ where: { workspaceId: series.workspaceId, id: { in: parsed.targets.map(target => target.accountId) } }, select: { id: true } })).map(row => row.id))
  const renders = new Map((await db.render.findMany({ where: { workspaceId: series.workspaceId, id: { in: renderIds }, status: 'succeeded' }, select: { id: true, sourceVideoId: true } })).map(row => [row.id, row.sourceVideoId]))
  // A render deleted since drops out of the rotation.
  const picks = rotate(slots, renderIds.filter(id => renders.has(id)), lastPosted, startIndex, series.minGapDays ?? 1)
  return { slots, rows: picks.flatMap(({ instant, renderId }) => {
    const item = parsed.items.find(each => each.renderId === renderId)!
    const groupId = randomUUID()
    return parsed.targets.filter(target => accounts.has(target.accountId)).map(target => ({
      workspaceId: series.workspaceId, socialAccountId: target.accountId, renderId, videoId: renders.get(renderId)!, createdById: series.createdById,
      groupId, seriesId: series.id, status: 'scheduled' as const, scheduledAt: new Date(instant), dueAt: new Date(instant),
      scheduledWall: instantToWallTime(instant, series.zone), scheduledZone: series.zone,
      caption: item.caption, title: item.title, tags: target.tags, privacy: target.privacy, options: target.options as Prisma.InputJsonValue,
    }))
  }) }
}

export async function createEvergreen(deps: ScheduleDeps, actor: Actor, input: EvergreenInput): Promise<{ seriesId: string, groupIds: string[] }> {
  const { db } = deps
  const now = deps.now?.() ?? new Date()
  const renderIds = input.items.map(item => item.renderId)
  if (new Set(renderIds).size !== renderIds.length) throw badRequest('Each render can be in the rotation once.')
  // Every render with every account, checked as a post of it would be.
  const problems: string[] = []
  for (const item of input.items) {
    const checked = await targetProblems(deps, actor.workspaceId, { renderId: item.renderId, targets: input.targets.map(target => ({ ...target, caption: item.caption, title: item.title })) })
    problems.push(...checked.problems)
  }
  if (problems.length) throw new ServiceError(400, `The rotation was not made. ${[...new Set(problems)].join(' ')}`, { problems })
  const first = futureTime(placeWallTime(input.start.wall, input.start.zone, 'later'), now)
  const needsApproval = await approvalNeeded(db, actor)
  const made = await db.$transaction(async (tx) => {
    const series = await tx.postSeries.create({
      data: {
        workspaceId: actor.workspaceId, kind: 'evergreen', rule: input.rule, startWall: first.wall, zone: first.zone, renderIds,
        minGapDays: input.minGapDays, createdById: actor.userId, template: JSON.parse(JSON.stringify({ items: input.items, targets: input.targets })),
      },
    })
    let planned
    try {
      planned = await plannedRows(tx, series, new Date(now.getTime() - 60_000), now)
    }
    catch (error) {
      throw badRequest(`That rotation rule could not be read (${(error as Error).message.slice(0, 200)}). Use one like FREQ=WEEKLY;BYDAY=TU,TH.`)
    }
    if (!planned.rows.length) throw badRequest('That rotation has no times in the next 90 days. Check its days.')
    const rows = await tx.post.createManyAndReturn({ data: planned.rows.map(row => ({ ...row, needsApproval })), select: { id: true, groupId: true, workspaceId: true, dueAt: true, status: true, needsApproval: true, approvedAt: true } })
    await tx.postSeries.update({ where: { id: series.id }, data: { expandedUntil: new Date(planned.slots.at(-1)!) } })
    return { series, rows }
  })
  await sendIfSoon(deps.jobs, made.rows, now)
  const groupIds = [...new Set(made.rows.map(row => row.groupId!))]
  if (needsApproval) await deps.notify?.approvalRequested({ workspaceId: actor.workspaceId, groupId: groupIds[0]!, authorId: actor.userId, occurrences: groupIds.length })
  return { seriesId: made.series.id, groupIds }
}

/** The sweep's part: an evergreen rotation's next posts as its horizon moves; approval carries over as for a series. */
export async function extendEvergreen(db: PrismaClient, jobs: Pick<ScheduleJobs, 'sendPublish'>, series: PostSeries, now: Date): Promise<number> {
  const from = new Date((series.expandedUntil ?? now).getTime() + 1)
  const planned = await plannedRows(db, series, from, now)
  if (!planned.slots.length) return 0
  const latest = await db.post.findFirst({ where: { seriesId: series.id }, orderBy: { scheduledAt: 'desc' }, select: { needsApproval: true, approvedAt: true, approvedById: true } })
  const made = await db.$transaction(async (tx) => {
    const rows = await tx.post.createManyAndReturn({
      data: planned.rows.map(row => ({ ...row, needsApproval: latest?.needsApproval ?? false, approvedAt: latest?.approvedAt ?? null, approvedById: latest?.approvedById ?? null })),
      select: { id: true, workspaceId: true, dueAt: true, status: true, needsApproval: true, approvedAt: true },
    })
    await tx.postSeries.update({ where: { id: series.id }, data: { expandedUntil: new Date(planned.slots.at(-1)!) } })
    return rows
  })
  await sendIfSoon(jobs, made, now)
  return made.length
}
