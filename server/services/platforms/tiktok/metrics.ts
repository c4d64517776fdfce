// A published video's numbers: /v2/video/query/ (scope video.list), at most 20 ids a call. A video TikTok does not
// return (deleted, or not this creator's) is left out, not given zeros.
import { z } from 'zod'
import type { AccountContext, PostMetrics } from '../connector'
import { idSchema, tiktokApi } from './http'

const batchSize = 20
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
