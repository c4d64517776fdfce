// Moving, editing and deleting scheduled posts. Only posts that have not started publishing change; a group whose
// accounts went different ways keeps the ones under way. In a series, "this" changes one occurrence and "this and
// following" shifts every later one by the same wall-clock step (09:00 → 10:00 stays 10:00 across DST).
import type { CalendarEntry, UpdateScheduleInput } from '#shared/calendar'
import { roleAllows } from '#shared/permissions'
import { instantToWallTime } from '#shared/schedule-time'
import { Temporal } from 'temporal-polyfill'
import type { Prisma } from '../../generated/prisma/client'
import { ServiceError, badRequest, conflict, notFound } from '../errors'
import { targetProblems } from '../posts/create'
import { futureTime, type Actor, type ScheduleDeps } from './create'
import { approvalNeeded, workspaceZone } from './policy'
import { getEntry } from './entries'
import { sendIfSoon } from './jobs'
import { nextQueueTimes } from './queue'
import { placeWallTime, type PlacedTime } from './when'

const OPEN = ['draft', 'scheduled'] as const
const dueSelect = { id: true, workspaceId: true, dueAt: true, status: true, needsApproval: true, approvedAt: true } as const

/** The groups a change applies to: this one, or (in a series) this one and every later one not yet under way. */
async function groupsInScope(deps: ScheduleDeps, actor: Actor, groupId: string, scope: 'this' | 'following') {
  const rows = await deps.db.post.findMany({ where: { workspaceId: actor.workspaceId, groupId }, orderBy: { createdAt: 'asc' } })
  if (!rows.length) throw notFound('That post')
  const first = rows[0]!
  if (scope === 'this' || !first.seriesId || !first.scheduledAt) return { first, rows, groups: [rows] }
  const later = await deps.db.post.findMany({
    where: { workspaceId: actor.workspaceId, seriesId: first.seriesId, scheduledAt: { gt: first.scheduledAt }, status: { in: [...OPEN] } },
    orderBy: [{ scheduledAt: 'asc' }, { createdAt: 'asc' }],
  })
  const groups = new Map<string, typeof rows>([[groupId, rows]])
  for (const row of later) groups.set(row.groupId!, [...(groups.get(row.groupId!) ?? []), row])
  return { first, rows, groups: [...groups.values()] }
}

/** Shifts a wall time by the step between two wall times, and places it in `zone` (a gap moves to after it). */
function shiftWall(wall: string, from: string, to: string, zone: string): PlacedTime {
  const step = Temporal.PlainDateTime.from(from).until(Temporal.PlainDateTime.from(to), { largestUnit: 'days' })
  const shifted = Temporal.PlainDateTime.from(wall).add(step)
  const instant = shifted.toZonedDateTime(zone, { disambiguation: 'compatible' }).toInstant().toString()
  return { scheduledAt: new Date(instant), wall: shifted.toString({ smallestUnit: 'minute' }), zone }
}

const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU']

/** A weekly rule's days moved by `days` (Monday → Tuesday when an occurrence moved a day later). */
export function shiftRuleDays(rule: string, days: number): string {
  const shift = ((days % 7) + 7) % 7
  if (!shift) return rule
  return rule.replace(/BYDAY=([^;]+)/, (_, list: string) => `BYDAY=${list.split(',').map((day) => {
    const index = WEEKDAYS.indexOf(day.slice(-2))
    return index < 0 ? day : `${day.slice(0, -2)}${WEEKDAYS[(index + shift) % 7]}`
  }).join(',')}`)
}

export async function updateScheduled(deps: ScheduleDeps, actor: Actor, groupId: string, input: UpdateScheduleInput): Promise<CalendarEntry> {
  const { db } = deps
  const now = deps.now?.() ?? new Date()
  const { first, rows, groups } = await groupsInScope(deps, actor, groupId, input.scope)
  const open = rows.filter(row => OPEN.includes(row.status as typeof OPEN[number]) && !row.waitingReason)
  if (!open.length) throw conflict('This post has already started publishing, so it can no longer change. Publish it again as a new post if you need to.')

  // The time: one for the group, or each later occurrence shifted by the same step.
  let placed: PlacedTime | null | undefined
  if (input.when?.kind === 'at') placed = futureTime(placeWallTime(input.when.wall, input.when.zone, input.when.choice), now)
  else if (input.when?.kind === 'queue') {
    const zone = await workspaceZone(db, actor.workspaceId)
    const [next] = await nextQueueTimes(db, { workspaceId: actor.workspaceId, accountId: open[0]!.socialAccountId, zone, from: now, count: 1 })
    if (!next) throw badRequest('This account has no free queue slot in the next weeks. Add queue times, or pick a time.')
    placed = { scheduledAt: new Date(next), wall: instantToWallTime(next, zone), zone }
  }
  else if (input.when?.kind === 'draft') placed = null
  if (placed === null && input.scope === 'following') throw badRequest('Turn one occurrence into a draft at a time: choose "this one".')

  // The captions, and accounts added or taken away (one group only).
  const targets = input.targets
  if (targets && groups.length > 1) {
    const accounts = new Set(rows.map(row => row.socialAccountId))
    if (targets.some(target => !accounts.has(target.accountId)) || targets.length !== accounts.size) {
      throw badRequest('Add or remove accounts one occurrence at a time ("this one"); captions can change for all.')
    }
  }
  const willBeScheduled = placed !== null && (placed !== undefined || first.status === 'scheduled')
  if (targets && first.renderId) {
    const { problems } = await targetProblems(deps, actor.workspaceId, { renderId: first.renderId, targets })
    if (problems.length && willBeScheduled) throw new ServiceError(400, `Nothing was changed. ${problems.join(' ')}`, { problems })
  }

  // An editor's change to an approved post needs approving again; an approver's keeps it (or approves it).
  const needsApproval = await approvalNeeded(db, actor)
  const approval: Prisma.PostUncheckedUpdateInput = needsApproval
    ? { needsApproval: true, approvedAt: null, approvedById: null }
    : roleAllows(actor.role, 'posts.approve') && first.needsApproval ? { approvedAt: now, approvedById: actor.userId } : {}

  const touched: string[] = []
  await db.$transaction(async (tx) => {
    for (const group of groups) {
      const head = group[0]!
      const time = placed === undefined
        ? undefined
        : placed === null || head.id === first.id || !head.scheduledWall || !first.scheduledWall
          ? placed
          : shiftWall(head.scheduledWall, first.scheduledWall, placed.wall, placed.zone)
      for (const row of group) {
        if (!OPEN.includes(row.status as typeof OPEN[number]) || row.waitingReason) continue
        const target = targets?.find(each => each.accountId === row.socialAccountId)
        if (targets && !target) {
          // Taken off this post: it never started, so it goes.
          await tx.post.delete({ where: { id: row.id } })
          touched.push(row.id)
          continue
        }
        const timing: Prisma.PostUncheckedUpdateInput = time === undefined
          ? {}
          : time === null
            ? { status: 'draft', dueAt: null }
            : { status: 'scheduled', scheduledAt: time.scheduledAt, dueAt: time.scheduledAt, scheduledWall: time.wall, scheduledZone: time.zone, fromQueue: input.when?.kind === 'queue' }
        // A draft given a time (a rejected post sent again) is scheduled; captions alone leave the state as it was.
        await tx.post.update({
          where: { id: row.id },
          data: {
            ...timing, ...approval, lateSeconds: null, reviewComment: time === undefined ? undefined : null,
            ...(target ? { caption: target.caption, title: target.title, tags: target.tags, privacy: target.privacy, options: target.options } : {}),
          },
        })
        touched.push(row.id)
      }
    }
    if (targets && groups.length === 1) {
      for (const target of targets.filter(each => !rows.some(row => row.socialAccountId === each.accountId))) {
        const created = await tx.post.create({
          data: {
            workspaceId: actor.workspaceId, socialAccountId: target.accountId, videoId: first.videoId, renderId: first.renderId,
            createdById: first.createdById ?? actor.userId, groupId, seriesId: first.seriesId, fromQueue: first.fromQueue,
            status: first.status === 'draft' ? 'draft' : 'scheduled', needsApproval: needsApproval || first.needsApproval,
            approvedAt: needsApproval ? null : first.approvedAt, scheduledAt: first.scheduledAt, dueAt: first.status === 'draft' ? null : first.scheduledAt,
            scheduledWall: first.scheduledWall, scheduledZone: first.scheduledZone,
            caption: target.caption, title: target.title, tags: target.tags, privacy: target.privacy, options: target.options,
          },
        })
        touched.push(created.id)
      }
    }
    // "This and following" moves the series itself, so occurrences made later follow the new time.
    if (input.scope === 'following' && first.seriesId && placed && first.scheduledWall) {
      const series = await tx.postSeries.findFirst({ where: { id: first.seriesId, workspaceId: actor.workspaceId } })
      if (series) {
        const moved = shiftWall(series.startWall, first.scheduledWall, placed.wall, placed.zone)
        const days = Temporal.PlainDate.from(placed.wall.slice(0, 10)).since(Temporal.PlainDate.from(first.scheduledWall.slice(0, 10))).days
        await tx.postSeries.update({ where: { id: series.id }, data: { startWall: moved.wall, zone: placed.zone, rule: shiftRuleDays(series.rule, days) } })
      }
    }
  })
  for (const id of touched) await deps.jobs.cancelPublish(id)
  const after = await db.post.findMany({ where: { id: { in: touched } }, select: dueSelect })
  await sendIfSoon(deps.jobs, after, now)
  if (needsApproval && willBeScheduled) await deps.notify?.approvalRequested({ workspaceId: actor.workspaceId, groupId, authorId: actor.userId, occurrences: groups.length })
  return getEntry(db, actor.workspaceId, groupId)
}

/**
 * Deletes a post: what never started goes (its waiting job is canceled); a post waiting after an attempt is canceled,
 * keeping its history; what is published or under way stays, and the answer says so.
 */
export async function deleteScheduled(deps: ScheduleDeps, actor: Actor, groupId: string, scope: 'this' | 'following'): Promise<{ deleted: number, canceled: number, kept: number }> {
  const { db } = deps
  const { groups } = await groupsInScope(deps, actor, groupId, scope)
  const rows = groups.flat()
  const attempted = new Set((await db.postAttempt.findMany({ where: { postId: { in: rows.map(row => row.id) } }, select: { postId: true } })).map(row => row.postId))
  const open = rows.filter(row => OPEN.includes(row.status as typeof OPEN[number]))
  const gone = open.filter(row => !attempted.has(row.id)).map(row => row.id)
  const cancel = open.filter(row => attempted.has(row.id)).map(row => row.id)
  if (!open.length) throw conflict('This post has already been published or is publishing, so it stays. Delete it on the platform if you need to.')
  await db.$transaction([
    db.post.deleteMany({ where: { workspaceId: actor.workspaceId, id: { in: gone }, status: { in: [...OPEN] } } }),
    db.post.updateMany({ where: { workspaceId: actor.workspaceId, id: { in: cancel }, status: { in: [...OPEN] } }, data: { status: 'canceled', dueAt: null, waitingReason: null } }),
  ])
  for (const row of open) await deps.jobs.cancelPublish(row.id)
  return { deleted: gone.length, canceled: cancel.length, kept: rows.length - open.length }
}
