// A post to TikTok (Direct Post, FILE_UPLOAD): creator_info first (the choices must be ones TikTok offers now), then
// init, which hands out the publish_id (stored at once through onPending), then the chunks. TikTok posts by itself
// once it has every byte; checkStatus follows it from there.
import { z } from 'zod'
import { PlatformError, type AccountContext, type PublishOutcome, type PublishRequest } from '../connector'
import { planChunks } from './chunks'
import { queryCreatorInfo, type CreatorInfo } from './creator'
import { tiktokApi } from './http'
import { fetchPublishStatus, pendingOf, statusOutcome, type TiktokPending } from './status'
import { uploadChunks } from './upload'

/** The TikTok switches a post carries in `options`. */
export const tiktokPostOptionsSchema = z.object({
  disableComment: z.boolean().default(false),
  disableDuet: z.boolean().default(false),
  disableStitch: z.boolean().default(false),
  videoCoverTimestampMs: z.int().min(0).default(0),
  brandContentToggle: z.boolean().default(false),
  brandOrganicToggle: z.boolean().default(false),
  isAigc: z.boolean().default(false),
})

export interface PublishSettings { chunkBytes: number, requestTimeoutMs: number, uploadTimeoutMs: number }

const initSchema = z.object({ publish_id: z.string().min(1), upload_url: z.url() })

// Refused before anything is sent, in words the creator can act on; classified as bad input.
const badInput = (message: string, code = 'invalid_params') => new PlatformError('tiktok', message, { code })

/** The post_info TikTok takes, or a bad-input error that says what to change. */
export function postInfoFor(creator: CreatorInfo, request: PublishRequest) {
  const offered = creator.privacy_level_options
  if (!request.privacy || !offered.includes(request.privacy)) {
    const chosen = request.privacy ? `"${request.privacy}" is not one of them` : 'none was chosen'
    throw badInput(`TikTok offers these privacy levels for this account: ${offered.join(', ')}; ${chosen}.`, 'privacy_level_option_mismatch')
  }
  const duration = request.file.durationSeconds
  if (duration !== undefined && duration > creator.max_video_post_duration_sec) {
    throw badInput(`This video is ${Math.ceil(duration)} s long; TikTok takes at most ${creator.max_video_post_duration_sec} s from this account.`)
  }
  const parsed = tiktokPostOptionsSchema.safeParse(request.options)
  if (!parsed.success) throw badInput(`The TikTok settings of this post are not valid: ${parsed.error.issues.map(issue => issue.path.join('.')).join(', ')}.`)
  const options = parsed.data
  return {
    title: request.caption,
    privacy_level: request.privacy,
    // A switch the creator turned off in TikTok stays off.
    disable_comment: options.disableComment || creator.comment_disabled,
    disable_duet: options.disableDuet || creator.duet_disabled,
    disable_stitch: options.disableStitch || creator.stitch_disabled,
    video_cover_timestamp_ms: options.videoCoverTimestampMs,
    brand_content_toggle: options.brandContentToggle,
    brand_organic_toggle: options.brandOrganicToggle,
    is_aigc: options.isAigc,
  }
}

/**
 * A retry of a post whose earlier attempt got a publish_id. Once TikTok holds every byte of an upload it posts it by
 * itself, so a second init would post the video twice: then we only follow the first. A new init is safe only when
 * the first publish FAILED, or TikTok reports fewer bytes than the file has (an upload that never completed can never
 * become a post). Without a byte count we cannot tell, so we wait for TikTok's verdict rather than risk a double post.
 */
async function followEarlier(account: AccountContext, pending: TiktokPending, sizeBytes: number, settings: PublishSettings): Promise<PublishOutcome | undefined> {
  const status = await fetchPublishStatus(account, pending.publishId, settings.requestTimeoutMs)
  if (status.status === 'FAILED') return undefined
  if (status.status === 'PROCESSING_UPLOAD' && status.uploaded_bytes !== undefined && status.uploaded_bytes < sizeBytes) return undefined
  const outcome = statusOutcome(status, pending)
  return outcome.state === 'failed' ? undefined : outcome.state === 'published' ? outcome : { state: 'processing', pending }
}

export async function publishToTiktok(account: AccountContext, request: PublishRequest, settings: PublishSettings): Promise<PublishOutcome> {
  const earlier = pendingOf(request.pending, account.metadata)
  if (earlier) {
    const followed = await followEarlier(account, earlier, request.file.sizeBytes, settings)
    if (followed) return followed
  }
  const creator = await queryCreatorInfo(account, settings.requestTimeoutMs)
  const postInfo = postInfoFor(creator, request)
  const plan = planChunks(request.file.sizeBytes, settings.chunkBytes)
  const init = await tiktokApi(account, {
    path: '/v2/post/publish/video/init/',
    body: {
      post_info: postInfo,
      source_info: { source: 'FILE_UPLOAD', video_size: plan.videoSize, chunk_size: plan.chunkSize, total_chunk_count: plan.totalChunkCount },
    },
    schema: initSchema,
    timeoutMs: settings.requestTimeoutMs,
  })
  const handle = typeof account.metadata.handle === 'string' ? account.metadata.handle : creator.creator_username
  const pending: TiktokPending = handle ? { publishId: init.publish_id, handle } : { publishId: init.publish_id }
  // Stored before a byte is sent, so a retry after a crash finds this publish (followEarlier).
  await request.onPending?.(pending)
  await uploadChunks(account, init.upload_url, request.file, plan, { timeoutMs: settings.uploadTimeoutMs, onProgress: request.onProgress })
  return { state: 'processing', pending }
}
