// Scheduling a post from the calendar: a render, a caption per account, and a time (a wall-clock time in a zone,
// the account's next queue slot, or none yet: a draft). Everything is checked before a row is written; a post by an
// editor in a workspace whose posts need approval waits for an admin, and never publishes until approved.
import { randomUUID } from 'node:crypto'
import type { CalendarEntry, ScheduleInput } from '#shared/calendar'
import type { Role } from '#shared/permissions'
import { platformNames } from '#shared/platforms/keys'
import { instantToWallTime, occurrences } from '#shared/schedule-time'
import type { Prisma, PrismaClient } from '../../generated/prisma/client'
import { ServiceError, badRequest } from '../errors'
import type { PlatformApp } from '../platforms/connector'
import type { connectors } from '../platforms'
import { targetProblems } from '../posts/create'
import { getEntry } from './entries'
import { sendIfSoon, type ScheduleJobs } from './jobs'
import { nextQueueTimes } from './queue'
import { approvalNeeded, workspaceZone } from './policy'
import { placeWallTime, type PlacedTime } from './when'
import type { Notifier } from '../notifications/notify'

export interface ScheduleDeps {
  db: PrismaClient
  jobs: ScheduleJobs
  appUrl: string
  app: (platform: keyof typeof connectors) => PlatformApp
  notify?: Notifier
  now?: () => Date
}

export interface Actor { workspaceId: string, userId: string, role: Role }

/** How long ago a chosen time may be and still count as "now" (the form took a moment to send). */
const PAST_GRACE_MS = 60_000
/** A recurring post makes at most this many occurrences ahead (90 days of daily posts). */
const MAX_OCCURRENCES = 90

const toJson = (value: unknown) => JSON.parse(JSON.stringify(value ?? null)) as Prisma.InputJsonValue

/** The time a scheduled post goes out: refused when it has passed, so nothing goes out at a moment nobody meant. */
export function futureTime(placed: PlacedTime, now: Date): PlacedTime {
  if (placed.scheduledAt.getTime() < now.getTime() - PAST_GRACE_MS) {
    throw badRequest(`${placed.wall.replace('T', ' ')} (${placed.zone}) has passed. Pick a later time, or use Publish now.`)
  }
  return placed
}

/** A group per time: each account's post in it, with its own caption and state. */
interface GroupPlan { time: PlacedTime | null, targets: ScheduleInput['targets'], fromQueue: boolean, seriesId?: string }

export async function schedulePost(deps: ScheduleDeps, actor: Actor, input: ScheduleInput): Promise<{ entry: CalendarEntry, groupIds: string[] }> {
  const { db } = deps
  const now = deps.now?.() ?? new Date()
  const ids = input.targets.map(target => target.accountId)
  if (new Set(ids).size !== ids.length) throw badRequest('Each account can be chosen once per post.')
  const { render, accounts, problems } = await targetProblems(deps, actor.workspaceId, input)
  // A draft may still be unfinished (a caption over the limit, an account to reconnect); it is checked when it is scheduled.
  if (problems.length && input.when.kind !== 'draft') throw new ServiceError(400, `Nothing was scheduled. ${problems.join(' ')}`, { problems })
  if (input.repeat && input.when.kind !== 'at') throw badRequest('A repeating post needs a first date and time.')

  const plans: GroupPlan[] = []
  let series: { rule: string, startWall: string, zone: string } | null = null
  if (input.when.kind === 'draft') {
    plans.push({ time: null, targets: input.targets, fromQueue: false })
  }
  else if (input.when.kind === 'at') {
    const first = futureTime(placeWallTime(input.when.wall, input.when.zone, input.when.choice), now)
    if (!input.repeat) {
      plans.push({ time: first, targets: input.targets, fromQueue: false })
    }
    else {
      series = { rule: input.repeat.rule, startWall: first.wall, zone: first.zone }
      let instants: string[]
      try {
        instants = occurrences(series.rule, series.startWall, series.zone, new Date(now.getTime() - PAST_GRACE_MS).toISOString())
      }
      catch (error) {
        throw badRequest(`That repeat rule could not be read (${(error as Error).message.slice(0, 200)}). Use one like FREQ=WEEKLY;BYDAY=MO;COUNT=8.`)
      }
      if (!instants.length) throw badRequest('That repeat has no dates in the next 90 days. Check its days and its end.')
      for (const instant of instants.slice(0, MAX_OCCURRENCES)) {
        plans.push({ time: { scheduledAt: new Date(instant), wall: instantToWallTime(instant, first.zone), zone: first.zone }, targets: input.targets, fromQueue: false })
      }
    }
  }
  else {
    // Each account's next free slot; accounts whose slots fall at the same moment share a group.
    const zone = await workspaceZone(db, actor.workspaceId)
    const byTime = new Map<string, GroupPlan>()
    for (const target of input.targets) {
      const [next] = await nextQueueTimes(db, { workspaceId: actor.workspaceId, accountId: target.accountId, zone, from: now, count: 1 })
      if (!next) {
        const account = accounts.find(row => row.id === target.accountId)!
        throw badRequest(`${platformNames[account.platform]} has no free queue slot in the next weeks. Add queue times, or pick a time.`)
      }
      const plan = byTime.get(next) ?? { time: { scheduledAt: new Date(next), wall: instantToWallTime(next, zone), zone }, targets: [], fromQueue: true }
      plan.targets.push(target)
      byTime.set(next, plan)
    }
    plans.push(...byTime.values())
  }

  const needsApproval = await approvalNeeded(db, actor)
  const groupIds = plans.map(() => randomUUID())
  const created = await db.$transaction(async (tx) => {
    const seriesRow = series
      ? await tx.postSeries.create({
          data: {
            workspaceId: actor.workspaceId, kind: 'recurring', rule: series.rule, startWall: series.startWall, zone: series.zone,
            template: toJson({ renderId: render.id, targets: input.targets }), createdById: actor.userId,
            expandedUntil: plans.at(-1)!.time!.scheduledAt,
          },
        })
      : null
    const rows = []
    for (const [index, plan] of plans.entries()) {
      for (const target of plan.targets) {
        rows.push(await tx.post.create({
          data: {
            workspaceId: actor.workspaceId, socialAccountId: target.accountId, videoId: render.sourceVideoId, renderId: render.id,
            createdById: actor.userId, groupId: groupIds[index], seriesId: seriesRow?.id ?? null, fromQueue: plan.fromQueue,
            status: plan.time ? 'scheduled' : 'draft', needsApproval,
            scheduledAt: plan.time?.scheduledAt ?? null, dueAt: plan.time?.scheduledAt ?? null,
            scheduledWall: plan.time?.wall ?? null, scheduledZone: plan.time?.zone ?? null,
            caption: target.caption, title: target.title, tags: target.tags, privacy: target.privacy, options: target.options,
          },
          select: { id: true, workspaceId: true, dueAt: true, status: true, needsApproval: true, approvedAt: true },
        }))
      }
    }
    return rows
  })
  await sendIfSoon(deps.jobs, created, now)
  if (needsApproval && input.when.kind !== 'draft') {
    for (const groupId of groupIds.slice(0, 1)) await deps.notify?.approvalRequested({ workspaceId: actor.workspaceId, groupId, authorId: actor.userId, occurrences: groupIds.length })
  }
  return { entry: await getEntry(db, actor.workspaceId, groupIds[0]!), groupIds }
}
