// The calendar's contract, shared by the pages and the server: what a scheduled post is made of, how it is moved,
// approved or rejected, and how the calendar reads it back. A "post" here is a group: one render with a caption per
// target account; each account's Post row keeps its own state, so one platform failing never hides another's success.
import { z } from 'zod'
import type { PlatformKey } from './platforms/keys'
import { publishInput, publishTarget, type PostStatus } from './posts'
import { isTimeZone } from './schedule-time'

export const wallTimeInput = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/, 'Give a date and a time, like 2026-03-29T09:00.')
export const timeZoneInput = z.string().min(1).max(64).refine(isTimeZone, 'That is not a time zone we know. Use an IANA name, like Europe/Berlin.')
/** For a wall time in the spring gap or the autumn overlap: which of the two moments the creator chose. */
export const wallChoiceInput = z.enum(['earlier', 'later'])

/** When a post goes out: kept as a draft, at a wall-clock time in a zone, or in the account's next free queue slot. */
export const scheduleWhen = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('draft') }),
  z.object({ kind: z.literal('at'), wall: wallTimeInput, zone: timeZoneInput, choice: wallChoiceInput.optional() }),
  z.object({ kind: z.literal('queue') }),
])
export type ScheduleWhen = z.infer<typeof scheduleWhen>

/** A recurrence: an RRULE that ends (COUNT or UNTIL), expanded on the wall clock at most 90 days ahead. */
export const repeatInput = z.object({
  rule: z.string().trim().min(6).max(500)
    .transform(rule => rule.replace(/^RRULE:/i, '').toUpperCase())
    .refine(rule => /(^|;)FREQ=(DAILY|WEEKLY|MONTHLY)(;|$)/.test(rule), 'Repeat daily, weekly or monthly.')
    .refine(rule => /(^|;)(COUNT|UNTIL)=/.test(rule), 'Give the repeat an end: a number of times or a last date.'),
})

export const scheduleInput = publishInput.extend({
  when: scheduleWhen,
  repeat: repeatInput.optional(),
})
export type ScheduleInput = z.infer<typeof scheduleInput>

/** Editing a scheduled post: its time, its captions, or both. In a series, "this" one or "this and following". */
export const updateScheduleInput = z.object({
  when: scheduleWhen.optional(),
  targets: z.array(publishTarget).min(1).max(20).optional(),
  scope: z.enum(['this', 'following']).default('this'),
}).refine(input => input.when || input.targets, 'Change the time or the captions.')
export type UpdateScheduleInput = z.infer<typeof updateScheduleInput>

export const reviewInput = z.object({
  decision: z.enum(['approve', 'reject']),
  comment: z.string().trim().max(1000).default(''),
}).refine(input => input.decision === 'approve' || input.comment.length > 0, { message: 'Say what to change, so the author can fix it.', path: ['comment'] })
export type ReviewInput = z.infer<typeof reviewInput>

const MAX_RANGE_DAYS = 100

/** A window of the calendar (month, week or list), with its filters. */
export const calendarQuery = z.object({
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
  accountId: z.uuid().optional(),
  authorId: z.uuid().optional(),
  state: z.enum(['draft', 'scheduled', 'waiting_approval', 'publishing', 'processing', 'published', 'failed', 'canceled']).optional(),
}).refine(query => Date.parse(query.to) > Date.parse(query.from), 'The window must end after it starts.')
  .refine(query => Date.parse(query.to) - Date.parse(query.from) <= MAX_RANGE_DAYS * 86_400_000, `Ask for at most ${MAX_RANGE_DAYS} days at a time.`)
export type CalendarQuery = z.infer<typeof calendarQuery>

/** An account's queue: the weekly slots "add to queue" fills in order, in the workspace's zone. */
export const queueSlot = z.object({
  day: z.number().int().min(1).max(7),
  time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Give a time like 09:00.'),
})
export const queueSlotsInput = z.object({ slots: z.array(queueSlot).max(70) })
export type QueueSlot = z.infer<typeof queueSlot>

/**
 * What the calendar colours an entry by. `waiting_approval`: scheduled, not yet approved (it never publishes so).
 * `mixed`: the accounts went different ways (one published, one failed); each target says its own.
 */
export type CalendarState = PostStatus | 'waiting_approval' | 'mixed'

export interface CalendarTarget {
  postId: string
  account: { id: string, platform: PlatformKey, name: string }
  status: PostStatus
  caption: string
  permalink: string | null
  error: string | null
  waitingReason: string | null
  /** Published late (the worker was down), in seconds. */
  lateSeconds: number | null
  publishedAt: string | null
}

export interface CalendarEntry {
  groupId: string
  renderId: string | null
  renderName: string | null
  /** The chosen moment (UTC ISO), null for a draft without a time. */
  start: string | null
  /** The wall-clock time and zone it was chosen in. */
  wall: string | null
  zone: string | null
  state: CalendarState
  needsApproval: boolean
  approvedAt: string | null
  reviewComment: string | null
  author: { id: string, name: string } | null
  seriesId: string | null
  fromQueue: boolean
  /** Whether its time can still move (nothing has started publishing). */
  movable: boolean
  targets: CalendarTarget[]
}

/** A wall time the server could not place without the creator's choice (the DST gap or overlap), in a 409's data. */
export interface WallTimeChoiceData {
  wallTimeChoice: { wall: string, zone: string, kind: 'gap' | 'overlap', options: { choice: 'earlier' | 'later', instant: string, label: string }[] }
}

/** The state an entry shows: every target the same, or `mixed`; a scheduled one not yet approved waits for approval. */
export function calendarState(targets: { status: PostStatus }[], approval: { needsApproval: boolean, approvedAt: unknown }): CalendarState {
  const states = new Set(targets.map(target => target.status))
  if (states.size !== 1) return 'mixed'
  const [state] = states as Set<PostStatus>
  if (state === 'scheduled' && approval.needsApproval && !approval.approvedAt) return 'waiting_approval'
  return state!
}

export const calendarStateLabels: Record<CalendarState, string> = {
  draft: 'Draft',
  scheduled: 'Scheduled',
  waiting_approval: 'Waiting for approval',
  publishing: 'Publishing',
  processing: 'Processing',
  published: 'Published',
  failed: 'Failed',
  canceled: 'Canceled',
  mixed: 'Mixed: see each account',
}

/**
 * An evergreen rotation: a set of renders re-posted in turn at the rule's times (no end needed; it runs until it is
 * deleted), never the same render twice within `minGapDays`. Each render has its caption; each account its settings.
 */
export const evergreenInput = z.object({
  items: z.array(z.object({
    renderId: z.uuid({ error: 'Choose a render.' }),
    caption: z.string().max(70_000).default(''),
    title: z.string().trim().max(500).nullable().default(null),
  })).min(2, 'Choose at least two renders to rotate.').max(50),
  targets: z.array(publishTarget.pick({ accountId: true, privacy: true, options: true, tags: true })).min(1, 'Choose at least one account.').max(20),
  rule: z.string().trim().min(6).max(500)
    .transform(rule => rule.replace(/^RRULE:/i, '').toUpperCase())
    .refine(rule => /(^|;)FREQ=(DAILY|WEEKLY)(;|$)/.test(rule), 'Rotate daily or weekly.'),
  start: z.object({ wall: wallTimeInput, zone: timeZoneInput }),
  minGapDays: z.number().int().min(1).max(365),
})
export type EvergreenInput = z.infer<typeof evergreenInput>
