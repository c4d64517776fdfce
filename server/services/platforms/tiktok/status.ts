// Where a post stands at TikTok (/v2/post/publish/status/fetch/), read-only. A public post is up before TikTok gives
// its id: the id comes only after moderation (minutes, sometimes hours), so PUBLISH_COMPLETE without one still waits.
import { z } from 'zod'
import type { AccountContext, StatusOutcome } from '../connector'
import { failReasonWords } from './errors'
import { idSchema, tiktokApi } from './http'

const statusSchema = z.object({
  status: z.enum(['PROCESSING_UPLOAD', 'PROCESSING_DOWNLOAD', 'SEND_TO_USER_INBOX', 'PUBLISH_COMPLETE', 'FAILED']),
  fail_reason: z.string().optional(),
  // (sic) TikTok's spelling.
  publicaly_available_post_id: z.array(idSchema).optional().default([]),
  uploaded_bytes: z.number().optional(),
  downloaded_bytes: z.number().optional(),
})
export type PublishStatus = z.infer<typeof statusSchema>

/** What checkStatus needs, and what publish leaves for a safe retry. */
export interface TiktokPending extends Record<string, unknown> {
  publishId: string
  /** The creator's username, for the post's link. */
  handle?: string
}

export function fetchPublishStatus(account: AccountContext, publishId: string, timeoutMs: number): Promise<PublishStatus> {
  return tiktokApi(account, { path: '/v2/post/publish/status/fetch/', body: { publish_id: publishId }, schema: statusSchema, timeoutMs })
}

export const tiktokPermalink = (handle: string | undefined, postId: string) =>
  handle ? `https://www.tiktok.com/@${encodeURIComponent(handle)}/video/${postId}` : undefined

export function statusOutcome(status: PublishStatus, pending: TiktokPending): StatusOutcome {
  switch (status.status) {
    case 'PROCESSING_UPLOAD':
    case 'PROCESSING_DOWNLOAD':
      return { state: 'processing', pending, detail: 'TikTok is processing the video.' }
    case 'SEND_TO_USER_INBOX':
      return { state: 'processing', pending, detail: 'TikTok sent the video to the creator\'s inbox: they finish the post in the TikTok app.' }
    case 'PUBLISH_COMPLETE': {
      const postId = status.publicaly_available_post_id[0]
      if (!postId) {
        return { state: 'processing', pending, detail: 'The post is up on TikTok. TikTok gives its id once moderation ends, which can take minutes or hours.' }
      }
      return { state: 'published', externalId: postId, permalink: tiktokPermalink(pending.handle, postId) }
    }
    case 'FAILED':
      return { state: 'failed', reason: failReasonWords(status.fail_reason), code: status.fail_reason }
  }
}

/** The stored pending data, checked: a publish id is required, a handle kept when there is one. */
export function pendingOf(pending: Record<string, unknown> | undefined, metadata: Record<string, unknown>): TiktokPending | undefined {
  const publishId = pending?.publishId
  if (typeof publishId !== 'string' || !publishId) return undefined
  const handle = typeof pending?.handle === 'string' ? pending.handle : typeof metadata.handle === 'string' ? metadata.handle : undefined
  return handle ? { publishId, handle } : { publishId }
}
