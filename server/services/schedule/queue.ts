// An account's queue: weekly wall-clock slots in the workspace's zone ("Mon 09:00, Mon 18:00 …") that "add to queue"
// fills in order. Slots are expanded on the wall clock with Temporal, so 09:00 stays 09:00 across a DST change.
import { Temporal } from 'temporal-polyfill'
import { queueSlot, queueSlotsInput, type QueueSlot } from '#shared/calendar'
import { platformNames } from '#shared/platforms/keys'
import type { QueueView } from '#shared/posting-times'
import type { PrismaClient } from '../../generated/prisma/client'
import type { PostStatus } from '#shared/posts'
import { badRequest, notFound } from '../errors'

/** How far ahead the queue looks for a free slot. */
export const QUEUE_HORIZON_WEEKS = 8
/** How many free slots the queue page shows. */
export const QUEUE_PREVIEW_COUNT = 5

// A post in one of these states holds its time; a failed or canceled one gave it back.
const holdingStates: PostStatus[] = ['draft', 'scheduled', 'publishing', 'processing', 'published']

/** Sorted by day then time, each slot once. */
export function normaliseSlots(slots: QueueSlot[]): QueueSlot[] {
  const unique = new Map(slots.map(slot => [`${slot.day} ${slot.time}`, { day: slot.day, time: slot.time }]))
  return [...unique.values()].sort((a, b) => a.day - b.day || a.time.localeCompare(b.time))
}

/** The slots stored on an account; anything malformed in the column is left out rather than guessed at. */
export function storedSlots(value: unknown): QueueSlot[] {
  if (!Array.isArray(value)) return []
  return normaliseSlots(value.flatMap((item) => {
    const parsed = queueSlot.safeParse(item)
    return parsed.success ? [parsed.data] : []
  }))
}

/**
 * Every slot instant after `from` and within `weeks`, soonest first (epoch milliseconds). Each slot is a wall time in
 * `zone`: a slot in the spring gap (02:30 on the night the clocks jump from 02:00 to 03:00) does not exist that day
 * and is moved to the moment after the gap by the gap's length (03:30), the 'compatible' reading RFC 5545 and
 * schedule-time.ts's recurrences use; a slot in the autumn overlap takes the earlier of its two moments.
 */
export function expandSlots(slots: QueueSlot[], zone: string, from: Date, weeks = QUEUE_HORIZON_WEEKS): number[] {
  if (slots.length === 0) return []
  const start = Temporal.Instant.fromEpochMilliseconds(from.getTime())
  const end = start.add({ hours: weeks * 7 * 24 })
  const firstDay = start.toZonedDateTimeISO(zone).toPlainDate()
  const instants: number[] = []
  // One day more than the horizon: the horizon ends mid-day in the zone.
  for (let offset = 0; offset <= weeks * 7; offset++) {
    const date = firstDay.add({ days: offset })
    for (const slot of slots) {
      if (slot.day !== date.dayOfWeek) continue
      const instant = date.toPlainDateTime(Temporal.PlainTime.from(slot.time)).toZonedDateTime(zone, { disambiguation: 'compatible' }).toInstant()
      if (Temporal.Instant.compare(instant, start) > 0 && Temporal.Instant.compare(instant, end) <= 0) instants.push(instant.epochMilliseconds)
    }
  }
  // Sorted again: a slot moved past a gap can land after the next slot of the same day.
  return [...new Set(instants)].sort((a, b) => a - b)
}

const accountName = (account: { displayName: string | null, handle: string | null, platform: keyof typeof platformNames }) =>
  account.displayName ?? account.handle ?? platformNames[account.platform]

async function findAccount(db: PrismaClient, workspaceId: string, accountId: string) {
  const account = await db.socialAccount.findFirst({
    where: { id: accountId, workspaceId },
    select: { id: true, displayName: true, handle: true, platform: true, queueSlots: true },
  })
  if (!account) throw notFound('That account')
  return account
}

async function freeTimes(db: PrismaClient, workspaceId: string, accountId: string, slots: QueueSlot[], zone: string, from: Date, count: number): Promise<string[]> {
  const candidates = expandSlots(slots, zone, from)
  if (candidates.length === 0) return []
  const taken = await db.post.findMany({
    where: {
      workspaceId, socialAccountId: accountId, status: { in: holdingStates },
      scheduledAt: { gte: new Date(candidates[0]!), lte: new Date(candidates.at(-1)!) },
    },
    select: { scheduledAt: true },
  })
  const takenAt = new Set(taken.map(post => post.scheduledAt!.getTime()))
  return candidates.filter(instant => !takenAt.has(instant)).slice(0, count).map(instant => new Date(instant).toISOString())
}

/**
 * The next `count` free slot instants (UTC ISO) of an account's queue after `from`, in `zone` (the workspace's).
 * A slot is taken by a post of the account at that very instant that still holds it (a draft with that time, or
 * scheduled, publishing, processing, published). Looks QUEUE_HORIZON_WEEKS ahead, so fewer come back when those
 * weeks are full. Two callers at once may get the same slot: the caller that stores a post claims it.
 */
export async function nextQueueTimes(
  db: PrismaClient, input: { workspaceId: string, accountId: string, zone: string, from: Date, count: number },
): Promise<string[]> {
  const account = await findAccount(db, input.workspaceId, input.accountId)
  const slots = storedSlots(account.queueSlots)
  if (slots.length === 0) throw badRequest(`Set queue times for ${accountName(account)} first (Calendar → Queue).`)
  return freeTimes(db, input.workspaceId, account.id, slots, input.zone, input.from, input.count)
}

async function workspaceZone(db: PrismaClient, workspaceId: string): Promise<string> {
  const workspace = await db.workspace.findUnique({ where: { id: workspaceId }, select: { timeZone: true } })
  if (!workspace) throw notFound('The workspace')
  return workspace.timeZone
}

/** An account's queue slots and its next free slots (none while no slot is set). */
export async function getQueue(db: PrismaClient, workspaceId: string, accountId: string, now = new Date()): Promise<QueueView> {
  const account = await findAccount(db, workspaceId, accountId)
  const slots = storedSlots(account.queueSlots)
  const zone = await workspaceZone(db, workspaceId)
  return { slots, next: await freeTimes(db, workspaceId, account.id, slots, zone, now, QUEUE_PREVIEW_COUNT) }
}

/** Replaces an account's queue slots (validated, sorted, each once); posts already queued keep their times. */
export async function setQueue(db: PrismaClient, workspaceId: string, accountId: string, input: unknown, now = new Date()): Promise<QueueView> {
  const { slots } = queueSlotsInput.parse(input)
  const { count } = await db.socialAccount.updateMany({ where: { id: accountId, workspaceId }, data: { queueSlots: normaliseSlots(slots) } })
  if (count === 0) throw notFound('That account')
  return getQueue(db, workspaceId, accountId, now)
}
