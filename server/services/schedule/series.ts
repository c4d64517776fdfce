// A recurring post's later occurrences: made ahead as posts, at most RECURRENCE_HORIZON_DAYS ahead, as time moves on.
// The sweep extends each open series about once a day; a series whose rule has no dates left ends. New occurrences
// copy the series' captions and the approval of its latest occurrence (an approved series stays approved).
import { randomUUID } from 'node:crypto'
import { scheduleInput } from '#shared/calendar'
import { RECURRENCE_HORIZON_DAYS, instantToWallTime, occurrences } from '#shared/schedule-time'
import type { PrismaClient } from '../../generated/prisma/client'
import { sendIfSoon, type ScheduleJobs } from './jobs'

const DAY_MS = 86_400_000
/** How far the rule is searched for a date after the horizon before a series counts as over. */
const END_SEARCH_DAYS = 3650

export async function extendSeries(db: PrismaClient, jobs: Pick<ScheduleJobs, 'sendPublish'>, now = new Date()): Promise<{ extended: number, created: number, ended: number }> {
  const horizon = new Date(now.getTime() + RECURRENCE_HORIZON_DAYS * DAY_MS)
  const due = await db.postSeries.findMany({
    where: { kind: 'recurring', endedAt: null, OR: [{ expandedUntil: null }, { expandedUntil: { lt: new Date(horizon.getTime() - DAY_MS) } }] },
    take: 200,
  })
  let created = 0
  let ended = 0
  for (const series of due) {
    const from = new Date((series.expandedUntil ?? now).getTime() + 1)
    const days = Math.ceil((horizon.getTime() - from.getTime()) / DAY_MS)
    const template = scheduleInput.pick({ renderId: true, targets: true }).safeParse(series.template)
    const instants = days > 0 && template.success ? occurrences(series.rule, series.startWall, series.zone, from.toISOString(), days).filter(instant => Date.parse(instant) > from.getTime()) : []
    if (!instants.length) {
      // Nothing before the horizon: over for good when the rule has no date at all after it (COUNT used up, UNTIL passed).
      const later = template.success ? occurrences(series.rule, series.startWall, series.zone, horizon.toISOString(), END_SEARCH_DAYS) : []
      await db.postSeries.update({ where: { id: series.id }, data: later.length ? { expandedUntil: horizon } : { endedAt: now } })
      if (!later.length) ended++
      continue
    }
    const latest = await db.post.findFirst({ where: { seriesId: series.id }, orderBy: { scheduledAt: 'desc' }, select: { needsApproval: true, approvedAt: true, approvedById: true, videoId: true } })
    const accounts = new Set((await db.socialAccount.findMany({ where: { workspaceId: series.workspaceId, id: { in: template.data!.targets.map(target => target.accountId) } }, select: { id: true } })).map(row => row.id))
    const rows = instants.flatMap((instant) => {
      const groupId = randomUUID()
      return template.data!.targets.filter(target => accounts.has(target.accountId)).map(target => ({
        workspaceId: series.workspaceId, socialAccountId: target.accountId, renderId: template.data!.renderId, videoId: latest?.videoId ?? null,
        createdById: series.createdById, groupId, seriesId: series.id, status: 'scheduled' as const,
        needsApproval: latest?.needsApproval ?? false, approvedAt: latest?.approvedAt ?? null, approvedById: latest?.approvedById ?? null,
        scheduledAt: new Date(instant), dueAt: new Date(instant), scheduledWall: instantToWallTime(instant, series.zone), scheduledZone: series.zone,
        caption: target.caption, title: target.title, tags: target.tags, privacy: target.privacy, options: target.options,
      }))
    })
    const made = await db.$transaction(async (tx) => {
      const inserted = await tx.post.createManyAndReturn({ data: rows, select: { id: true, workspaceId: true, dueAt: true, status: true, needsApproval: true, approvedAt: true } })
      await tx.postSeries.update({ where: { id: series.id }, data: { expandedUntil: new Date(instants.at(-1)!) } })
      return inserted
    })
    await sendIfSoon(jobs, made, now)
    created += made.length
  }
  return { extended: due.length - ended, created, ended }
}
