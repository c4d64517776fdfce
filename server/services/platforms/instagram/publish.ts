// Instagram Reels: Instagram fetches the video from our signed public URL into a container, then the container is
// published. The container id is handed to `onPending` the moment it exists, so a retry resumes it and never makes a
// second one; media_publish runs only on a FINISHED container, and never when a media id is already known.
import { z } from 'zod'
import type { AccountContext, PublishOutcome, PublishRequest, StatusOutcome } from '../connector'
import { PlatformError } from '../connector'
import { graphCall } from '../meta-graph'
import { checkCaption, containerFailure } from './errors'
import { INSTAGRAM_GRAPH } from './oauth'

const optionsSchema = z.object({
  /** Also show the Reel in the profile grid (Instagram's default). */
  shareToFeed: z.boolean().default(true),
  /** Where the cover frame is taken from, in milliseconds. */
  thumbOffsetMs: z.int().min(0).optional(),
})
const pendingSchema = z.object({ containerId: z.string().min(1), mediaId: z.string().min(1).optional() })
const idSchema = z.object({ id: z.union([z.string(), z.number()]).transform(String) })
const containerSchema = z.object({
  status_code: z.enum(['IN_PROGRESS', 'FINISHED', 'PUBLISHED', 'ERROR', 'EXPIRED']),
  status: z.string().optional(),
})
const recentMediaSchema = z.object({
  data: z.array(z.object({ id: z.string(), media_product_type: z.string().optional(), timestamp: z.string().optional() })),
})

const call = <T>(account: AccountContext, what: string, path: string, schema: z.ZodType<T>, params: Record<string, string | number | boolean | undefined>, method: 'GET' | 'POST' = 'GET') =>
  graphCall({ platform: 'instagram', app: account.app, url: `${INSTAGRAM_GRAPH}/${path}`, method, token: account.accessToken, params, schema, what, signal: account.signal })

export async function publish(account: AccountContext, request: PublishRequest): Promise<PublishOutcome> {
  // An earlier attempt made a container: its status says what comes next, a second one would post twice.
  const earlier = pendingSchema.safeParse(request.pending ?? {})
  if (earlier.success) return { state: 'processing', pending: earlier.data }
  checkCaption(request.caption)
  const options = optionsSchema.safeParse(request.options)
  if (!options.success) {
    throw new PlatformError('instagram', `Instagram options: ${options.error.issues[0]?.path.join('.')} ${options.error.issues[0]?.message}.`, { code: 'bad_input' })
  }
  if (!request.publicUrl) {
    throw new PlatformError('instagram', 'Instagram fetches the video from a public address, and none was given.', { code: 'bad_input' })
  }
  const videoUrl = await request.publicUrl()
  const container = await call(account, 'the new Reel', `${account.externalId}/media`, idSchema, {
    media_type: 'REELS',
    video_url: videoUrl,
    caption: request.caption,
    share_to_feed: options.data.shareToFeed,
    thumb_offset: options.data.thumbOffsetMs,
  }, 'POST')
  const pending = { containerId: container.id }
  await request.onPending?.(pending)
  return { state: 'processing', pending }
}

/** Publishes a FINISHED container; returns the new media id. The one call that makes the Reel public. */
export async function publishContainer(account: AccountContext, containerId: string): Promise<string> {
  const media = await call(account, 'publishing the Reel', `${account.externalId}/media_publish`, idSchema, { creation_id: containerId }, 'POST')
  return media.id
}

export async function checkStatus(account: AccountContext, pending: Record<string, unknown>): Promise<StatusOutcome> {
  const parsed = pendingSchema.safeParse(pending)
  if (!parsed.success) throw new PlatformError('instagram', 'This post has no Instagram upload to check.', { code: 'bad_input' })
  const { containerId, mediaId } = parsed.data
  if (mediaId) return published(account, mediaId)
  const container = await call(account, 'the Reel\'s processing status', containerId, containerSchema, { fields: 'status_code,status' })
  switch (container.status_code) {
    case 'IN_PROGRESS':
      return { state: 'processing', pending: parsed.data, detail: container.status }
    case 'FINISHED':
      return published(account, await publishContainer(account, containerId))
    case 'PUBLISHED': {
      // Published by an earlier check whose reply was lost: find the Reel, never publish again.
      const found = await newestReel(account)
      return found ? published(account, found) : { state: 'processing', pending: parsed.data, detail: 'Published; Instagram has not listed the Reel yet.' }
    }
    default:
      return { state: 'failed', ...containerFailure(container.status_code, container.status) }
  }
}

async function published(account: AccountContext, mediaId: string): Promise<StatusOutcome> {
  // The Reel is public whatever happens next; a link we could not read is left out, never a reason to fail.
  const permalink = await call(account, 'the Reel\'s link', mediaId, z.object({ permalink: z.string() }), { fields: 'permalink' })
    .then(reply => reply.permalink, () => undefined)
  return { state: 'published', externalId: mediaId, permalink }
}

// A container has no field naming its media, so the account's newest Reel stands for it. It can only be wrong when
// the creator posted another Reel in the seconds between our publish and this check.
async function newestReel(account: AccountContext): Promise<string | undefined> {
  const recent = await call(account, 'the account\'s recent Reels', `${account.externalId}/media`, recentMediaSchema, { fields: 'id,media_product_type,timestamp', limit: 10 })
  return recent.data.find(media => media.media_product_type === undefined || media.media_product_type === 'REELS')?.id
}
