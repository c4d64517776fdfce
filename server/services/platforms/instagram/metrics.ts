// A Reel's numbers (media insights, lifetime) and the account's publishing limit as Instagram reports it.
// Missing data comes back as an empty set: that is "not known", never 0. Small accounts get "(#10) Not enough viewers".
import { z } from 'zod'
import type { AccountContext, AccountMetrics, PostMetrics } from '../connector'
import { PlatformError } from '../connector'
import { graphCall, isGoneNode, metaMetricsReads } from '../meta-graph'
import { INSTAGRAM_GRAPH } from './oauth'

const METRICS = ['views', 'reach', 'likes', 'comments', 'shares', 'saved', 'total_interactions', 'ig_reels_avg_watch_time', 'ig_reels_video_view_total_time']

const valueSchema = z.number().nullish()
const insightsSchema = z.object({
  data: z.array(z.object({
    name: z.string(),
    values: z.array(z.object({ value: valueSchema })).optional(),
    total_value: z.object({ value: valueSchema }).optional(),
  })),
})
const limitSchema = z.object({
  data: z.array(z.object({
    quota_usage: z.number(),
    config: z.object({ quota_total: z.number(), quota_duration: z.number().optional() }).optional(),
  })),
})

export const PUBLISH_LIMIT_KEY = 'instagram.publish'
/** The doc's example limit, used until the account's own is read. */
export const PUBLISH_LIMIT_FALLBACK = 50

const seconds = (milliseconds: number | undefined) => milliseconds === undefined ? undefined : milliseconds / 1000

async function reelMetrics(account: AccountContext, mediaId: string): Promise<PostMetrics> {
  try {
    const reply = await graphCall({
      platform: 'instagram', app: account.app, url: `${INSTAGRAM_GRAPH}/${mediaId}/insights`, token: account.accessToken,
      params: { metric: METRICS.join(','), period: 'lifetime' }, schema: insightsSchema, what: 'the Reel\'s insights', signal: account.signal,
    })
    const values = new Map<string, number>()
    for (const metric of reply.data) {
      const value = metric.total_value?.value ?? metric.values?.[0]?.value
      if (typeof value === 'number') values.set(metric.name, value)
    }
    return {
      externalId: mediaId,
      views: values.get('views'),
      reach: values.get('reach'),
      likes: values.get('likes'),
      comments: values.get('comments'),
      shares: values.get('shares'),
      saves: values.get('saved'),
      avgViewDurationSec: seconds(values.get('ig_reels_avg_watch_time')),
      watchTimeSec: seconds(values.get('ig_reels_video_view_total_time')),
      raw: { ...Object.fromEntries(values) },
    }
  }
  catch (error) {
    // Too few viewers yet: Instagram holds the numbers back; that is no failure.
    if (error instanceof PlatformError && error.details.code === '10' && /not enough viewers/i.test(error.message)) {
      return { externalId: mediaId, raw: { notice: 'Not enough viewers yet' } }
    }
    throw error
  }
}

export async function metrics(account: AccountContext, externalIds: string[]): Promise<PostMetrics[]> {
  const results: PostMetrics[] = []
  for (const id of externalIds) {
    try {
      results.push(await reelMetrics(account, id))
    }
    catch (error) {
      // Deleted on Instagram: left out, so the post is marked gone rather than given zeros.
      if (!isGoneNode(error)) throw error
    }
  }
  return results
}

const accountSchema = z.object({ followers_count: z.number().int().min(0).optional(), media_count: z.number().int().min(0).optional() })

/** The professional account's followers (the IG user node's followers_count). */
export async function accountMetrics(account: AccountContext): Promise<AccountMetrics> {
  const reply = await graphCall({
    platform: 'instagram', app: account.app, url: `${INSTAGRAM_GRAPH}/${account.externalId}`, token: account.accessToken,
    params: { fields: 'followers_count,media_count' }, schema: accountSchema, what: 'the account\'s followers', signal: account.signal,
  })
  return { followers: reply.followers_count, raw: { ...reply } }
}

export const instagramMetricsReads = metaMetricsReads('instagram', 'account')

export async function readUsage(account: AccountContext): Promise<{ key: string, used: number, max: number }[]> {
  const reply = await graphCall({
    platform: 'instagram', app: account.app, url: `${INSTAGRAM_GRAPH}/${account.externalId}/content_publishing_limit`,
    token: account.accessToken, params: { fields: 'quota_usage,config' }, schema: limitSchema, what: 'the publishing limit', signal: account.signal,
  })
  const limit = reply.data[0]
  if (!limit) return []
  return [{ key: PUBLISH_LIMIT_KEY, used: limit.quota_usage, max: limit.config?.quota_total ?? PUBLISH_LIMIT_FALLBACK }]
}
