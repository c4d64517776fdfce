// Facebook Reels on a Page, with the Page token: start (a video id, handed to `onPending` at once), upload the bytes
// to rupload.facebook.com, finish with video_state=PUBLISHED, then poll the video's status. A retry with a video id
// asks the status first and only does the steps that are not done; `finished` in the pending data (stored the
// moment finish answers) keeps a Reel from being finished twice.
import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import { z } from 'zod'
import { PlatformError, type AccountContext, type PublishOutcome, type PublishRequest, type StatusOutcome } from '../connector'
import { GRAPH_VERSION, graphCall } from '../meta-graph'
import { FACEBOOK_GRAPH } from './oauth'

const pendingSchema = z.object({ videoId: z.string().min(1), finished: z.boolean().optional() })
const phaseSchema = z.object({
  status: z.string(),
  errors: z.array(z.object({ code: z.number().optional(), message: z.string() })).optional(),
})
const videoStatusSchema = z.object({
  status: z.object({
    video_status: z.string(),
    uploading_phase: phaseSchema.optional(),
    processing_phase: phaseSchema.optional(),
    publishing_phase: phaseSchema.optional(),
  }),
})
type VideoStatus = z.infer<typeof videoStatusSchema>['status']
const FAILED_STATES = new Set(['error', 'upload_failed', 'expired'])

export const reelPermalink = (videoId: string) => `https://www.facebook.com/reel/${videoId}`

const reels = (account: AccountContext, what: string, params: Record<string, string>, schema: z.ZodType<unknown>) => graphCall({
  platform: 'facebook', app: account.app, url: `${FACEBOOK_GRAPH}/${account.externalId}/video_reels`, method: 'POST',
  token: account.accessToken, params, schema, what, signal: account.signal,
})

async function readStatus(account: AccountContext, videoId: string): Promise<VideoStatus> {
  const reply = await graphCall({
    platform: 'facebook', app: account.app, url: `${FACEBOOK_GRAPH}/${videoId}`, token: account.accessToken,
    params: { fields: 'status' }, schema: videoStatusSchema, what: 'the Reel\'s processing status', signal: account.signal,
  })
  return reply.status
}

async function upload(account: AccountContext, videoId: string, request: PublishRequest): Promise<void> {
  let sent = 0
  const counted = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      sent += chunk.byteLength
      request.onProgress?.(sent)
      controller.enqueue(chunk)
    },
  })
  const body = (Readable.toWeb(createReadStream(request.file.path)) as ReadableStream<Uint8Array>).pipeThrough(counted)
  await graphCall({
    platform: 'facebook', app: account.app, url: `https://rupload.facebook.com/video-upload/${GRAPH_VERSION}/${videoId}`, method: 'POST',
    token: account.accessToken, scheme: 'OAuth', body, headers: { 'offset': '0', 'file_size': String(request.file.sizeBytes), 'content-type': 'application/octet-stream' },
    schema: z.object({ success: z.literal(true) }), what: 'the video upload', signal: account.signal,
  })
}

export async function publish(account: AccountContext, request: PublishRequest): Promise<PublishOutcome> {
  const earlier = pendingSchema.safeParse(request.pending ?? {})
  let videoId: string
  let status: VideoStatus | undefined
  if (earlier.success) {
    videoId = earlier.data.videoId
    if (earlier.data.finished) return { state: 'processing', pending: earlier.data }
    status = await readStatus(account, videoId)
  }
  else {
    const started = await reels(account, 'starting the Reel upload', { upload_phase: 'start' }, z.object({ video_id: z.string() }))
    videoId = (started as { video_id: string }).video_id
    await request.onPending?.({ videoId })
  }
  if (status && FAILED_STATES.has(status.video_status)) {
    throw new PlatformError('facebook', `Facebook ended the earlier upload (${status.video_status}). Publish the post again.`, { code: 'media' })
  }
  if (status?.uploading_phase?.status !== 'complete') await upload(account, videoId, request)
  // Finishing twice could post twice: a Reel whose publishing has started is left alone. (A finish whose reply was
  // lost is not seen in the status while Facebook processes; that narrow case is the one this cannot rule out.)
  if (!status?.publishing_phase || status.publishing_phase.status === 'not_started') {
    await reels(account, 'publishing the Reel', { upload_phase: 'finish', video_id: videoId, video_state: 'PUBLISHED', description: request.caption }, z.object({ success: z.literal(true) }))
  }
  const pending = { videoId, finished: true }
  await request.onPending?.(pending)
  return { state: 'processing', pending }
}

export async function checkStatus(account: AccountContext, pending: Record<string, unknown>): Promise<StatusOutcome> {
  const parsed = pendingSchema.safeParse(pending)
  if (!parsed.success) throw new PlatformError('facebook', 'This post has no Facebook upload to check.', { code: 'bad_input' })
  const { videoId } = parsed.data
  const status = await readStatus(account, videoId)
  const phases = [status.uploading_phase, status.processing_phase, status.publishing_phase]
  if (FAILED_STATES.has(status.video_status) || phases.some(phase => phase?.status === 'error')) {
    const said = phases.flatMap(phase => phase?.errors ?? []).map(error => error.message).join(' ')
    return { state: 'failed', code: 'media', reason: `Facebook could not process the Reel${said ? `: ${said}` : ` (${status.video_status})`}.` }
  }
  if (status.publishing_phase?.status === 'complete') return { state: 'published', externalId: videoId, permalink: reelPermalink(videoId) }
  const step = status.processing_phase?.status === 'complete' ? 'publishing' : 'processing'
  return { state: 'processing', pending: parsed.data, detail: `Facebook is ${step} the Reel.` }
}
