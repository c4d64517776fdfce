// A video's public numbers from videos.list(part=statistics), up to 50 ids a call. YouTube leaves a count out when
// the owner hides it (likes) or it is off (comments): that stays undefined, never 0.
import { z } from 'zod'
import type { AccountContext, AccountMetrics, MetricsReads, PostMetrics } from '../connector'
import { callOptions, readApi, youtubeClient } from './api'
import { UNIT_COST, VIDEOS_PER_LIST, YOUTUBE_LIMITS } from './limits'

// The API sends counts as decimal strings (they can pass 2^53 in theory; not for a Short's views).
const count = z.string().regex(/^\d+$/).optional()
const statisticsListSchema = z.object({
  items: z.array(z.object({
    id: z.string(),
    statistics: z.object({ viewCount: count, likeCount: count, commentCount: count, favoriteCount: count }).loose().optional(),
  }).loose()).optional(),
}).loose()

const asNumber = (value: string | undefined) => value === undefined ? undefined : Number(value)

/** The ids in groups the API takes in one call. */
export function batches<T>(items: T[], size: number = VIDEOS_PER_LIST): T[][] {
  const groups: T[][] = []
  for (let start = 0; start < items.length; start += size) groups.push(items.slice(start, start + size))
  return groups
}

export async function metrics(account: AccountContext, externalIds: string[]): Promise<PostMetrics[]> {
  const results: PostMetrics[] = []
  for (const ids of batches([...new Set(externalIds)])) {
    const list = await readApi('the video statistics', () => youtubeClient.videos.list(
      { part: ['statistics'], id: ids, maxResults: ids.length },
      callOptions(account.app, account.accessToken, account.signal),
    ), statisticsListSchema)
    // A deleted or private video is left out of the reply, so it gets no row (not a row of zeros).
    for (const item of list.items ?? []) {
      const statistics = item.statistics ?? {}
      results.push({
        externalId: item.id,
        views: asNumber(statistics.viewCount),
        likes: asNumber(statistics.likeCount),
        comments: asNumber(statistics.commentCount),
        raw: { statistics },
      })
    }
  }
  return results
}

// channels.list(part=statistics): counts as decimal strings; the subscriber count is left out when the owner hides it.
const channelStatisticsSchema = z.object({
  items: z.array(z.object({
    id: z.string(),
    statistics: z.object({ viewCount: count, subscriberCount: count, hiddenSubscriberCount: z.boolean().optional(), videoCount: count }).loose().optional(),
  }).loose()).optional(),
}).loose()

/** The channel's subscribers (channels.list by id: one login may own several channels). */
export async function accountMetrics(account: AccountContext): Promise<AccountMetrics> {
  const list = await readApi('the channel statistics', () => youtubeClient.channels.list(
    { part: ['statistics'], id: [account.externalId] },
    callOptions(account.app, account.accessToken, account.signal),
  ), channelStatisticsSchema)
  const statistics = list.items?.find(item => item.id === account.externalId)?.statistics
  if (!statistics) return { raw: { notice: 'YouTube did not return this channel' } }
  return { followers: statistics.hiddenSubscriberCount ? undefined : asNumber(statistics.subscriberCount), raw: { statistics } }
}

const unitsLimit = YOUTUBE_LIMITS.find(limit => limit.key === 'youtube.units')!

/** videos.list takes 50 ids for one unit of the daily quota; channels.list costs one too. */
export const youtubeMetricsReads: MetricsReads = {
  idsPerCall: VIDEOS_PER_LIST,
  idsPerPull: VIDEOS_PER_LIST,
  limits: [{ limit: unitsLimit, perCall: UNIT_COST.list }],
}
