// The YouTube connector's pure parts: chunk ranges and sizes, reading a 308's Range, titles, what each refusal is
// classified as, the wait until YouTube's quota day ends in Pacific time (across DST), and tokens taken out of replies.
import { describe, expect, it } from 'vitest'
import { PlatformError } from '../../server/services/platforms/connector'
import { classifyError, redact, youtubeError } from '../../server/services/platforms/youtube/errors'
import { secondsUntilDailyReset } from '../../server/services/platforms/limits'
import { DEFAULT_CHUNK_BYTES, QUOTA_ZONE, YOUTUBE_LIMITS } from '../../server/services/platforms/youtube/limits'
import { batches } from '../../server/services/platforms/youtube/metrics'
import { privacyNotice, titleFor } from '../../server/services/platforms/youtube/publish'
import { checkChunkSize, chunkAt, nextByteFromRange } from '../../server/services/platforms/youtube/upload'
import { createYoutubeConnector, youtubeConnector } from '../../server/services/platforms/youtube'

const KIB256 = 256 * 1024

describe('chunks', () => {
  it('cuts a file into chunks with inclusive Content-Range ends, the last one short', () => {
    expect(chunkAt(0, 600_000, KIB256)).toEqual({ start: 0, end: KIB256 - 1, contentRange: `bytes 0-${KIB256 - 1}/600000` })
    expect(chunkAt(2 * KIB256, 600_000, KIB256)).toEqual({ start: 2 * KIB256, end: 599_999, contentRange: `bytes ${2 * KIB256}-599999/600000` })
    // Resuming mid-chunk (after a drop) starts at any byte.
    expect(chunkAt(100_000, 600_000, KIB256).contentRange).toBe(`bytes 100000-${100_000 + KIB256 - 1}/600000`)
    expect(chunkAt(0, 10, KIB256).contentRange).toBe('bytes 0-9/10')
  })

  it('takes only multiples of 256 KiB as a chunk size (8 MiB by default)', () => {
    expect(DEFAULT_CHUNK_BYTES).toBe(8 * 1024 * 1024)
    expect(checkChunkSize(DEFAULT_CHUNK_BYTES)).toBe(DEFAULT_CHUNK_BYTES)
    for (const wrong of [0, -KIB256, 1000, KIB256 + 1, 1.5 * KIB256]) expect(() => checkChunkSize(wrong)).toThrow(RangeError)
    expect(() => createYoutubeConnector({ chunkBytes: 100_000 })).toThrow(/256/)
  })

  it('reads a 308\'s Range as the next byte to send; none means none kept', () => {
    expect(nextByteFromRange('bytes=0-262143')).toBe(262_144)
    expect(nextByteFromRange('bytes=0-0')).toBe(1)
    expect(nextByteFromRange(null)).toBe(0)
    expect(() => nextByteFromRange('bytes=5-9')).toThrow(RangeError)
    expect(() => nextByteFromRange('items=0-9')).toThrow(RangeError)
  })

  it('asks for statistics 50 ids at a time', () => {
    expect(batches(Array.from({ length: 120 }, (_, index) => index)).map(group => group.length)).toEqual([50, 50, 20])
    expect(batches([])).toEqual([])
  })
})

describe('titles and notices', () => {
  it('titles from the title, else the caption\'s first line, at most 100 characters (not UTF-16 units)', () => {
    expect(titleFor({ title: '  Knife  tricks ', caption: 'x' })).toBe('Knife tricks')
    expect(titleFor({ caption: 'First line\nsecond line' })).toBe('First line')
    expect(titleFor({ caption: '' })).toBe('Untitled')
    const long = titleFor({ title: '🔪'.repeat(150), caption: '' })
    expect([...long]).toHaveLength(100)
  })

  it('warns only when a public upload came back private', () => {
    expect(privacyNotice('public', 'private')).toMatch(/private/)
    expect(privacyNotice('private', 'private')).toBeUndefined()
    expect(privacyNotice('public', 'public')).toBeUndefined()
  })
})

describe('classifying YouTube\'s refusals', () => {
  const api = (status: number, reason: string, headers?: Headers) => youtubeError(status, { error: { code: status, message: reason, errors: [{ reason }] } }, headers)

  it('follows PLATFORMS.md: refresh, retry (until midnight Pacific where daily), bad input, disconnect', () => {
    expect(classifyError(api(401, 'authError'))).toEqual({ action: 'refresh' })
    expect(classifyError(youtubeError(400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' }))).toEqual({ action: 'disconnect' })
    for (const reason of ['insufficientPermissions', 'youtubeSignupRequired']) expect(classifyError(api(403, reason))).toEqual({ action: 'disconnect' })
    for (const reason of ['invalidTitle', 'invalidDescription', 'mediaBodyRequired']) expect(classifyError(api(400, reason))).toEqual({ action: 'bad-input' })
    const untilMidnight = classifyError(api(403, 'quotaExceeded'))
    expect(untilMidnight).toEqual({ action: 'retry', afterSeconds: expect.any(Number) })
    // Both wait for the same midnight (the two calls may fall either side of a second's edge).
    const uploadCap = classifyError(api(400, 'uploadLimitExceeded')) as { action: string, afterSeconds: number }
    expect(uploadCap.action).toBe('retry')
    expect(Math.abs(uploadCap.afterSeconds - (untilMidnight as { afterSeconds: number }).afterSeconds)).toBeLessThanOrEqual(1)
    expect(classifyError(api(403, 'rateLimitExceeded'))).toEqual({ action: 'retry', afterSeconds: 60 })
    expect(classifyError(api(403, 'rateLimitExceeded', new Headers({ 'retry-after': '12' })))).toEqual({ action: 'retry', afterSeconds: 12 })
    expect(classifyError(api(503, 'backendError'))).toEqual({ action: 'retry' })
    expect(classifyError(youtubeError(429, 'Too Many Requests', new Headers({ 'retry-after': '7' })))).toEqual({ action: 'retry', afterSeconds: 7 })
    expect(classifyError(new PlatformError('youtube', 'unreachable', { code: 'network' }))).toEqual({ action: 'retry' })
    expect(classifyError(new TypeError('fetch failed'))).toEqual({ action: 'retry' })
    expect(classifyError(api(400, 'somethingNew'))).toEqual({ action: 'bad-input' })
    expect(youtubeConnector.classifyError).toBe(classifyError)
  })

  it('says what to do in words, and keeps Google\'s own words otherwise', () => {
    expect(api(403, 'youtubeSignupRequired').message).toMatch(/Create a channel/)
    expect(api(400, 'somethingNew').message).toBe('YouTube answered 400: somethingNew')
  })

  it('keeps no token in an error or a kept reply', () => {
    const reply = { access_token: 'ya29.secret-access', refresh_token: '1//secret-refresh', nested: [{ code: '4/0Asecret', note: 'token ya29.inline-secret here' }] }
    const text = JSON.stringify(redact(reply))
    for (const secret of ['ya29.secret-access', '1//secret-refresh', '4/0Asecret', 'ya29.inline-secret']) expect(text).not.toContain(secret)
    const error = youtubeError(400, { error: 'invalid_request', error_description: 'bad token ya29.leaked-value' })
    expect(`${error.message} ${JSON.stringify(error.details)}`).not.toContain('ya29.leaked-value')
  })
})

describe('the quota day', () => {
  it('ends at midnight in Los Angeles, DST included', () => {
    // 23:00 PST on 2026-01-15 is 07:00 UTC on the 16th: an hour left.
    expect(secondsUntilDailyReset(new Date('2026-01-16T07:00:00Z'), QUOTA_ZONE)).toBe(3600)
    // 23:30 PDT on 2026-07-15 is 06:30 UTC on the 16th.
    expect(secondsUntilDailyReset(new Date('2026-07-16T06:30:00Z'), QUOTA_ZONE)).toBe(1800)
    // Midnight Pacific on the day clocks go forward (2026-03-08, 02:00 → 03:00): from 00:00 PST it is 23 hours to the next one.
    expect(secondsUntilDailyReset(new Date('2026-03-08T08:00:00Z'), QUOTA_ZONE)).toBe(23 * 3600)
    // And on the day they go back (2026-11-01): 25 hours.
    expect(secondsUntilDailyReset(new Date('2026-11-01T07:00:00Z'), QUOTA_ZONE)).toBe(25 * 3600)
  })

  it('counts both buckets by that day, a publish taking one upload and a few list units', () => {
    expect(YOUTUBE_LIMITS).toEqual([
      expect.objectContaining({ key: 'youtube.uploads', max: 100, perPublish: 1, window: { dayInZone: 'America/Los_Angeles' } }),
      expect.objectContaining({ key: 'youtube.units', max: 10_000, window: { dayInZone: 'America/Los_Angeles' } }),
    ])
    expect(YOUTUBE_LIMITS[1]!.perPublish).toBeGreaterThan(0)
  })
})
