// The best times to post on an account, in the workspace's zone, always with their basis. Pure scoring below; the
// database read at the end.
//
// Own numbers, once the account has MIN_OWN_POSTS published posts with a snapshot 24–72 h after publishing:
//   outcome = ln(views + 1) at the latest snapshot of age 24–72 h, minus the median outcome of the account's posts
//   bucket  = (ISO weekday, hour) of publishedAt in the workspace's zone
//   score   = mean outcome of the bucket × n / (n + SHRINK_POSTS)
// - Views on a log scale: ×2 is +0.69 at any size, and one viral post does not decide a mean. (+1 keeps 0 finite.)
// - Minus the account's own median: what counts is better or worse than this account's typical post, so the score
//   reads the same on a channel of 200 views and one of 2 million.
// - The 24–72 h window: earlier numbers still move by the hour; later ones mostly reflect what the feed did after the
//   first push, which the hour of posting no longer explains. Snapshots are compared as they are (no age correction).
// - The shrink n / (n + k) is empirical Bayes with a prior of "no different from usual" (0) worth k posts: an hour
//   with one lucky post keeps a quarter of its lead, one with nine posts keeps three quarters.
// - Ten posts before own numbers replace the defaults: with fewer, most hours hold a single post, every score is shrunk
//   to a fraction of one lucky post, and a published study of millions of posts is the better guess. Ten posts
//   is also where a median stops being decided by one or two posts.
import { Temporal } from 'temporal-polyfill'
import type { PlatformKey } from '#shared/platforms/keys'
import type { BestTimeSlot, BestTimes } from '#shared/posting-times'
import type { PrismaClient } from '../../generated/prisma/client'
import { notFound } from '../errors'
import { median } from '../patterns/performance'
import { platformDefaultTimes } from './platform-default-times'

export const MIN_OWN_POSTS = 10
export const SHRINK_POSTS = 3
export const BEST_TIME_COUNT = 5
const MIN_AGE_HOURS = 24
const MAX_AGE_HOURS = 72
// The newest posts say most about the audience now, and a bound keeps the read small.
const MAX_POSTS_READ = 1000

export interface PostOutcome {
  publishedAt: Date
  views: number
}

export interface BucketScore extends BestTimeSlot {
  /** Posts published in this hour. */
  posts: number
  /** Their mean outcome before shrinking. */
  mean: number
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`

/** ISO weekday and hour of an instant on the wall clock of `zone`. */
export function bucketOf(instant: Date, zone: string): { day: number, hour: number } {
  const zoned = Temporal.Instant.fromEpochMilliseconds(instant.getTime()).toZonedDateTimeISO(zone)
  return { day: zoned.dayOfWeek, hour: zoned.hour }
}

/** Every (weekday, hour) with posts, scored as the header says, best first (ties: more posts first). */
export function scoreBuckets(posts: PostOutcome[], zone: string, shrinkPosts = SHRINK_POSTS): BucketScore[] {
  if (posts.length === 0) return []
  const outcomes = posts.map(post => Math.log(post.views + 1))
  const typical = median(outcomes)
  const buckets = new Map<string, { day: number, hour: number, sum: number, posts: number }>()
  posts.forEach((post, index) => {
    const { day, hour } = bucketOf(post.publishedAt, zone)
    const key = `${day} ${hour}`
    const bucket = buckets.get(key) ?? { day, hour, sum: 0, posts: 0 }
    bucket.sum += outcomes[index]! - typical
    bucket.posts += 1
    buckets.set(key, bucket)
  })
  return [...buckets.values()]
    .map(({ day, hour, sum, posts: count }) => {
      const mean = sum / count
      return { day, time: `${String(hour).padStart(2, '0')}:00`, posts: count, mean, score: mean * count / (count + shrinkPosts) }
    })
    .sort((a, b) => b.score - a.score || b.posts - a.posts || a.day - b.day || a.time.localeCompare(b.time))
}

/**
 * The suggestion: from the account's own posts once there are MIN_OWN_POSTS of them (the hours that did better than
 * usual, at most BEST_TIME_COUNT), else the platform's published default, applied in the workspace's zone.
 */
export function suggestBestTimes(platform: PlatformKey, posts: PostOutcome[], zone: string): BestTimes {
  if (posts.length >= MIN_OWN_POSTS) {
    const slots = scoreBuckets(posts, zone).filter(bucket => bucket.score > 0).slice(0, BEST_TIME_COUNT)
    return {
      basis: 'own', label: `from your ${posts.length} posts`, posts: posts.length, zone,
      note: slots.length ? null : 'No hour has done better than your usual post yet. Post at a few different times to find out more.',
      slots: slots.map(({ day, time, score }) => ({ day, time, score: Math.round(score * 100) / 100 })),
    }
  }
  const defaults = platformDefaultTimes[platform]
  const notes = [
    `${defaults.source} gives local times; they are shown in ${zone}, your workspace's time zone`,
    defaults.caveat,
    `${plural(MIN_OWN_POSTS - posts.length, 'more published post')} with numbers a day old and these come from your own`,
  ]
  return {
    basis: 'default', label: `platform default (${defaults.source})`, posts: posts.length, zone,
    note: `${notes.filter(Boolean).join('; ')}.`,
    slots: defaults.slots.slice(0, BEST_TIME_COUNT).map(slot => ({ ...slot, score: 0 })),
  }
}

/** The account's published posts with a snapshot 24–72 h old, each with the views of its latest such snapshot. */
export async function measuredPosts(db: PrismaClient, workspaceId: string, accountId: string): Promise<PostOutcome[]> {
  const rows = await db.post.findMany({
    where: { workspaceId, socialAccountId: accountId, status: 'published', publishedAt: { not: null } },
    orderBy: { publishedAt: 'desc' },
    take: MAX_POSTS_READ,
    select: {
      publishedAt: true,
      metricSnapshots: {
        where: { workspaceId, ageHours: { gte: MIN_AGE_HOURS, lte: MAX_AGE_HOURS }, views: { not: null } },
        orderBy: { ageHours: 'desc' },
        take: 1,
        select: { views: true },
      },
    },
  })
  return rows.flatMap((row) => {
    const views = row.metricSnapshots[0]?.views
    return views === null || views === undefined ? [] : [{ publishedAt: row.publishedAt!, views: Number(views) }]
  })
}

export async function getBestTimes(db: PrismaClient, workspaceId: string, accountId: string): Promise<BestTimes> {
  const account = await db.socialAccount.findFirst({ where: { id: accountId, workspaceId }, select: { platform: true } })
  if (!account) throw notFound('That account')
  const workspace = await db.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { timeZone: true } })
  return suggestBestTimes(account.platform, await measuredPosts(db, workspaceId, accountId), workspace.timeZone)
}
