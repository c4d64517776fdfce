// The fake TikTok's Content Posting API and video query: creator_info (audited, or SELF_ONLY alone), init (checks
// the chunk math as TikTok does and allows 6 a minute per token), chunk PUTs with byte accounting, the status a post
// goes through (PROCESSING_UPLOAD → PUBLISH_COMPLETE → its post id after moderation, or FAILED), and video numbers.
import { randomBytes } from 'node:crypto'
import { jsonOf, type FakePlatformServer, type FakeReply, type FakeRequest } from './fake-platform-server'
import type { FakeTiktokOptions } from './fake-tiktok'

const MIB = 1024 * 1024

export interface FakePublish {
  id: string
  openId: string
  videoSize: number
  chunkSize: number
  totalChunkCount: number
  received: number
  chunks: number
  polls: number
  postInfo: Record<string, unknown>
  uploadToken: string
  postId: string
}

type Bearer = (request: FakeRequest, scope: string) => { openId: string } | FakeReply

export const logId = () => `2026120100000${randomBytes(6).toString('hex').toUpperCase()}`
export const apiError = (status: number, code: string, message = code): FakeReply => ({ status, body: { data: {}, error: { code, message, log_id: logId() } } })
const ok = (data: unknown): FakeReply => ({ status: 200, body: { data, error: { code: 'ok', message: '', log_id: logId() } } })

/** TikTok's chunk rules, checked the way its init call does (not shared with the connector, on purpose). */
function chunkProblem(size: number, chunk: number, count: number): string | undefined {
  if (!Number.isInteger(size) || size <= 0) return 'video_size must be a positive integer'
  if (size < 5 * MIB) return chunk === size && count === 1 ? undefined : 'a video under 5 MB is sent whole: chunk_size = video_size, total_chunk_count = 1'
  if (chunk < 5 * MIB || chunk > 64 * MIB) return 'chunk_size must be between 5 MB and 64 MB'
  if (count !== Math.floor(size / chunk)) return `total_chunk_count must be ${Math.floor(size / chunk)}`
  if (count < 1 || count > 1000) return 'total_chunk_count must be between 1 and 1000'
  if (size > 64 * MIB && count < 2) return 'a video over 64 MB must be sent in several chunks'
  if (size - (count - 1) * chunk > 128 * MIB) return 'the last chunk may not exceed 128 MB'
}

/** A published video's counts over the fake's defaults, by post id, and the posts the creator deleted. */
export interface FakeVideoNumbers {
  counts: Map<string, Partial<Record<'view_count' | 'like_count' | 'comment_count' | 'share_count', number>>>
  deleted: Set<string>
}

export function routePosting(server: FakePlatformServer, options: FakeTiktokOptions, bearer: Bearer) {
  const publishes = new Map<string, FakePublish>()
  const videoNumbers: FakeVideoNumbers = { counts: new Map(), deleted: new Set() }
  const initTimes = new Map<string, number[]>()
  let dropAt: number | undefined

  server.route('POST', 'open.tiktokapis.com', '/v2/post/publish/creator_info/query', 'creator_info', (request) => {
    const grant = bearer(request, 'video.publish')
    if ('status' in grant) return grant
    return ok({
      creator_avatar_url: 'https://p16.tiktokcdn.test/creator.jpeg',
      creator_username: 'test.creator',
      creator_nickname: 'Test Creator',
      privacy_level_options: options.audited ? ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'FOLLOWER_OF_CREATOR', 'SELF_ONLY'] : ['SELF_ONLY'],
      comment_disabled: false,
      duet_disabled: true,
      stitch_disabled: false,
      max_video_post_duration_sec: options.maxDurationSeconds,
    })
  })

  server.route('POST', 'open.tiktokapis.com', '/v2/post/publish/video/init', 'init', (request) => {
    const grant = bearer(request, 'video.publish')
    if ('status' in grant) return grant
    const token = String(request.headers.authorization)
    const recent = (initTimes.get(token) ?? []).filter(time => time > Date.now() - options.initWindowMs)
    if (recent.length >= 6) return apiError(429, 'rate_limit_exceeded', 'The API rate limit was exceeded. Please try again later.')
    initTimes.set(token, [...recent, Date.now()])
    const body = jsonOf<{ post_info?: Record<string, unknown>, source_info?: Record<string, unknown> }>(request)
    const post = body?.post_info
    const source = body?.source_info
    if (!post || !source || source.source !== 'FILE_UPLOAD') return apiError(400, 'invalid_params', 'post_info and source_info (FILE_UPLOAD) are required.')
    const offered = options.audited ? ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'FOLLOWER_OF_CREATOR', 'SELF_ONLY'] : ['SELF_ONLY']
    if (!options.audited && post.privacy_level !== 'SELF_ONLY') return apiError(403, 'unaudited_client_can_only_post_to_private_accounts', 'Please review our integration guidelines.')
    if (!offered.includes(String(post.privacy_level))) return apiError(400, 'privacy_level_option_mismatch', 'privacy_level is not one of the creator\'s options.')
    if (typeof post.title === 'string' && post.title.length > 2200) return apiError(400, 'invalid_params', 'title is longer than 2200 characters.')
    const [size, chunk, count] = [source.video_size, source.chunk_size, source.total_chunk_count].map(Number) as [number, number, number]
    const problem = chunkProblem(size, chunk, count)
    if (problem) return apiError(400, 'invalid_params', `The chunk size is invalid: ${problem}.`)
    const id = `v_pub_file~v2-1.${randomBytes(8).toString('hex')}`
    const uploadToken = randomBytes(12).toString('hex')
    const postId = `73${BigInt(`0x${randomBytes(7).toString('hex')}`).toString().padStart(17, '1').slice(0, 17)}`
    publishes.set(id, { id, openId: grant.openId, videoSize: size, chunkSize: chunk, totalChunkCount: count, received: 0, chunks: 0, polls: 0, postInfo: post, uploadToken, postId })
    return ok({ publish_id: id, upload_url: `https://open-upload.tiktokapis.com/video/?upload_id=${encodeURIComponent(id)}&upload_token=${uploadToken}` })
  })

  server.route('PUT', 'open-upload.tiktokapis.com', '/video', 'upload', (request) => {
    const publish = publishes.get(request.query.get('upload_id') ?? '')
    if (!publish || publish.uploadToken !== request.query.get('upload_token')) return apiError(404, 'invalid_params', 'The upload URL is unknown or expired.')
    if (!/^video\/(mp4|quicktime|webm)$/.test(String(request.headers['content-type']))) return apiError(400, 'invalid_file_upload', 'Content-Type must be a video type.')
    const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(request.headers['content-range']))
    const index = publish.chunks
    const last = index === publish.totalChunkCount - 1
    const expected = last ? publish.videoSize - publish.received : publish.chunkSize
    if (!range || Number(range[3]) !== publish.videoSize || Number(range[1]) !== publish.received
      || Number(range[2]) !== publish.received + expected - 1 || request.body.length !== expected) {
      return apiError(400, 'invalid_params', `Chunk ${index} must be bytes ${publish.received}-${publish.received + expected - 1}/${publish.videoSize}.`)
    }
    if (dropAt === index) {
      dropAt = undefined
      return { status: 200, hang: true }
    }
    publish.received += request.body.length
    publish.chunks += 1
    return { status: last ? 201 : 206 }
  })

  server.route('POST', 'open.tiktokapis.com', '/v2/post/publish/status/fetch', 'status', (request) => {
    const grant = bearer(request, 'video.publish')
    if ('status' in grant) return grant
    const publish = publishes.get(String(jsonOf<{ publish_id?: string }>(request)?.publish_id))
    if (!publish || publish.openId !== grant.openId) return apiError(400, 'invalid_params', 'publish_id is invalid.')
    const status = statusOf(publish, options)
    // The post id goes out as a bare JSON number beyond 2^53, as TikTok sends it.
    const body = JSON.stringify({ data: { ...status, uploaded_bytes: publish.received }, error: { code: 'ok', message: '', log_id: logId() } })
    return { status: 200, headers: { 'content-type': 'application/json; charset=UTF-8' }, body: body.replace(`"${publish.postId}"`, publish.postId) }
  })

  server.route('POST', 'open.tiktokapis.com', '/v2/video/query', 'video.query', (request) => {
    const grant = bearer(request, 'video.list')
    if ('status' in grant) return grant
    const ids = jsonOf<{ filters?: { video_ids?: string[] } }>(request)?.filters?.video_ids ?? []
    if (ids.length === 0 || ids.length > 20) return apiError(400, 'invalid_params', 'filters.video_ids must hold 1 to 20 ids.')
    const fields = (request.query.get('fields') ?? '').split(',')
    // A deleted video, or one not this creator's, is left out of the reply, as TikTok does.
    const posted = [...publishes.values()].filter(publish => publish.openId === grant.openId && ids.includes(publish.postId) && !videoNumbers.deleted.has(publish.postId))
    const videos = posted.map((publish, rank) => Object.fromEntries(Object.entries({
      id: publish.postId, create_time: 1764547200, share_url: `https://www.tiktok.com/@test.creator/video/${publish.postId}`, duration: 12,
      view_count: 1000 + rank, like_count: 80, comment_count: 7, share_count: 3, ...videoNumbers.counts.get(publish.postId),
    }).filter(([key]) => fields.includes(key))))
    return ok({ videos, cursor: 0, has_more: false })
  })

  return { publishes, dropUploadAt: (chunkIndex: number) => void (dropAt = chunkIndex), videoNumbers }
}

function statusOf(publish: FakePublish, options: FakeTiktokOptions): Record<string, unknown> {
  if (publish.received < publish.videoSize) return { status: 'PROCESSING_UPLOAD' }
  publish.polls += 1
  if (options.failReason) return { status: 'FAILED', fail_reason: options.failReason }
  if (publish.polls <= options.processingPolls) return { status: 'PROCESSING_UPLOAD' }
  if (options.toInbox) return { status: 'SEND_TO_USER_INBOX' }
  if (publish.polls <= options.processingPolls + options.moderationPolls) return { status: 'PUBLISH_COMPLETE', publicaly_available_post_id: [] }
  return { status: 'PUBLISH_COMPLETE', publicaly_available_post_id: [publish.postId] }
}
