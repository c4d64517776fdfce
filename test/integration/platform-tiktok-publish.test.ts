// Posting through the TikTok connector against the loopback TikTok: creator_info then init then the chunks in order,
// the publish_id handed over before any byte, the status followed to the post id after moderation, every failed
// status, refusals before anything is sent, a dropped upload retried without a second post, and metrics in batches.
// No database: it runs once (excluded from the postgres project).
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { PlatformError, type AccountContext, type PlatformApp, type PublishRequest } from '../../server/services/platforms/connector'
import { createTiktokConnector } from '../../server/services/platforms/tiktok'
import { startFakeTiktok, type FakeTiktok } from '../support/fake-tiktok'
import { appFor, tiktokAccount, tiktokRefusal } from '../support/tiktok-account'

const MIB = 1024 * 1024
// 5 MB chunks (TikTok's smallest), so a 12 MB file goes in two; a dropped chunk is given up on after 2 s.
const tiktok = createTiktokConnector({ chunkBytes: 5 * MIB, uploadTimeoutMs: 2_000, requestTimeoutMs: 5_000 })

let fake: FakeTiktok
let app: PlatformApp
let account: AccountContext & { tokens: { accessToken: string, refreshToken?: string } }
let folder: string
const video = { path: '', sizeBytes: 12 * MIB + 321, contentType: 'video/mp4', durationSeconds: 42 }
const smallVideo = { path: '', sizeBytes: MIB + 7, contentType: 'video/mp4', durationSeconds: 8 }

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'reelwise-tiktok-'))
  for (const [file, name] of [[video, 'twelve.mp4'], [smallVideo, 'small.mp4']] as const) {
    file.path = join(folder, name)
    await writeFile(file.path, randomBytes(file.sizeBytes))
  }
})
afterAll(() => rm(folder, { recursive: true, force: true }))

beforeEach(async () => {
  fake = await startFakeTiktok()
  app = appFor(fake)
  account = await tiktokAccount(tiktok, app)
})
afterEach(() => fake.close())

const refusal = (promise: Promise<unknown>) => tiktokRefusal(promise, [account.tokens.accessToken, account.tokens.refreshToken!, fake.options.clientSecret])

/** A post request that records what it handed over for a retry, and when. */
function post(extra: Partial<PublishRequest> = {}) {
  const handed: { pending: Record<string, unknown>, uploadsBefore: number }[] = []
  const request: PublishRequest = {
    file: video, caption: 'Three knife skills #cooking', privacy: 'PUBLIC_TO_EVERYONE', options: { disableComment: true, isAigc: true },
    onPending: async (pending) => {
      handed.push({ pending, uploadsBefore: fake.server.count('upload') })
    },
    ...extra,
  }
  return { request, handed }
}

const initBodies = () => fake.server.requests.filter(request => request.endpoint === 'init').map(request => JSON.parse(request.body.toString()))

describe('TikTok posting', () => {
  it('asks creator_info, inits with the chunk math, hands over the publish_id first, then PUTs the chunks in order', async () => {
    const progress: number[] = []
    const { request, handed } = post({ onProgress: sent => progress.push(sent) })
    const outcome = await tiktok.publish(account, request)

    const endpoints = fake.server.requests.map(request => request.endpoint).filter(endpoint => !['token', 'authorize', 'user.info'].includes(endpoint))
    expect(endpoints).toEqual(['creator_info', 'init', 'upload', 'upload'])
    expect(initBodies()[0]).toEqual({
      post_info: {
        title: 'Three knife skills #cooking', privacy_level: 'PUBLIC_TO_EVERYONE', disable_comment: true, disable_duet: true, disable_stitch: false,
        video_cover_timestamp_ms: 0, brand_content_toggle: false, brand_organic_toggle: false, is_aigc: true,
      },
      source_info: { source: 'FILE_UPLOAD', video_size: video.sizeBytes, chunk_size: 5 * MIB, total_chunk_count: 2 },
    })
    const uploads = fake.server.requests.filter(request => request.endpoint === 'upload')
    expect(uploads.map(upload => upload.headers['content-range'])).toEqual([`bytes 0-${5 * MIB - 1}/${video.sizeBytes}`, `bytes ${5 * MIB}-${video.sizeBytes - 1}/${video.sizeBytes}`])
    expect(uploads.every(upload => upload.headers['content-type'] === 'video/mp4')).toBe(true)
    expect(handed).toEqual([{ pending: { publishId: expect.stringMatching(/^v_pub_file/), handle: 'test.creator' }, uploadsBefore: 0 }])
    expect(outcome).toEqual({ state: 'processing', pending: handed[0]!.pending })
    expect(progress).toEqual([5 * MIB, video.sizeBytes])
    expect(fake.posts).toBe(1)
  })

  it('follows the post: processing, up but in moderation, then published with the exact post id and its link', async () => {
    const outcome = await tiktok.publish(account, post({ file: smallVideo }).request)
    expect(initBodies()[0].source_info).toMatchObject({ video_size: smallVideo.sizeBytes, chunk_size: smallVideo.sizeBytes, total_chunk_count: 1 })
    const pending = (outcome as { pending: Record<string, unknown> }).pending
    expect(await tiktok.checkStatus(account, pending)).toMatchObject({ state: 'processing' })
    expect(await tiktok.checkStatus(account, pending)).toMatchObject({ state: 'processing', detail: expect.stringContaining('moderation') })
    const postId = [...fake.publishes.values()][0]!.postId
    expect(postId.length).toBeGreaterThan(16)
    expect(await tiktok.checkStatus(account, pending)).toEqual({ state: 'published', externalId: postId, permalink: `https://www.tiktok.com/@test.creator/video/${postId}` })
  })

  it('posts privately from an unaudited app, and refuses a public post there before sending anything', async () => {
    fake.options.audited = false
    const refused = await refusal(tiktok.publish(account, post().request))
    expect(refused.message).toMatch(/privacy levels for this account: SELF_ONLY/)
    expect(tiktok.classifyError(refused)).toEqual({ action: 'bad-input' })
    const tooLong = await refusal(tiktok.publish(account, post({ privacy: 'SELF_ONLY', file: { ...video, durationSeconds: 601 } }).request))
    expect(tiktok.classifyError(tooLong)).toEqual({ action: 'bad-input' })
    expect(fake.server.count('init')).toBe(0)

    await tiktok.publish(account, post({ privacy: 'SELF_ONLY' }).request)
    expect(initBodies()[0].post_info.privacy_level).toBe('SELF_ONLY')
    expect(fake.posts).toBe(1)
  })

  it('reports a failed post in words, classified by its fail_reason', async () => {
    for (const [reason, action] of [['duration_check_failed', 'bad-input'], ['auth_removed', 'disconnect'], ['spam_risk_text', 'bad-input']] as const) {
      fake.options.failReason = reason
      const { pending } = await tiktok.publish(account, post({ file: smallVideo }).request) as { pending: Record<string, unknown> }
      const outcome = await tiktok.checkStatus(account, pending)
      expect(outcome).toMatchObject({ state: 'failed', code: reason, reason: expect.not.stringContaining('_') })
      const { reason: words, code } = outcome as { reason: string, code: string }
      expect(tiktok.classifyError(new PlatformError('tiktok', words, { code })).action).toBe(action)
    }
  })

  it('says the creator finishes a post sent to their inbox in the app', async () => {
    fake.options.toInbox = true
    fake.options.processingPolls = 0
    const { pending } = await tiktok.publish(account, post({ file: smallVideo }).request) as { pending: Record<string, unknown> }
    expect(await tiktok.checkStatus(account, pending)).toMatchObject({ state: 'processing', detail: expect.stringContaining('TikTok app') })
  })
})

describe('TikTok retries', () => {
  it('starts again after an upload dropped mid-way, and TikTok posts the video once', async () => {
    fake.dropUploadAt(1)
    const first = post()
    const dropped = await refusal(tiktok.publish(account, first.request))
    expect(dropped.details.code).toBe('upload_interrupted')
    expect(tiktok.classifyError(dropped)).toEqual({ action: 'retry' })
    expect(fake.posts).toBe(0)

    const second = post({ pending: first.handed[0]!.pending })
    const outcome = await tiktok.publish(account, second.request)
    expect(fake.server.count('init')).toBe(2)
    expect(second.handed[0]!.pending.publishId).not.toBe(first.handed[0]!.pending.publishId)
    expect(outcome).toMatchObject({ state: 'processing', pending: second.handed[0]!.pending })
    expect(fake.posts).toBe(1)
  })

  it('never inits again once TikTok holds the whole upload, and starts again after a FAILED one', async () => {
    const first = post()
    await tiktok.publish(account, first.request)
    const again = await tiktok.publish(account, post({ pending: first.handed[0]!.pending }).request)
    expect(again).toEqual({ state: 'processing', pending: first.handed[0]!.pending })
    expect(fake.server.count('init')).toBe(1)
    expect(fake.posts).toBe(1)

    fake.options.failReason = 'file_format_check_failed'
    await tiktok.publish(account, post({ pending: first.handed[0]!.pending }).request)
    expect(fake.server.count('init')).toBe(2)
  })

  it('is refused by TikTok\'s own 6-a-minute init limit, classified to wait', async () => {
    for (let index = 0; index < 6; index++) await tiktok.publish(account, post({ file: smallVideo }).request)
    const limited = await refusal(tiktok.publish(account, post({ file: smallVideo }).request))
    expect(limited.details).toMatchObject({ status: 429, code: 'rate_limit_exceeded' })
    expect(tiktok.classifyError(limited)).toEqual({ action: 'retry', afterSeconds: 60 })
  })
})

describe('TikTok metrics', () => {
  it('reads the numbers in batches of 20, ids kept as strings, and wants video.list', async () => {
    const { pending } = await tiktok.publish(account, post({ file: smallVideo }).request) as { pending: Record<string, unknown> }
    fake.options.processingPolls = 0
    fake.options.moderationPolls = 0
    const published = await tiktok.checkStatus(account, pending) as { externalId: string }
    const ids = [published.externalId, ...Array.from({ length: 24 }, (_, index) => `7${String(index).padStart(18, '0')}`)]
    const metrics = await tiktok.metrics(account, ids)
    expect(fake.server.count('video.query')).toBe(2)
    expect(metrics).toEqual([{ externalId: published.externalId, views: 1000, likes: 80, comments: 7, shares: 3, raw: expect.objectContaining({ share_url: expect.any(String) }) }])

    fake.server.failNext('video.query', fake.apiError(401, 'scope_not_authorized'))
    expect(tiktok.classifyError(await refusal(tiktok.metrics(account, ids)))).toEqual({ action: 'disconnect' })

    // Counts moved on; a video the creator deleted is left out.
    fake.videoNumbers.counts.set(published.externalId, { view_count: 5400 })
    expect((await tiktok.metrics(account, ids))[0]).toMatchObject({ views: 5400 })
    fake.videoNumbers.deleted.add(published.externalId)
    expect(await tiktok.metrics(account, ids)).toEqual([])
  })

  it('reads the creator\'s followers with user.info.stats, and asks nothing without it', async () => {
    const calls = fake.server.count('user.info')
    expect(await tiktok.accountMetrics!({ ...account, scopes: ['user.info.basic', 'video.publish', 'video.list'] })).toEqual({ raw: { notice: 'Reconnect TikTok to allow follower counts (user.info.stats)' } })
    expect(fake.server.count('user.info')).toBe(calls)
    expect(await tiktok.accountMetrics!({ ...account, scopes: undefined })).toMatchObject({ followers: 3100, raw: { follower_count: 3100 } })
  })
})
