// The Facebook connector against the loopback Meta fake: Facebook Login to Page tokens (Pages without CREATE_CONTENT
// left out), the re-exchange that stands for a refresh, Reels on a Page (start → the video id stored at once → the
// bytes to rupload → finish → status), a safe resume that never finishes twice, Facebook's processing error, the
// failures Meta classifies, insights and revocation. No database: it runs once (excluded from the postgres project).
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { PlatformError, type AccountContext, type PublishOutcome, type PublishRequest } from '../../server/services/platforms/connector'
import { facebookConnector } from '../../server/services/platforms/facebook'
import { FAKE_APP, metaError, rateLimited, startFakeMeta, type FakeMeta } from '../support/fake-meta'

const VIDEO = randomBytes(300 * 1024)
let fake: FakeMeta
let folder: string
let videoPath: string
let userToken: string
let account: AccountContext

async function failure(promise: Promise<unknown>): Promise<PlatformError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught)
  expect(error).toBeInstanceOf(PlatformError)
  const everything = `${(error as Error).message} ${JSON.stringify(error)} ${String((error as Error).stack)}`
  for (const token of [...fake.tokens.keys(), FAKE_APP.clientSecret]) expect(everything).not.toContain(token)
  return error as PlatformError
}

const request = (extra: Partial<PublishRequest> = {}): PublishRequest => ({
  file: { path: videoPath, sizeBytes: VIDEO.length, contentType: 'video/mp4' },
  caption: 'Three knife skills in 30 seconds #cooking',
  options: {},
  ...extra,
})

function videoOf(outcome: PublishOutcome): string {
  if (outcome.state !== 'processing') throw new Error(`expected processing, got ${outcome.state}`)
  return String(outcome.pending.videoId)
}

beforeAll(async () => {
  fake = await startFakeMeta()
  folder = await mkdtemp(join(tmpdir(), 'reelwise-facebook-'))
  videoPath = join(folder, 'render.mp4')
  await writeFile(videoPath, VIDEO)
})

afterAll(async () => {
  await fake?.close()
  if (folder) await rm(folder, { recursive: true, force: true })
})

describe('Facebook Login', () => {
  it('turns the code into a long-lived token, and offers each Page that may post Reels with its Page token', async () => {
    const app = fake.app()
    const authorize = new URL(facebookConnector.authorizeUrl(app, { state: 'state-fb' }))
    expect(authorize.pathname).toBe('/www.facebook.com/v23.0/dialog/oauth')
    expect(Object.fromEntries(authorize.searchParams)).toEqual({
      client_id: FAKE_APP.clientId, redirect_uri: FAKE_APP.redirectUri, response_type: 'code', state: 'state-fb',
      scope: 'pages_show_list,pages_read_engagement,pages_manage_posts,read_insights',
    })
    const consent = await fetch(authorize, { redirect: 'manual' })
    const back = new URL(consent.headers.get('location')!)
    expect(back.searchParams.get('state')).toBe('state-fb')
    const tokens = await facebookConnector.exchangeCode(app, { code: back.searchParams.get('code')! })
    expect(fake.tokens.get(tokens.accessToken)?.kind).toBe('fb-long')
    expect(tokens.scopes).toEqual(['pages_show_list', 'pages_read_engagement', 'pages_manage_posts', 'read_insights', 'public_profile'])
    expect(tokens.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 59 * 86_400_000)
    userToken = tokens.accessToken

    const pages = await facebookConnector.accounts(app, tokens)
    const [publishable, analyseOnly] = fake.facebook.pages
    // The fan page lacks CREATE_CONTENT: Reels would fail there, so it is not offered.
    expect(pages.map(page => page.externalId)).toEqual([publishable!.id])
    expect(pages[0]).toMatchObject({ displayName: 'Ada Cooks', tokens: { accessToken: publishable!.token, scopes: tokens.scopes }, metadata: { canReadInsights: true } })
    expect(pages[0]!.tokens.expiresAt).toBeUndefined()
    expect(analyseOnly!.tasks).not.toContain('CREATE_CONTENT')
    account = { app, externalId: publishable!.id, accessToken: publishable!.token, metadata: pages[0]!.metadata }
  })

  it('refreshes by exchanging the token again; an expired token cannot be exchanged and asks for reconnecting', async () => {
    const fresh = await facebookConnector.refresh(account.app, { accessToken: userToken })
    expect(fresh.accessToken).not.toBe(userToken)
    expect(fake.tokens.get(fresh.accessToken)?.kind).toBe('fb-long')
    fake.expire(fresh.accessToken)
    const error = await failure(facebookConnector.refresh(account.app, { accessToken: fresh.accessToken }))
    expect(error.message).toMatch(/Reconnect/)
    expect(facebookConnector.classifyError(error)).toEqual({ action: 'disconnect' })
  })

  it('refuses a code used twice, in words', async () => {
    const consent = await fetch(facebookConnector.authorizeUrl(fake.app(), { state: 's' }), { redirect: 'manual' })
    const code = new URL(consent.headers.get('location')!).searchParams.get('code')!
    await facebookConnector.exchangeCode(fake.app(), { code })
    const error = await failure(facebookConnector.exchangeCode(fake.app(), { code }))
    expect(error.message).toContain('Invalid verification code')
    expect(facebookConnector.classifyError(error)).toEqual({ action: 'bad-input' })
  })
})

describe('publishing a Reel', () => {
  beforeEach(() => {
    fake.facebook.script = { processingChecks: 1 }
  })

  it('starts, stores the video id before any byte is sent, uploads the file, finishes once and reports the Reel', async () => {
    const stored: { pending: Record<string, unknown>, uploadsSoFar: number }[] = []
    let progress = 0
    const outcome = await facebookConnector.publish(account, request({
      onPending: async pending => void stored.push({ pending, uploadsSoFar: fake.server.count('fb.rupload') }),
      onProgress: (sent) => { progress = sent },
    }))
    const videoId = videoOf(outcome)
    expect(stored).toEqual([{ pending: { videoId }, uploadsSoFar: 0 }, { pending: { videoId, finished: true }, uploadsSoFar: 1 }])
    expect(progress).toBe(VIDEO.length)

    const video = fake.facebook.videos.get(videoId)!
    expect(video.uploaded!.equals(VIDEO)).toBe(true)
    expect(video).toMatchObject({ finished: 1, description: request().caption, pageId: account.externalId })
    const upload = fake.server.requests.find(entry => entry.endpoint === 'fb.rupload' && entry.params.videoId === videoId)!
    expect(upload.headers).toMatchObject({ authorization: `OAuth ${account.accessToken}`, offset: '0', file_size: String(VIDEO.length) })

    expect(await facebookConnector.checkStatus(account, { videoId })).toMatchObject({ state: 'processing', detail: 'Facebook is processing the Reel.' })
    expect(await facebookConnector.checkStatus(account, { videoId })).toEqual({ state: 'published', externalId: videoId, permalink: `https://www.facebook.com/reel/${videoId}` })
  })

  it('a retry with the video id does only what is left: never a second start, upload or finish', async () => {
    const videoId = videoOf(await facebookConnector.publish(account, request()))
    const counts = () => [fake.server.count('fb.rupload'), fake.facebook.videos.size]
    const before = counts()
    expect(await facebookConnector.publish(account, request({ pending: { videoId, finished: true } }))).toEqual({ state: 'processing', pending: { videoId, finished: true } })
    expect(counts()).toEqual(before)
    expect(fake.facebook.videos.get(videoId)!.finished).toBe(1)
    // Only the video id was stored (finish answered, the store did not keep it): once published, the status says so.
    await facebookConnector.checkStatus(account, { videoId })
    await facebookConnector.checkStatus(account, { videoId })
    await facebookConnector.publish(account, request({ pending: { videoId } }))
    expect(fake.facebook.videos.get(videoId)!.finished).toBe(1)
    expect(counts()).toEqual(before)

    // Started, but the upload was cut off: the retry uploads and finishes that same video.
    fake.server.failNext('fb.rupload', { status: 503, body: 'Service Unavailable' })
    const cut = await failure(facebookConnector.publish(account, request({ onPending: async () => {} })))
    expect(facebookConnector.classifyError(cut)).toEqual({ action: 'retry' })
    const started = [...fake.facebook.videos.values()].at(-1)!
    expect(started.uploaded).toBeUndefined()
    await facebookConnector.publish(account, request({ pending: { videoId: started.id } }))
    expect(started).toMatchObject({ finished: 1 })
    expect(started.uploaded!.length).toBe(VIDEO.length)
  })

  it('a Reel Facebook cannot process fails with Facebook\'s words', async () => {
    fake.facebook.script.videoError = 'Video Creation failed, please try again.'
    const videoId = videoOf(await facebookConnector.publish(account, request()))
    expect(await facebookConnector.checkStatus(account, { videoId })).toEqual({ state: 'failed', code: 'media', reason: 'Facebook could not process the Reel: Video Creation failed, please try again..' })
  })

  it('classifies what Meta refuses: a user token on a Page, rate limits, an expired Page token; malformed replies are clear', async () => {
    const wrongToken = await failure(facebookConnector.publish({ ...account, accessToken: userToken }, request()))
    expect(wrongToken.details.code).toBe('200')
    expect(facebookConnector.classifyError(wrongToken)).toEqual({ action: 'disconnect' })

    fake.server.failNext('fb.reels', rateLimited(32, 3))
    expect(facebookConnector.classifyError(await failure(facebookConnector.publish(account, request())))).toEqual({ action: 'retry', afterSeconds: 180 })

    fake.server.failNext('fb.node', metaError(190, 'Error validating access token: The user has not authorized application.', { subcode: 458 }))
    expect(facebookConnector.classifyError(await failure(facebookConnector.checkStatus(account, { videoId: '1' })))).toEqual({ action: 'disconnect' })

    fake.server.failNext('fb.node', { status: 200, body: { status: { uploading_phase: { status: 'complete' } } } })
    const odd = await failure(facebookConnector.checkStatus(account, { videoId: '1' }))
    expect(odd.message).toContain('reply we did not expect (status.video_status)')
    expect(odd.details.code).toBe('malformed')
  })
})

describe('numbers and revoking', () => {
  it('reads a Reel\'s insights, times in seconds, actions by kind', async () => {
    const [metrics] = await facebookConnector.metrics(account, ['1234'])
    expect(metrics).toMatchObject({ externalId: '1234', views: 640, comments: 11, shares: 7, avgViewDurationSec: 6.2, watchTimeSec: 3968 })
    expect(metrics!.likes).toBeUndefined()
    expect(metrics!.raw).toMatchObject({ fb_reels_total_plays: 910 })
  })

  it('leaves a Reel deleted from the Page out of the numbers, and reads the Page\'s followers', async () => {
    fake.facebook.deleted.add('5678')
    fake.facebook.insights.set('1234', { blue_reels_play_count: 700 })
    expect((await facebookConnector.metrics(account, ['1234', '5678'])).map(metrics => [metrics.externalId, metrics.views])).toEqual([['1234', 700]])
    expect(await facebookConnector.accountMetrics!(account)).toEqual({ followers: 860, raw: { followers_count: 860, fan_count: 860 } })
  })

  it('states the API Reels limit, and revokes the app\'s access (twice is harmless)', async () => {
    expect(facebookConnector.limits).toEqual([expect.objectContaining({ key: 'facebook.reels', max: 30, window: { rollingSeconds: 86_400 } })])
    const consent = await fetch(facebookConnector.authorizeUrl(fake.app(), { state: 's' }), { redirect: 'manual' })
    const tokens = await facebookConnector.exchangeCode(fake.app(), { code: new URL(consent.headers.get('location')!).searchParams.get('code')! })
    await facebookConnector.revoke(fake.app(), tokens)
    expect(fake.server.count('fb.revoke')).toBe(1)
    const refused = await failure(facebookConnector.accounts(fake.app(), tokens))
    expect(refused.details.code).toBe('190')
    await expect(facebookConnector.revoke(fake.app(), tokens)).resolves.toBeUndefined()
  })
})
