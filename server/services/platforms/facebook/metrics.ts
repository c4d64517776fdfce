// A Facebook Reel's numbers from /{video_id}/video_insights (⚠: the metric names come from third-party code, see
// ../shared/PLATFORMS.md). Times are in milliseconds. A metric Facebook leaves out is "not known", never 0.
import { z } from 'zod'
import type { AccountContext, AccountMetrics, PostMetrics } from '../connector'
import { graphCall, isGoneNode, metaMetricsReads } from '../meta-graph'
import { FACEBOOK_GRAPH } from './oauth'

const METRICS = ['blue_reels_play_count', 'fb_reels_total_plays', 'post_video_avg_time_watched', 'post_video_view_time', 'post_video_social_actions']

const insightsSchema = z.object({
  data: z.array(z.object({
    name: z.string(),
    values: z.array(z.object({ value: z.union([z.number(), z.record(z.string(), z.number())]).nullish() })).optional(),
  })),
})

const seconds = (milliseconds: number | undefined) => milliseconds === undefined ? undefined : milliseconds / 1000

/** One kind of action (share, comment, like) from post_video_social_actions, whatever case Facebook spells it in. */
function action(actions: Record<string, number> | undefined, kind: string): number | undefined {
  if (!actions) return undefined
  const entry = Object.entries(actions).find(([key]) => key.toLowerCase() === kind)
  return entry?.[1]
}

async function reelMetrics(account: AccountContext, videoId: string): Promise<PostMetrics> {
  const reply = await graphCall({
    platform: 'facebook', app: account.app, url: `${FACEBOOK_GRAPH}/${videoId}/video_insights`, token: account.accessToken,
    params: { metric: METRICS.join(',') }, schema: insightsSchema, what: 'the Reel\'s insights', signal: account.signal,
  })
  const numbers = new Map<string, number>()
  let actions: Record<string, number> | undefined
  for (const metric of reply.data) {
    const value = metric.values?.[0]?.value
    if (typeof value === 'number') numbers.set(metric.name, value)
    else if (value && metric.name === 'post_video_social_actions') actions = value
  }
  return {
    externalId: videoId,
    views: numbers.get('blue_reels_play_count'),
    likes: action(actions, 'like'),
    comments: action(actions, 'comment'),
    shares: action(actions, 'share'),
    avgViewDurationSec: seconds(numbers.get('post_video_avg_time_watched')),
    watchTimeSec: seconds(numbers.get('post_video_view_time')),
    raw: { ...Object.fromEntries(numbers), ...(actions ? { post_video_social_actions: actions } : {}) },
  }
}

export async function metrics(account: AccountContext, externalIds: string[]): Promise<PostMetrics[]> {
  const results: PostMetrics[] = []
  for (const id of externalIds) {
    try {
      results.push(await reelMetrics(account, id))
    }
    catch (error) {
      // Deleted from the Page: left out, so the post is marked gone rather than given zeros.
      if (!isGoneNode(error)) throw error
    }
  }
  return results
}

const pageSchema = z.object({ followers_count: z.number().int().min(0).optional(), fan_count: z.number().int().min(0).optional() })

/** The Page's followers (followers_count; fan_count, the Page's likes, where followers are not given). */
export async function accountMetrics(account: AccountContext): Promise<AccountMetrics> {
  const reply = await graphCall({
    platform: 'facebook', app: account.app, url: `${FACEBOOK_GRAPH}/${account.externalId}`, token: account.accessToken,
    params: { fields: 'followers_count,fan_count' }, schema: pageSchema, what: 'the Page\'s followers', signal: account.signal,
  })
  return { followers: reply.followers_count ?? reply.fan_count, raw: { ...reply } }
}

export const facebookMetricsReads = metaMetricsReads('facebook', 'Page')
