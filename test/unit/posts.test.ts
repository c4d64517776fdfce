import { describe, expect, it } from 'vitest'
import { captionProblems, privacyLabel, privacyNeedsChoice, publishInput } from '../../shared/posts'
import { recordingFetch, redact, type RecordedExchange } from '../../server/services/posts/record'
import { nextCheckDelaySeconds } from '../../server/services/posts/settle'
import { isPublicUrl } from '../../server/services/platforms/reachability'

describe('post text against each platform', () => {
  it('passes what fits and names what does not, with the figures', () => {
    expect(captionProblems('instagram', { caption: 'Three knife mistakes #cooking' })).toEqual([])
    const long = captionProblems('instagram', { caption: 'x'.repeat(2201) })
    expect(long).toEqual(['Instagram takes a caption of up to 2,200 characters; this one has 2,201. Shorten it.'])
    const tags = Array.from({ length: 31 }, (_, index) => `#tag${index}`).join(' ')
    expect(captionProblems('instagram', { caption: tags })[0]).toBe('Instagram takes at most 30 hashtags; this caption has 31.')
    expect(captionProblems('tiktok', { caption: 'x'.repeat(2200) })).toEqual([])
  })

  it('asks YouTube for a title of at most 100 characters without angle brackets, and tags within 500', () => {
    expect(captionProblems('youtube', { caption: '', title: '' })).toEqual(['YouTube needs a title.'])
    expect(captionProblems('youtube', { caption: '', title: 'y'.repeat(101) })[0]).toContain('up to 100 characters; this one has 101')
    expect(captionProblems('youtube', { caption: '', title: 'A <b> title' })).toEqual(['YouTube refuses < and > in a title.'])
    expect(captionProblems('youtube', { caption: '', title: 'Fine', tags: Array.from({ length: 60 }, () => 'knifeskill') })[0]).toContain('tags of up to 500 characters in all')
  })

  it('validates the publish input with messages a person can act on', () => {
    const empty = publishInput.safeParse({ renderId: '0190a8e0-0000-7000-8000-000000000001', targets: [] })
    expect(empty.success).toBe(false)
    expect(empty.error?.issues[0]?.message).toBe('Choose at least one account to publish to.')
  })
})

describe('what an attempt keeps of the platform\'s replies', () => {
  it('takes out tokens, codes and secrets at any depth, in keys and in text', () => {
    expect(redact({ access_token: 'at-1', nested: { refresh_token: 'rt', keep: 'visible' }, list: [{ client_secret: 's' }], text: 'a=1&access_token=abc&b=2' }))
      .toEqual({ access_token: '[redacted]', nested: { refresh_token: '[redacted]', keep: 'visible' }, list: [{ client_secret: '[redacted]' }], text: 'a=1&access_token=[redacted]&b=2' })
  })

  it('records each exchange with its status and redacted JSON body, and the URL without its secrets', async () => {
    const into: RecordedExchange[] = []
    const fake: typeof fetch = async () => new Response(JSON.stringify({ id: 'v1', access_token: 'secret-token' }), { status: 200, headers: { 'content-type': 'application/json' } })
    const response = await recordingFetch(into, fake)('https://graph.example/me?access_token=secret-token&fields=id', { method: 'GET' })
    expect(await response.json()).toEqual({ id: 'v1', access_token: 'secret-token' })
    expect(into).toEqual([{ method: 'GET', url: 'https://graph.example/me?access_token=%5Bredacted%5D&fields=id', status: 200, body: { id: 'v1', access_token: '[redacted]' } }])
    expect(JSON.stringify(into)).not.toContain('secret-token')
  })
})

describe('processing checks and reachability', () => {
  it('backs off from 10 s to at most 10 minutes', () => {
    expect([0, 1, 2, 3, 6, 10].map(nextCheckDelaySeconds)).toEqual([10, 20, 40, 80, 600, 600])
  })

  it('knows which addresses a platform on the internet can fetch from', () => {
    expect(isPublicUrl('https://reelwise.example.com')).toBe(true)
    for (const url of ['http://reelwise.example.com', 'https://localhost:3000', 'https://127.0.0.1', 'https://192.168.1.4', 'https://10.0.0.2', 'https://[::1]', 'https://app.internal', 'not a url']) {
      expect(isPublicUrl(url), url).toBe(false)
    }
  })
})

describe('privacy in words', () => {
  it('names each platform\'s privacy values, and leaves TikTok\'s choice to the creator', () => {
    expect(['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'FOLLOWER_OF_CREATOR', 'SELF_ONLY'].map(privacyLabel)).toEqual(['Everyone', 'Friends', 'Followers', 'Only me'])
    expect(privacyLabel('unlisted')).toBe('Unlisted (anyone with the link)')
    expect(privacyLabel('SOMETHING_NEW')).toBe('SOMETHING_NEW')
    expect(privacyNeedsChoice('tiktok')).toBe(true)
    expect(privacyNeedsChoice('youtube')).toBe(false)
  })
})
