// Meta's error codes → what Reelwise does (refresh, retry later, tell the creator, reconnect), the wait read from the
// usage headers, the container failures in words, the caption limits, and secrets taken out of text.
import { describe, expect, it } from 'vitest'
import { PlatformError } from '../../server/services/platforms/connector'
import { checkCaption, containerFailure } from '../../server/services/platforms/instagram/errors'
import { classifyMetaError, metaErrorSchema, redact, retryAfterFromUsage, retryAfterOf } from '../../server/services/platforms/meta-graph'

const meta = (code: string, subcode?: string, extra: { status?: number, retryAfterSeconds?: number } = {}) =>
  new PlatformError('instagram', 'Instagram refused it.', { status: extra.status ?? 400, code, subcode, retryAfterSeconds: extra.retryAfterSeconds })

describe('classifyMetaError', () => {
  it.each([
    ['190', undefined, 'refresh'],
    ['190', '467', 'refresh'],
    ['102', undefined, 'refresh'],
    ['190', '458', 'disconnect'],
    ['190', '459', 'disconnect'],
    ['190', '460', 'disconnect'],
    ['190', '463', 'disconnect'],
    ['190', '464', 'disconnect'],
    ['10', undefined, 'disconnect'],
    ['200', undefined, 'disconnect'],
    ['299', undefined, 'disconnect'],
    ['100', undefined, 'bad-input'],
    ['9004', '2207026', 'bad-input'],
    ['2207052', undefined, 'bad-input'],
    ['media', '36003', 'bad-input'],
    ['bad_input', undefined, 'bad-input'],
    ['refresh_rejected', undefined, 'disconnect'],
    ['1', undefined, 'retry'],
    ['2', undefined, 'retry'],
    ['network', undefined, 'retry'],
    ['malformed', undefined, 'retry'],
  ])('code %s, subcode %s → %s', (code, subcode, action) => {
    expect(classifyMetaError(meta(code, subcode)).action).toBe(action)
  })

  it.each(['4', '17', '32', '613', '341', '368'])('rate limit code %s → retry after the wait Meta gave', (code) => {
    expect(classifyMetaError(meta(code, undefined, { retryAfterSeconds: 300 }))).toEqual({ action: 'retry', afterSeconds: 300 })
    expect(classifyMetaError(meta(code))).toEqual({ action: 'retry', afterSeconds: undefined })
  })

  it('Instagram\'s daily publishing cap (2207042) waits, whatever code carries it', () => {
    expect(classifyMetaError(meta('9', '2207042')).action).toBe('retry')
  })

  it('a 5xx or an unknown failure is retried; a 4xx with an unlisted Meta code is the request\'s fault', () => {
    expect(classifyMetaError(meta('unavailable', undefined, { status: 503 })).action).toBe('retry')
    expect(classifyMetaError(new Error('socket hang up')).action).toBe('retry')
    expect(classifyMetaError(meta('9007', '2207027')).action).toBe('bad-input')
  })
})

describe('retryAfterFromUsage', () => {
  it('takes the longest estimated_time_to_regain_access (minutes) from either header, in seconds', () => {
    const headers = new Headers({
      'x-app-usage': JSON.stringify({ call_count: 100, total_time: 20, total_cputime: 12 }),
      'x-business-use-case-usage': JSON.stringify({ 123: [{ type: 'pages', estimated_time_to_regain_access: 5 }, { type: 'instagram', estimated_time_to_regain_access: 12 }] }),
    })
    expect(retryAfterFromUsage(headers)).toBe(720)
  })

  it('says nothing when no header names a wait, or a header is not JSON', () => {
    expect(retryAfterFromUsage(new Headers({ 'x-app-usage': JSON.stringify({ call_count: 100 }) }))).toBeUndefined()
    expect(retryAfterFromUsage(new Headers({ 'x-business-use-case-usage': '{not json' }))).toBeUndefined()
    expect(retryAfterFromUsage(new Headers())).toBeUndefined()
  })
})

describe('retryAfterOf', () => {
  it('takes a Retry-After header in seconds when no usage header names a wait, and prefers the usage estimate', () => {
    expect(retryAfterOf(new Headers({ 'retry-after': '300' }))).toBe(300)
    expect(retryAfterOf(new Headers({ 'retry-after': '300', 'x-app-usage': JSON.stringify({ estimated_time_to_regain_access: 10 }) }))).toBe(600)
    expect(retryAfterOf(new Headers({ 'retry-after': 'Tue, 01 Dec 2026 05:00:00 GMT' }))).toBeUndefined()
    expect(retryAfterOf(new Headers())).toBeUndefined()
  })
})

describe('Meta\'s error shapes', () => {
  it('reads the Graph shape and api.instagram.com\'s flat one alike', () => {
    const graph = metaErrorSchema.parse({ error: { message: 'Invalid OAuth access token', type: 'OAuthException', code: 190, error_subcode: 463, fbtrace_id: 'Abc' } })
    expect(graph.error).toMatchObject({ code: 190, error_subcode: 463 })
    const flat = metaErrorSchema.parse({ error_type: 'OAuthException', code: 400, error_message: 'Invalid authorization code' })
    expect(flat.error).toMatchObject({ code: 400, message: 'Invalid authorization code', type: 'OAuthException' })
  })

  it('takes every secret out of a text', () => {
    expect(redact('token EAAB123secret and code AQDx9 leaked', ['EAAB123secret', 'AQDx9', undefined])).toBe('token [redacted] and code [redacted] leaked')
  })
})

describe('Instagram container failures and captions', () => {
  it.each([
    ['Error: 2207026', '2207026', /format/],
    ['Error: Media download has failed. 2207052', '2207052', /PUBLIC_URL/],
    ['2207003', '2207003', /timed out/],
    ['36003', '36003', /9:16/],
  ])('ERROR with %s → %s in words', (status, code, words) => {
    const failure = containerFailure('ERROR', status)
    expect(failure.code).toBe(code)
    expect(failure.reason).toMatch(words)
  })

  it('EXPIRED is 2207020; an unknown ERROR keeps Instagram\'s own status', () => {
    expect(containerFailure('EXPIRED', undefined)).toMatchObject({ code: '2207020', reason: expect.stringMatching(/expired/) })
    expect(containerFailure('ERROR', 'Something new')).toEqual({ code: 'media', reason: 'Instagram could not process the video (Something new).' })
  })

  it('a caption of 2,200 characters and 30 hashtags passes; one more of either is refused', () => {
    const tags = Array.from({ length: 30 }, (_, index) => `#t${index}`).join(' ')
    expect(() => checkCaption(`${tags} ${'é'.repeat(2200 - tags.length - 1)}`)).not.toThrow()
    expect(() => checkCaption('é'.repeat(2201))).toThrow('at most 2200 characters')
    expect(() => checkCaption(`${tags} #one_more`)).toThrow('at most 30 hashtags')
  })
})
