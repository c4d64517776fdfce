// TikTok's pure parts: the chunk math of its Media Transfer Guide, the error classes, the post_info built from
// creator_info, a status turned into an outcome (ids kept to the digit), and tokens kept out of replies we store.
import { describe, expect, it } from 'vitest'
import { PlatformError, type PublishRequest } from '../../server/services/platforms/connector'
import { chunkRanges, chunkRules, planChunks } from '../../server/services/platforms/tiktok/chunks'
import type { CreatorInfo } from '../../server/services/platforms/tiktok/creator'
import { classifyTiktokError, redact, tiktokError } from '../../server/services/platforms/tiktok/errors'
import { parseJsonKeepingIds } from '../../server/services/platforms/tiktok/http'
import { postInfoFor } from '../../server/services/platforms/tiktok/publish'
import { statusOutcome } from '../../server/services/platforms/tiktok/status'

const MIB = 1024 * 1024

describe('TikTok chunk math', () => {
  it('sends a video under 5 MB whole, its chunk_size its own size', () => {
    expect(planChunks(3 * MIB + 17)).toEqual({ videoSize: 3 * MIB + 17, chunkSize: 3 * MIB + 17, totalChunkCount: 1 })
  })

  it('counts floor(size / chunk) chunks and gives the last one the remainder', () => {
    const plan = planChunks(12 * MIB, 5 * MIB)
    expect(plan).toEqual({ videoSize: 12 * MIB, chunkSize: 5 * MIB, totalChunkCount: 2 })
    expect(chunkRanges(plan)).toEqual([{ index: 0, first: 0, last: 5 * MIB - 1 }, { index: 1, first: 5 * MIB, last: 12 * MIB - 1 }])
  })

  it('matches the guide\'s example: 50,000,123 bytes in 10,000,000-byte chunks is 5 chunks', () => {
    const plan = planChunks(50_000_123, 10_000_000)
    expect(plan.totalChunkCount).toBe(5)
    expect(chunkRanges(plan).at(-1)).toEqual({ index: 4, first: 40_000_000, last: 50_000_122 })
  })

  it('sends a video between 5 MB and one chunk whole, and splits one over 64 MB', () => {
    expect(planChunks(8 * MIB)).toEqual({ videoSize: 8 * MIB, chunkSize: 8 * MIB, totalChunkCount: 1 })
    const large = planChunks(100 * MIB, 64 * MIB)
    expect(large.totalChunkCount).toBe(2)
    expect(large.chunkSize).toBe(50 * MIB)
  })

  it('keeps every plan inside TikTok\'s rules, from a few bytes to 4 GB', () => {
    for (const size of [1, 5 * MIB - 1, 5 * MIB, 5 * MIB + 1, 10 * MIB - 1, 64 * MIB + 1, 127 * MIB, 129 * MIB, 999 * MIB + 3, 4096 * MIB]) {
      for (const preferred of [5 * MIB, 10 * MIB, 64 * MIB]) {
        const plan = planChunks(size, preferred)
        const ranges = chunkRanges(plan)
        expect(plan.totalChunkCount).toBe(Math.floor(size / plan.chunkSize))
        expect(ranges.length).toBeLessThanOrEqual(chunkRules.maxChunks)
        expect(ranges[0]!.first).toBe(0)
        expect(ranges.at(-1)!.last).toBe(size - 1)
        ranges.forEach((range, index) => {
          if (index > 0) expect(range.first).toBe(ranges[index - 1]!.last + 1)
          const length = range.last - range.first + 1
          if (index < ranges.length - 1) expect(length).toBe(plan.chunkSize)
          else expect(length).toBeLessThanOrEqual(chunkRules.maxFinalChunkBytes)
        })
        if (size >= 5 * MIB) expect(plan.chunkSize).toBeGreaterThanOrEqual(chunkRules.minChunkBytes)
        expect(plan.chunkSize).toBeLessThanOrEqual(chunkRules.maxChunkBytes)
        if (size > 64 * MIB) expect(plan.totalChunkCount).toBeGreaterThanOrEqual(2)
      }
    }
  })

  it('refuses a chunk size outside 5–64 MB, an empty file and a file larger than 1000 chunks of 64 MB', () => {
    expect(() => planChunks(20 * MIB, 4 * MIB)).toThrow(/5–64 MB/)
    expect(() => planChunks(20 * MIB, 65 * MIB)).toThrow(/5–64 MB/)
    expect(() => planChunks(0)).toThrow(RangeError)
    expect(() => planChunks(64 * MIB * 1000 + 1)).toThrow(/larger than TikTok takes/)
  })
})

describe('TikTok error classes', () => {
  const classify = (code: string, status?: number, retryAfterSeconds?: number) => classifyTiktokError(tiktokError(code, { status, retryAfterSeconds }))

  it('refreshes on an invalid access token and disconnects when the login itself is gone', () => {
    expect(classify('access_token_invalid', 401)).toEqual({ action: 'refresh' })
    expect(classify('invalid_grant', 400)).toEqual({ action: 'disconnect' })
    expect(classify('scope_not_authorized', 401)).toEqual({ action: 'disconnect' })
    expect(classify('auth_removed')).toEqual({ action: 'disconnect' })
  })

  it('waits on rate limits, honouring Retry-After', () => {
    expect(classify('rate_limit_exceeded', 429)).toEqual({ action: 'retry', afterSeconds: 60 })
    expect(classify('rate_limit_exceeded', 429, 17)).toEqual({ action: 'retry', afterSeconds: 17 })
    expect(classify('spam_risk_too_many_posts', 403)).toMatchObject({ action: 'retry', afterSeconds: expect.any(Number) })
  })

  it('asks the creator to change what TikTok refused', () => {
    for (const code of ['unaudited_client_can_only_post_to_private_accounts', 'privacy_level_option_mismatch', 'invalid_file_upload', 'duration_check_failed', 'frame_rate_check_failed', 'video_pull_failed', 'spam_risk_text']) {
      expect(classify(code, 400), code).toEqual({ action: 'bad-input' })
    }
  })

  it('retries what may pass: server errors, a dropped upload, network failures', () => {
    expect(classify('internal_error', 500)).toEqual({ action: 'retry' })
    expect(classify('upload_interrupted')).toEqual({ action: 'retry' })
    expect(classifyTiktokError(new TypeError('fetch failed'))).toEqual({ action: 'retry' })
  })

  it('keeps tokens and the signed upload URL out of a stored reply', () => {
    const error = tiktokError('invalid_grant', { status: 400, response: { access_token: 'act.secret', nested: [{ refresh_token: 'rft.secret', upload_url: 'https://upload?token=x' }], error: { code: 'x' } } })
    expect(JSON.stringify(error.details.response)).not.toMatch(/secret|token=x/)
    expect(redact({ error: { code: 'ok' } })).toEqual({ error: { code: 'ok' } })
  })
})

describe('TikTok post_info from creator_info', () => {
  const creator: CreatorInfo = { privacy_level_options: ['PUBLIC_TO_EVERYONE', 'SELF_ONLY'], comment_disabled: true, duet_disabled: false, stitch_disabled: false, max_video_post_duration_sec: 60 }
  const request = (extra: Partial<PublishRequest> = {}): PublishRequest => ({
    file: { path: '/tmp/x.mp4', sizeBytes: 10, contentType: 'video/mp4', durationSeconds: 30 }, caption: 'Hello #cooking', privacy: 'PUBLIC_TO_EVERYONE', options: {}, ...extra,
  })
  const refusal = (extra: Partial<PublishRequest>) => {
    try {
      postInfoFor(creator, request(extra))
    }
    catch (error) {
      return error as PlatformError
    }
    throw new Error('postInfoFor accepted it')
  }

  it('carries the caption, the privacy, the switches, and keeps a switch the creator turned off', () => {
    expect(postInfoFor(creator, request({ options: { disableDuet: true, isAigc: true, videoCoverTimestampMs: 1500 } }))).toEqual({
      title: 'Hello #cooking', privacy_level: 'PUBLIC_TO_EVERYONE', disable_comment: true, disable_duet: true, disable_stitch: false,
      video_cover_timestamp_ms: 1500, brand_content_toggle: false, brand_organic_toggle: false, is_aigc: true,
    })
  })

  it('refuses a privacy TikTok does not offer, naming the options, as bad input', () => {
    const error = refusal({ privacy: 'FOLLOWER_OF_CREATOR' })
    expect(error.message).toContain('PUBLIC_TO_EVERYONE, SELF_ONLY')
    expect(classifyTiktokError(error)).toEqual({ action: 'bad-input' })
    expect(refusal({ privacy: undefined }).message).toContain('none was chosen')
  })

  it('refuses a video longer than the creator may post, and bad switches', () => {
    const tooLong = refusal({ file: { path: '/tmp/x.mp4', sizeBytes: 10, contentType: 'video/mp4', durationSeconds: 61 } })
    expect(tooLong.message).toMatch(/61 s long; TikTok takes at most 60 s/)
    expect(classifyTiktokError(tooLong)).toEqual({ action: 'bad-input' })
    expect(classifyTiktokError(refusal({ options: { disableDuet: 'yes' } }))).toEqual({ action: 'bad-input' })
  })
})

describe('TikTok status', () => {
  const pending = { publishId: 'v_pub_file~1', handle: 'chef.anna' }

  it('keeps a post id beyond 2^53 to the digit', () => {
    expect(parseJsonKeepingIds('{"ids":[7311234567890123456,12]}')).toEqual({ ids: ['7311234567890123456', 12] })
  })

  it('maps each status to an outcome', () => {
    expect(statusOutcome({ status: 'PROCESSING_DOWNLOAD', publicaly_available_post_id: [] }, pending)).toMatchObject({ state: 'processing', pending })
    expect(statusOutcome({ status: 'PUBLISH_COMPLETE', publicaly_available_post_id: [] }, pending)).toMatchObject({ state: 'processing', detail: expect.stringContaining('moderation') })
    expect(statusOutcome({ status: 'SEND_TO_USER_INBOX', publicaly_available_post_id: [] }, pending)).toMatchObject({ state: 'processing', detail: expect.stringContaining('TikTok app') })
    expect(statusOutcome({ status: 'PUBLISH_COMPLETE', publicaly_available_post_id: ['7311234567890123456'] }, pending))
      .toEqual({ state: 'published', externalId: '7311234567890123456', permalink: 'https://www.tiktok.com/@chef.anna/video/7311234567890123456' })
    expect(statusOutcome({ status: 'PUBLISH_COMPLETE', publicaly_available_post_id: ['7'] }, { publishId: 'p' })).toEqual({ state: 'published', externalId: '7', permalink: undefined })
    expect(statusOutcome({ status: 'FAILED', fail_reason: 'spam_risk_text', publicaly_available_post_id: [] }, pending))
      .toEqual({ state: 'failed', reason: expect.stringContaining('caption'), code: 'spam_risk_text' })
  })

  it('classifies a failed post by its fail_reason', () => {
    const failed = (code: string) => classifyTiktokError(new PlatformError('tiktok', 'failed', { code }))
    expect(failed('auth_removed')).toEqual({ action: 'disconnect' })
    expect(failed('picture_size_check_failed')).toEqual({ action: 'bad-input' })
  })
})
