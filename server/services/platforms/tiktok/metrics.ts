// A published video's numbers: /v2/video/query/ (scope video.list), at most 20 ids a call. A video TikTok does not
// return (deleted, or not this creator's) is left out, not given zeros.
import { z } from 'zod'
import type { AccountContext, AccountMetrics, MetricsReads, PostMetrics } from '../connector'
import { idSchema, tiktokApi } from './http'

const batchSize = 20
/** follower_count needs this scope; an account connected before it was asked has not granted it. */
export const STATS_SCOPE = 'user.info.stats'
const fields = 'id,create_time,share_url,duration,view_count,like_count,comment_count,share_count'

const count = z.number().int().min(0).optional()
const videoSchema = z.object({
  id: idSchema,
  create_time: z.number().optional(),
  share_url: z.string().optional(),
  duration: z.number().optional(),
  view_count: count,
  like_count: count,
  comment_count: count,
  share_count: count,
})
const querySchema = z.object({ videos: z.array(videoSchema) })

export async function tiktokMetrics(account: AccountContext, externalIds: string[], timeoutMs: number): Promise<PostMetrics[]> {
  const results: PostMetrics[] = []
  for (let start = 0; start < externalIds.length; start += batchSize) {
    const ids = externalIds.slice(start, start + batchSize)
    const { videos } = await tiktokApi(account, { path: `/v2/video/query/?fields=${fields}`, body: { filters: { video_ids: ids } }, schema: querySchema, timeoutMs })
    for (const video of videos) {
      results.push({
        externalId: video.id,
        views: video.view_count,
        likes: video.like_count,
        comments: video.comment_count,
        shares: video.share_count,
        raw: video,
      })
    }
  }
  return results
}

const userStatsSchema = z.object({
  user: z.object({ follower_count: count, following_count: count, likes_count: count, video_count: count }),
})

/** The creator's followers (user info, scope user.info.stats), unless that scope was never granted. */
export async function tiktokAccountMetrics(account: AccountContext, timeoutMs: number): Promise<AccountMetrics> {
  // Asking without the scope gets scope_not_authorized, which would count against the account's health.
  if (account.scopes && !account.scopes.includes(STATS_SCOPE)) return { raw: { notice: `Reconnect TikTok to allow follower counts (${STATS_SCOPE})` } }
  const { user } = await tiktokApi(account, {
    method: 'GET', path: '/v2/user/info/?fields=follower_count,following_count,likes_count,video_count', schema: userStatsSchema, timeoutMs,
  })
  return { followers: user.follower_count, raw: { ...user } }
}

// The video query allows 600 calls a minute per token (../shared/PLATFORMS.md).
export const VIDEO_QUERY_LIMIT = { key: 'tiktok.video_query', label: 'TikTok lets an app read videos 600 times a minute', max: 600, window: { rollingSeconds: 60 }, perPublish: 0 }

export const tiktokMetricsReads: MetricsReads = { idsPerCall: batchSize, idsPerPull: batchSize, limits: [{ limit: VIDEO_QUERY_LIMIT, perCall: 1 }] }
