// A video's public numbers from videos.list(part=statistics), up to 50 ids a call. YouTube leaves a count out when
// the owner hides it (likes) or it is off (comments): that stays undefined, never 0.
import { z } from 'zod'
import type { AccountContext, PostMetrics } from '../connector'
import { callOptions, readApi, youtubeClient } from './api'
import { VIDEOS_PER_LIST } from './limits'

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
