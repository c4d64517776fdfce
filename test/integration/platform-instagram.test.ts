// The Instagram connector against the loopback Meta fake: Instagram Login, the Reel container that Instagram fills by
// fetching our video URL (served here by a real HTTP server), one media_publish and never two, each container failure
// in words, rate limits with the wait Meta asks for, malformed replies, insights and the publishing limit. No
// database: it runs once (excluded from the postgres project). No token ever appears in an error.
import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { PlatformError, type AccountContext, type PublishOutcome, type PublishRequest } from '../../server/services/platforms/connector'
import { instagramConnector, publishContainer } from '../../server/services/platforms/instagram'
import { FAKE_APP, metaError, rateLimited, startFakeMeta, type FakeMeta } from '../support/fake-meta'

const VIDEO = randomBytes(256 * 1024)
let fake: FakeMeta
let videoServer: Server
let videoUrl: string
let videoGets = 0
let account: AccountContext

async function failure(promise: Promise<unknown>): Promise<PlatformError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught)
  expect(error).toBeInstanceOf(PlatformError)
  const everything = `${(error as Error).message} ${JSON.stringify(error)} ${String((error as Error).stack)}`
  for (const token of [...fake.tokens.keys(), FAKE_APP.clientSecret]) expect(everything).not.toContain(token)
  return error as PlatformError
}

const request = (extra: Partial<PublishRequest> = {}): PublishRequest => ({
  file: { path: '/unused/instagram/pulls/the/url.mp4', sizeBytes: VIDEO.length, contentType: 'video/mp4' },
  publicUrl: async () => videoUrl,
  caption: 'Three knife skills in 30 seconds #cooking #knifeskills',
  options: {},
  ...extra,
})

function containerOf(outcome: PublishOutcome): string {
  if (outcome.state !== 'processing') throw new Error(`expected a container, got ${outcome.state}`)
  return String(outcome.pending.containerId)
}

async function settle(pending: Record<string, unknown>, checks = 5) {
  for (let check = 0; check < checks; check++) {
    const status = await instagramConnector.checkStatus(account, pending)
    if (status.state !== 'processing') return status
  }
  return instagramConnector.checkStatus(account, pending)
}

beforeAll(async () => {
  fake = await startFakeMeta()
  videoServer = createServer((incoming, response) => {
    videoGets++
    if (new URL(incoming.url!, 'http://video').pathname !== '/render.mp4') return response.writeHead(404).end()
    response.writeHead(200, { 'content-type': 'video/mp4', 'content-length': VIDEO.length }).end(VIDEO)
  })
  await new Promise<void>(resolve => videoServer.listen(0, '127.0.0.1', resolve))
  videoUrl = `http://127.0.0.1:${(videoServer.address() as AddressInfo).port}/render.mp4?signature=abc`
})

afterAll(async () => {
  await fake?.close()
  await new Promise(resolve => videoServer?.close(resolve))
})

describe('Instagram Login', () => {
  it('sends the creator to the consent page, turns the code into a 60-day token, and finds the professional account', async () => {
    const app = fake.app()
    const authorize = new URL(instagramConnector.authorizeUrl(app, { state: 'state-123' }))
    expect(authorize.pathname).toBe('/www.instagram.com/oauth/authorize')
    expect(Object.fromEntries(authorize.searchParams)).toEqual({
      client_id: FAKE_APP.clientId, redirect_uri: FAKE_APP.redirectUri, response_type: 'code', state: 'state-123',
      scope: 'instagram_business_basic,instagram_business_content_publish,instagram_business_manage_insights',
    })
    const consent = await fetch(authorize, { redirect: 'manual' })
    const back = new URL(consent.headers.get('location')!)
    expect(back.searchParams.get('state')).toBe('state-123')
    // Instagram appends `#_`; the connector takes it off.
    const tokens = await instagramConnector.exchangeCode(app, { code: `${back.searchParams.get('code')}#_` })
    expect(fake.tokens.get(tokens.accessToken)?.kind).toBe('ig-long')
    expect(tokens.scopes).toEqual(['instagram_business_basic', 'instagram_business_content_publish', 'instagram_business_manage_insights'])
    const days = (tokens.expiresAt!.getTime() - Date.now()) / 86_400_000
    expect(days).toBeGreaterThan(59)
    expect(days).toBeLessThan(61)
    expect(tokens.refreshToken).toBeUndefined()

    const [found, ...others] = await instagramConnector.accounts(app, tokens)
    expect(others).toEqual([])
    expect(found).toMatchObject({ externalId: fake.instagram.user.userId, handle: 'cooking.with.ada', avatarUrl: fake.instagram.user.pictureUrl, tokens })
    account = { app, externalId: found!.externalId, accessToken: tokens.accessToken, metadata: found!.metadata }
  })

  it('refuses a code used twice, in words', async () => {
    const consent = await fetch(instagramConnector.authorizeUrl(fake.app(), { state: 's' }), { redirect: 'manual' })
    const code = new URL(consent.headers.get('location')!).searchParams.get('code')!
    await instagramConnector.exchangeCode(fake.app(), { code })
    const error = await failure(instagramConnector.exchangeCode(fake.app(), { code }))
    expect(error.message).toContain('Invalid authorization code')
    expect(instagramConnector.classifyError(error)).toEqual({ action: 'bad-input' })
  })

  it('refreshes the 60-day token; an expired one cannot be refreshed and asks for reconnecting', async () => {
    const fresh = await instagramConnector.refresh(account.app, { accessToken: account.accessToken })
    expect(fresh.accessToken).not.toBe(account.accessToken)
    expect(fake.tokens.get(fresh.accessToken)?.kind).toBe('ig-long')
    expect(fresh.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 59 * 86_400_000)

    fake.expire(fresh.accessToken)
    const error = await failure(instagramConnector.refresh(account.app, { accessToken: fresh.accessToken }))
    expect(error.message).toMatch(/Reconnect/)
    expect(instagramConnector.classifyError(error)).toEqual({ action: 'disconnect' })
  })

  it('tells an expired token (190/463: reconnect) from an unknown one (190: refresh)', async () => {
    const unknown = await failure(instagramConnector.accounts(account.app, { accessToken: 'IGAAnot-issued-by-meta', scopes: [] }))
    expect(unknown.details).toMatchObject({ status: 400, code: '190' })
    expect(instagramConnector.classifyError(unknown)).toEqual({ action: 'refresh' })

    const fresh = await instagramConnector.refresh(account.app, { accessToken: account.accessToken })
    fake.expire(fresh.accessToken)
    const expired = await failure(instagramConnector.accounts(account.app, fresh))
    expect(expired.details).toMatchObject({ code: '190', subcode: '463' })
    expect(instagramConnector.classifyError(expired)).toEqual({ action: 'disconnect' })
  })
})

describe('publishing a Reel', () => {
  beforeEach(() => {
    fake.instagram.script = { inProgressChecks: 1 }
  })

  it('makes a container Instagram fills from the video URL, stores it at once, and publishes it once when it is finished', async () => {
    const stored: Record<string, unknown>[] = []
    const before = videoGets
    const outcome = await instagramConnector.publish(account, request({ onPending: async pending => void stored.push(pending) }))
    expect(outcome.state).toBe('processing')
    const containerId = containerOf(outcome)
    expect(stored).toEqual([{ containerId }])

    // The fake fetched our URL for real: the bytes it got are the file's.
    const container = fake.instagram.containers.get(containerId)!
    expect(container.fetched).toEqual({ status: 200, bytes: VIDEO.length })
    expect(videoGets - before).toBe(1)
    expect(container).toMatchObject({ caption: request().caption, shareToFeed: 'true', videoUrl })

    const publishes = fake.server.count('ig.media_publish')
    expect(await instagramConnector.checkStatus(account, { containerId })).toMatchObject({ state: 'processing' })
    const published = await instagramConnector.checkStatus(account, { containerId })
    const reel = fake.instagram.reels[0]!
    expect(published).toEqual({ state: 'published', externalId: reel.id, permalink: reel.permalink })
    expect(fake.server.count('ig.media_publish') - publishes).toBe(1)

    // Checked again (a retried job), with or without the media id: no second publish.
    expect(await instagramConnector.checkStatus(account, { containerId, mediaId: reel.id })).toEqual(published)
    expect(await instagramConnector.checkStatus(account, { containerId })).toEqual(published)
    expect(fake.server.count('ig.media_publish') - publishes).toBe(1)
    expect(fake.instagram.reels.filter(candidate => candidate.containerId === containerId)).toHaveLength(1)
  })

  it('resumes a container an earlier attempt made instead of making a second one', async () => {
    const creates = fake.server.count('ig.media.create')
    const outcome = await instagramConnector.publish(account, request({ pending: { containerId: '17900000000000001' } }))
    expect(outcome).toEqual({ state: 'processing', pending: { containerId: '17900000000000001' } })
    expect(fake.server.count('ig.media.create')).toBe(creates)
  })

  it('passes the share-to-feed and cover switches, and refuses an option it does not know the type of', async () => {
    const outcome = await instagramConnector.publish(account, request({ options: { shareToFeed: false, thumbOffsetMs: 1500 } }))
    const container = fake.instagram.containers.get(containerOf(outcome))!
    expect(container.shareToFeed).toBe('false')
    const creates = fake.server.count('ig.media.create')
    const error = await failure(instagramConnector.publish(account, request({ options: { shareToFeed: 'yes' } })))
    expect(error.message).toContain('shareToFeed')
    expect(instagramConnector.classifyError(error)).toEqual({ action: 'bad-input' })
    expect(fake.server.count('ig.media.create')).toBe(creates)
  })
})

describe('when publishing goes wrong', () => {
  beforeEach(() => {
    fake.instagram.script = { inProgressChecks: 1 }
  })

  const start = async (extra: Partial<PublishRequest> = {}) => {
    const outcome = await instagramConnector.publish(account, request(extra))
    if (outcome.state !== 'processing') throw new Error('expected a container')
    return outcome.pending
  }

  it('a lost media_publish reply: the next check finds the published Reel and never publishes again', async () => {
    fake.instagram.script.dropPublishReply = true
    const pending = await start()
    const publishes = fake.server.count('ig.media_publish')
    expect(await instagramConnector.checkStatus(account, pending)).toMatchObject({ state: 'processing' })
    const lost = await failure(instagramConnector.checkStatus(account, pending))
    expect(lost.details).toMatchObject({ status: 502, code: 'unavailable' })
    expect(instagramConnector.classifyError(lost)).toEqual({ action: 'retry' })

    const reel = fake.instagram.reels[0]!
    expect(await instagramConnector.checkStatus(account, pending)).toEqual({ state: 'published', externalId: reel.id, permalink: reel.permalink })
    expect(fake.server.count('ig.media_publish') - publishes).toBe(1)
  })

  it('publishContainer publishes a finished container, for a publish job that does it itself', async () => {
    fake.instagram.script.inProgressChecks = 0
    const { containerId } = await start() as { containerId: string }
    const mediaId = await publishContainer(account, containerId)
    expect(fake.instagram.reels[0]!.id).toBe(mediaId)
    expect(await instagramConnector.checkStatus(account, { containerId, mediaId })).toMatchObject({ state: 'published', externalId: mediaId })
  })

  it('a video URL Instagram cannot fetch fails the container (2207052) with advice about PUBLIC_URL', async () => {
    const pending = await start({ publicUrl: async () => `${videoUrl.replace('/render.mp4', '/gone.mp4')}` })
    const outcome = await settle(pending)
    expect(outcome).toEqual({ state: 'failed', code: '2207052', reason: expect.stringContaining('PUBLIC_URL') })
  })

  it('a video in a format Instagram refuses fails with the reason (2207026), and is not published', async () => {
    fake.instagram.script.containerError = 2207026
    const publishes = fake.server.count('ig.media_publish')
    const outcome = await settle(await start())
    expect(outcome).toEqual({ state: 'failed', code: '2207026', reason: expect.stringContaining('format') })
    expect(fake.server.count('ig.media_publish')).toBe(publishes)
  })

  it('a container that never finishes stays processing and is never published', async () => {
    fake.instagram.script.inProgressChecks = Number.POSITIVE_INFINITY
    const publishes = fake.server.count('ig.media_publish')
    const pending = await start()
    for (let check = 0; check < 4; check++) {
      expect(await instagramConnector.checkStatus(account, pending)).toEqual({ state: 'processing', pending, detail: undefined })
    }
    expect(fake.server.count('ig.media_publish')).toBe(publishes)
  })

  it('refuses a caption over 2,200 characters or with more than 30 hashtags before anything is sent', async () => {
    const creates = fake.server.count('ig.media.create')
    const long = await failure(instagramConnector.publish(account, request({ caption: 'a'.repeat(2201) })))
    expect(long.message).toContain('2200')
    const tags = await failure(instagramConnector.publish(account, request({ caption: Array.from({ length: 31 }, (_, index) => `#tag${index}`).join(' ') })))
    expect(tags.message).toContain('31')
    for (const error of [long, tags]) expect(instagramConnector.classifyError(error)).toEqual({ action: 'bad-input' })
    expect(fake.server.count('ig.media.create')).toBe(creates)
    // 2,200 characters and 30 hashtags are fine.
    await start({ caption: `${Array.from({ length: 30 }, (_, index) => `#t${index}`).join(' ')} ${'a'.repeat(100)}` })
  })

  it('a rate limit waits as long as Meta\'s usage headers say', async () => {
    fake.server.failNext('ig.media.create', rateLimited(4, 12))
    const limited = await failure(start())
    expect(limited.details).toMatchObject({ status: 403, code: '4', retryAfterSeconds: 720 })
    expect(instagramConnector.classifyError(limited)).toEqual({ action: 'retry', afterSeconds: 720 })

    fake.server.failNext('ig.node', metaError(613, 'Calls to this api have exceeded the rate limit.'))
    const plain = await failure(instagramConnector.checkStatus(account, { containerId: '1' }))
    expect(instagramConnector.classifyError(plain)).toEqual({ action: 'retry', afterSeconds: undefined })

    fake.server.failNext('ig.media_publish', metaError(9, 'Application request limit reached', { subcode: 2207042 }))
    const daily = await failure(publishContainer(account, '1'))
    expect(instagramConnector.classifyError(daily)).toMatchObject({ action: 'retry' })
  })

  it('a missing permission asks for reconnecting', async () => {
    fake.server.failNext('ig.media.create', metaError(10, 'Application does not have permission for this action'))
    expect(instagramConnector.classifyError(await failure(start()))).toEqual({ action: 'disconnect' })
    fake.server.failNext('ig.media.create', metaError(200, 'Permissions error'))
    expect(instagramConnector.classifyError(await failure(start()))).toEqual({ action: 'disconnect' })
  })

  it('a malformed reply is a clear error, never a crash', async () => {
    fake.server.failNext('ig.node', { status: 200, body: { status_code: 'SOMEWHERE' } })
    const odd = await failure(instagramConnector.checkStatus(account, { containerId: '1' }))
    expect(odd.message).toMatch(/Instagram answered the Reel's processing status with a reply we did not expect \(status_code\)/)
    expect(odd.details.code).toBe('malformed')

    fake.server.failNext('ig.media.create', { status: 200, body: '<html>not json</html>' })
    expect((await failure(start())).message).toContain('not JSON')

    fake.server.failNext('ig.media.create', { status: 500, body: 'upstream died' })
    const down = await failure(start())
    expect(down.details).toMatchObject({ status: 500, code: 'unavailable' })
    expect(instagramConnector.classifyError(down)).toEqual({ action: 'retry' })

    await expect(instagramConnector.checkStatus(account, {})).rejects.toThrow('no Instagram upload')
  })
})

describe('numbers', () => {
  it('reads a Reel\'s insights, watch times in seconds', async () => {
    const [reel] = fake.instagram.reels
    const [metrics] = await instagramConnector.metrics(account, [reel!.id])
    expect(metrics).toMatchObject({ externalId: reel!.id, views: 1200, reach: 900, likes: 80, comments: 12, shares: 9, saves: 15, avgViewDurationSec: 7.4, watchTimeSec: 8880 })
    expect(fake.server.requests.at(-1)!.query.get('period')).toBe('lifetime')
  })

  it('an empty set is "not known", not 0; "not enough viewers" is no error', async () => {
    fake.instagram.script.insights = 'empty'
    const [empty] = await instagramConnector.metrics(account, ['1790'])
    expect(empty).toEqual({ externalId: '1790', views: undefined, reach: undefined, likes: undefined, comments: undefined, shares: undefined, saves: undefined, avgViewDurationSec: undefined, watchTimeSec: undefined, raw: {} })
    fake.instagram.script.insights = undefined

    fake.server.failNext('ig.insights', metaError(10, '(#10) Not enough viewers for the media to show insights'))
    const [few] = await instagramConnector.metrics(account, ['1791'])
    expect(few).toEqual({ externalId: '1791', raw: { notice: 'Not enough viewers yet' } })
  })

  it('reads the publishing limit as Instagram reports it', async () => {
    expect(await instagramConnector.readUsage!(account)).toEqual([{ key: 'instagram.publish', used: fake.instagram.reels.length, max: 50 }])
    expect(instagramConnector.limits).toEqual([expect.objectContaining({ key: 'instagram.publish', max: 50, window: { rollingSeconds: 86_400 } })])
    expect(instagramConnector.pullsFromUrl).toBe(true)
  })
})
