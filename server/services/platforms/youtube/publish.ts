// Publishing a Short: the resumable upload (resumed from a stored session when a retry has one), then polling
// processing with read-only videos.list calls. Nothing here uploads twice: a retry goes on in the same session.
import { z } from 'zod'
import { PlatformError, type AccountContext, type PublishOutcome, type PublishRequest, type StatusOutcome } from '../connector'
import { callOptions, readApi, youtubeClient } from './api'
import { PRIVACY_OPTIONS, TITLE_MAX_CHARACTERS, UNVERIFIED_PROJECT_NOTICE, YOUTUBE_ENDPOINTS } from './limits'
import { querySession, sendChunks, startSession, type SessionState, type UploadContext } from './upload'

const optionsSchema = z.object({
  // 22 is "People & Blogs", YouTube's own default for uploads.
  categoryId: z.string().regex(/^\d+$/).default('22'),
})
const pendingSchema = z.object({
  sessionUri: z.string().optional(),
  videoId: z.string().optional(),
  requestedPrivacy: z.string().optional(),
}).loose()

/** A network drop mid-upload is resumed in the same call this many times before the job's own retry takes over. */
const DROPS_RESUMED_IN_CALL = 3

export function titleFor(request: Pick<PublishRequest, 'title' | 'caption'>): string {
  const wanted = (request.title?.trim() || request.caption.split('\n')[0]?.trim() || 'Untitled').replace(/\s+/g, ' ')
  return [...wanted].slice(0, TITLE_MAX_CHARACTERS).join('')
}

function videoResource(request: PublishRequest, privacy: string) {
  const options = optionsSchema.safeParse(request.options)
  if (!options.success) throw new PlatformError('youtube', 'The YouTube category must be a number YouTube lists.', { code: 'invalidCategoryId' })
  return {
    snippet: { title: titleFor(request), description: request.caption, tags: request.tags ?? [], categoryId: options.data.categoryId },
    status: { privacyStatus: privacy, selfDeclaredMadeForKids: false },
  }
}

/** Said when YouTube kept a video private that was meant to be public (an unverified API project). */
export function privacyNotice(requested: string | undefined, actual: string | undefined): string | undefined {
  return requested === 'public' && actual === 'private' ? `YouTube made this video private. ${UNVERIFIED_PROJECT_NOTICE}` : undefined
}

async function uploadResuming(context: UploadContext, sessionUri: string, request: PublishRequest, nextByte: number, chunkBytes: number): Promise<SessionState> {
  let drops = 0
  for (;;) {
    try {
      return await sendChunks(context, sessionUri, request.file, nextByte, chunkBytes, request.onProgress)
    }
    catch (error) {
      if (!(error instanceof PlatformError) || error.details.code !== 'network' || ++drops > DROPS_RESUMED_IN_CALL) throw error
      const state = await querySession(context, sessionUri, request.file.sizeBytes)
      if (state.state !== 'partial') return state
      nextByte = state.nextByte
    }
  }
}

export async function publish(account: AccountContext, request: PublishRequest, chunkBytes: number): Promise<PublishOutcome> {
  const pending = pendingSchema.parse(request.pending ?? {})
  const privacy = request.privacy ?? PRIVACY_OPTIONS[0]
  if (!(PRIVACY_OPTIONS as readonly string[]).includes(privacy)) {
    throw new PlatformError('youtube', `YouTube's privacy must be one of ${PRIVACY_OPTIONS.join(', ')}.`, { code: 'invalidPrivacyStatus' })
  }
  // An earlier attempt finished the upload: only the status check is left.
  if (pending.videoId) return { state: 'processing', pending: { videoId: pending.videoId, requestedPrivacy: pending.requestedPrivacy ?? privacy } }

  const context: UploadContext = { app: account.app, accessToken: account.accessToken, signal: account.signal }
  const resource = videoResource(request, privacy)
  let state: SessionState = { state: 'expired' }
  let sessionUri = pending.sessionUri
  if (sessionUri) state = await querySession(context, sessionUri, request.file.sizeBytes)
  // A session that expired holds no video (YouTube publishes only a complete upload): a new one is safe. Twice at most.
  for (let sessions = 0; state.state !== 'done'; sessions++) {
    if (state.state === 'expired') {
      if (sessions >= 2) throw new PlatformError('youtube', 'YouTube kept ending the upload session; the post will be tried again later.', { code: 'sessionExpired', status: 503 })
      sessionUri = await startSession(context, request.file, resource)
      await request.onPending?.({ sessionUri, requestedPrivacy: privacy })
      state = { state: 'partial', nextByte: 0 }
    }
    if (state.state === 'partial') state = await uploadResuming(context, sessionUri!, request, state.nextByte, chunkBytes)
  }
  const { video } = state
  await request.onPending?.({ videoId: video.id, requestedPrivacy: privacy })
  const notice = privacyNotice(privacy, video.status?.privacyStatus)
  return { state: 'processing', pending: { videoId: video.id, requestedPrivacy: privacy, privacyStatus: video.status?.privacyStatus }, ...(notice ? { notice } : {}) }
}

const statusListSchema = z.object({
  items: z.array(z.object({
    id: z.string(),
    status: z.object({
      uploadStatus: z.string().optional(),
      privacyStatus: z.string().optional(),
      failureReason: z.string().optional(),
      rejectionReason: z.string().optional(),
    }).loose().optional(),
    processingDetails: z.object({
      processingStatus: z.enum(['processing', 'succeeded', 'failed', 'terminated']).optional(),
      processingFailureReason: z.string().optional(),
      processingProgress: z.object({ partsTotal: z.string().optional(), partsProcessed: z.string().optional() }).loose().optional(),
    }).loose().optional(),
  }).loose()).optional(),
}).loose()

export async function checkStatus(account: AccountContext, pending: Record<string, unknown>): Promise<StatusOutcome> {
  const { videoId, requestedPrivacy } = pendingSchema.parse(pending)
  if (!videoId) throw new PlatformError('youtube', 'There is no uploaded YouTube video to check yet.', { code: 'noVideo' })
  const list = await readApi('the video\'s status', () => youtubeClient.videos.list(
    { part: ['processingDetails', 'status'], id: [videoId] },
    callOptions(account.app, account.accessToken, account.signal),
  ), statusListSchema)
  const video = list.items?.find(item => item.id === videoId)
  if (!video) return { state: 'failed', reason: 'YouTube no longer has this video: it was deleted or removed.', code: 'videoNotFound' }
  const { status, processingDetails: details } = video
  if (status?.uploadStatus === 'rejected') return { state: 'failed', reason: `YouTube rejected the video (${status.rejectionReason ?? 'no reason given'}).`, code: status.rejectionReason ?? 'rejected' }
  if (status?.uploadStatus === 'failed') return { state: 'failed', reason: `YouTube could not take the video (${status.failureReason ?? 'no reason given'}).`, code: status.failureReason ?? 'uploadFailed' }
  const processing = details?.processingStatus ?? (status?.uploadStatus === 'processed' ? 'succeeded' : 'processing')
  if (processing === 'failed' || processing === 'terminated') {
    return { state: 'failed', reason: `YouTube could not process the video (${details?.processingFailureReason ?? processing}).`, code: processing === 'failed' ? 'processingFailed' : 'terminated' }
  }
  if (processing === 'processing') {
    const parts = details?.processingProgress
    return { state: 'processing', detail: parts?.partsTotal ? `YouTube processed ${parts.partsProcessed ?? 0} of ${parts.partsTotal} parts.` : 'YouTube is processing the video.' }
  }
  const notice = privacyNotice(requestedPrivacy, status?.privacyStatus)
  return { state: 'published', externalId: videoId, permalink: `${YOUTUBE_ENDPOINTS.shortsPage}${videoId}`, ...(notice ? { notice } : {}) }
}
