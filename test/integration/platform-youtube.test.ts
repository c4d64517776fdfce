// The YouTube connector against the loopback fake (test/support/fake-youtube.ts), which checks every Data API request
// against Google's discovery document: the consent round trip with PKCE, code exchange, refresh with and without a new
// refresh token, revoke, the channels a login owns, the resumable upload (chunks, a dropped connection resumed in the
// same session, a retry resumed from the stored session URI, an expired session started again: never two videos),
// processing status, statistics, and what each failure is classified as. No tokens in any error.
// No database: it runs once (excluded from the postgres project).
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as oauth from 'oauth4webapi'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { PlatformError, type AccountContext, type PlatformApp, type PublishOutcome, type PublishRequest, type TokenSet } from '../../server/services/platforms/connector'
import { createYoutubeConnector } from '../../server/services/platforms/youtube'
import { startFakeYoutube, type FakeYoutube } from '../support/fake-youtube'

const CLIENT = { id: '123-fake.apps.googleusercontent.com', secret: `GOCSPX-${randomBytes(12).toString('hex')}`, redirectUri: 'http://localhost:3000/api/oauth/youtube/callback' }
const CHUNK = 256 * 1024
const connector = createYoutubeConnector({ chunkBytes: CHUNK })

let fake: FakeYoutube
let app: PlatformApp
let folder: string
let video: { path: string, bytes: Buffer }
const given: string[] = []

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'reelwise-youtube-'))
  // Two whole chunks and a short last one.
  const bytes = randomBytes(2 * CHUNK + 123_457)
  video = { path: join(folder, 'short.mp4'), bytes }
  await writeFile(video.path, bytes)
})
afterAll(() => rm(folder, { recursive: true, force: true }))
beforeEach(async () => {
  fake = await startFakeYoutube(CLIENT)
  app = { clientId: CLIENT.id, clientSecret: CLIENT.secret, redirectUri: CLIENT.redirectUri, baseUrl: fake.url }
})
afterEach(() => fake.close())

/** The whole consent round trip: our authorize URL, Google's redirect back, the code exchange. */
async function connect(): Promise<TokenSet> {
  const verifier = oauth.generateRandomCodeVerifier()
  const state = oauth.generateRandomState()
  const consent = await fetch(connector.authorizeUrl(app, { state, codeChallenge: await oauth.calculatePKCECodeChallenge(verifier) }), { redirect: 'manual' })
  expect(consent.status).toBe(302)
  const back = new URL(consent.headers.get('location')!)
  expect(`${back.origin}${back.pathname}`).toBe(CLIENT.redirectUri)
  expect(back.searchParams.get('state')).toBe(state)
  const tokens = await connector.exchangeCode(app, { code: back.searchParams.get('code')!, codeVerifier: verifier })
  given.push(tokens.accessToken, tokens.refreshToken ?? '')
  return tokens
}

const account = (tokens: TokenSet): AccountContext => ({ app, externalId: 'UCfake0channel0main00001', accessToken: tokens.accessToken, metadata: {} })

function publishRequest(extra: Partial<PublishRequest> = {}): PublishRequest & { saved: Record<string, unknown>[] } {
  const saved: Record<string, unknown>[] = []
  return {
    file: { path: video.path, sizeBytes: video.bytes.length, contentType: 'video/mp4' },
    caption: 'Three knife tricks in 30 seconds\nSave it for later #cooking',
    tags: ['cooking', 'knife'],
    privacy: 'public',
    options: {},
    onPending: async (pending) => { saved.push(pending) },
    saved,
    ...extra,
  }
}

/** The PlatformError a call failed with, after checking that no token or secret is anywhere in it. */
async function failure(promise: Promise<unknown>): Promise<PlatformError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught)
  expect(error).toBeInstanceOf(PlatformError)
  const everything = `${(error as Error).message} ${JSON.stringify(error)} ${JSON.stringify((error as PlatformError).details)} ${String((error as Error).stack)}`
  for (const secret of [CLIENT.secret, ...given.filter(Boolean)]) expect(everything).not.toContain(secret)
  return error as PlatformError
}

const pendingOf = (outcome: PublishOutcome) => outcome.state === 'processing' ? outcome.pending : {}
const chunkRanges = () => fake.server.requests.filter(request => request.endpoint === 'upload.chunk').map(request => String(request.headers['content-range']))

describe('connecting a YouTube channel', () => {
  it('sends the creator to Google\'s consent page with offline access, PKCE and the scopes, and exchanges the code', async () => {
    const url = new URL(connector.authorizeUrl(app, { state: 'state-1', codeChallenge: 'challenge-1' }))
    expect(url.pathname).toBe('/accounts.google.com/o/oauth2/v2/auth')
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: CLIENT.id, redirect_uri: CLIENT.redirectUri, response_type: 'code', access_type: 'offline', prompt: 'consent',
      include_granted_scopes: 'true', state: 'state-1', code_challenge: 'challenge-1', code_challenge_method: 'S256',
    })
    expect(url.searchParams.get('scope')!.split(' ')).toEqual(expect.arrayContaining([
      'https://www.googleapis.com/auth/youtube.upload', 'https://www.googleapis.com/auth/youtube.readonly', 'https://www.googleapis.com/auth/yt-analytics.readonly',
    ]))
    expect(connector.usesPkce).toBe(true)

    const tokens = await connect()
    expect(tokens.accessToken).toMatch(/^ya29\./)
    expect(tokens.refreshToken).toMatch(/^1\/\//)
    expect(tokens.scopes).toContain('https://www.googleapis.com/auth/youtube.upload')
    // From expires_in (3599 s), never a guess.
    expect(tokens.expiresAt!.getTime() - Date.now()).toBeGreaterThan(3500_000)
    expect(tokens.expiresAt!.getTime() - Date.now()).toBeLessThanOrEqual(3599_000)
  })

  it('refuses a code exchanged with the wrong PKCE verifier (invalid_grant: connect again)', async () => {
    const consent = await fetch(connector.authorizeUrl(app, { state: 's', codeChallenge: await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier()) }), { redirect: 'manual' })
    const code = new URL(consent.headers.get('location')!).searchParams.get('code')!
    given.push(code)
    const error = await failure(connector.exchangeCode(app, { code, codeVerifier: oauth.generateRandomCodeVerifier() }))
    expect(error.details).toMatchObject({ status: 400, code: 'invalid_grant' })
    expect(connector.classifyError(error)).toEqual({ action: 'disconnect' })
  })

  it('lists the channels the login owns: one, several, or none (create a channel first)', async () => {
    const tokens = await connect()
    expect(await connector.accounts(app, tokens)).toEqual([expect.objectContaining({
      externalId: 'UCfake0channel0main00001', displayName: 'Main Kitchen', handle: '@mainkitchen', tokens, metadata: { channelId: 'UCfake0channel0main00001' },
    })])
    fake.setChannels([{ id: 'UCfirst', title: 'First' }, { id: 'UCsecond', title: 'Second' }])
    expect((await connector.accounts(app, tokens)).map(channel => channel.externalId)).toEqual(['UCfirst', 'UCsecond'])
    fake.setChannels([])
    const error = await failure(connector.accounts(app, tokens))
    expect(error.message).toMatch(/create a channel/i)
    expect(error.details.code).toBe('youtubeSignupRequired')
    expect(connector.classifyError(error)).toEqual({ action: 'disconnect' })
  })

  it('refreshes: a reply without a refresh token leaves it undefined (the store keeps the old one), a new one is handed on', async () => {
    const tokens = await connect()
    fake.expireAccessTokens()
    const expired = await failure(connector.accounts(app, tokens))
    expect(expired.details.status).toBe(401)
    expect(connector.classifyError(expired)).toEqual({ action: 'refresh' })

    const refreshed = await connector.refresh(app, tokens)
    given.push(refreshed.accessToken)
    expect(refreshed.refreshToken).toBeUndefined()
    expect(refreshed.accessToken).not.toBe(tokens.accessToken)
    expect(await connector.accounts(app, refreshed)).toHaveLength(1)

    fake.script.refreshRotates = true
    const rotated = await connector.refresh(app, tokens)
    given.push(rotated.accessToken, rotated.refreshToken ?? '')
    expect(rotated.refreshToken).toMatch(/^1\/\//)
    expect(rotated.refreshToken).not.toBe(tokens.refreshToken)
  })

  it('disconnects when the refresh itself is refused with invalid_grant (access revoked in the Google account)', async () => {
    const tokens = await connect()
    fake.revokeRefreshTokens()
    const error = await failure(connector.refresh(app, tokens))
    expect(error.details).toMatchObject({ status: 400, code: 'invalid_grant' })
    expect(error.message).toMatch(/reconnect/i)
    expect(connector.classifyError(error)).toEqual({ action: 'disconnect' })
  })

  it('revokes the refresh token (its access tokens end too); revoking again is not an error', async () => {
    const tokens = await connect()
    await connector.revoke(app, tokens)
    expect(fake.server.count('revoke')).toBe(1)
    expect(connector.classifyError(await failure(connector.accounts(app, tokens)))).toEqual({ action: 'refresh' })
    expect((await failure(connector.refresh(app, tokens))).details.code).toBe('invalid_grant')
    await connector.revoke(app, tokens)
  })

  it('sends nothing to a plain-http address that is not this machine', async () => {
    const error = await failure(connector.exchangeCode({ ...app, baseUrl: 'http://youtube-stand-in.example' }, { code: 'x', codeVerifier: 'y' }))
    expect(error.details.code).toBe('insecureUrl')
    expect(fake.server.count('token')).toBe(0)
  })
})

describe('publishing a Short', () => {
  it('uploads in 256 KiB chunks through one resumable session, stores the session at once, then polls processing', async () => {
    const tokens = await connect()
    const request = publishRequest({ title: `${'Knife tricks '.repeat(10)}end` })
    const sent: number[] = []
    const outcome = await connector.publish(account(tokens), { ...request, onProgress: bytes => sent.push(bytes) })

    expect(outcome.state).toBe('processing')
    const [made] = fake.videos()
    expect(fake.videos()).toHaveLength(1)
    expect(outcome).toEqual({ state: 'processing', pending: { videoId: made!.id, requestedPrivacy: 'public', privacyStatus: 'public' } })
    expect(made!.bytes.equals(video.bytes)).toBe(true)
    const total = video.bytes.length
    expect(chunkRanges()).toEqual([`bytes 0-${CHUNK - 1}/${total}`, `bytes ${CHUNK}-${2 * CHUNK - 1}/${total}`, `bytes ${2 * CHUNK}-${total - 1}/${total}`])
    expect(sent).toEqual([CHUNK, 2 * CHUNK, total])
    // The session URI was handed on before any byte went, so a retry can go on in it.
    expect(request.saved[0]).toEqual({ sessionUri: expect.stringContaining('upload_id='), requestedPrivacy: 'public' })
    expect(request.saved[1]).toEqual({ videoId: made!.id, requestedPrivacy: 'public' })
    expect(made!.resource).toEqual({
      snippet: { title: expect.any(String), description: request.caption, tags: ['cooking', 'knife'], categoryId: '22' },
      status: { privacyStatus: 'public', selfDeclaredMadeForKids: false },
    })
    expect([...made!.resource.snippet!.title as string]).toHaveLength(100)
    const start = fake.server.requests.find(entry => entry.endpoint === 'videos.insert')!
    expect(start.headers).toMatchObject({ 'x-upload-content-length': String(total), 'x-upload-content-type': 'video/mp4' })

    expect(await connector.checkStatus(account(tokens), pendingOf(outcome))).toMatchObject({ state: 'processing', detail: expect.stringMatching(/4 of 10/) })
    expect(await connector.checkStatus(account(tokens), pendingOf(outcome))).toEqual({
      state: 'published', externalId: made!.id, permalink: `https://www.youtube.com/shorts/${made!.id}`,
    })
  })

  it('titles the video from the caption\'s first line when it has no title', async () => {
    const tokens = await connect()
    await connector.publish(account(tokens), publishRequest())
    expect(fake.videos()[0]!.resource.snippet!.title).toBe('Three knife tricks in 30 seconds')
  })

  it('goes on in the same session after the connection drops mid-chunk: one video, every byte once', async () => {
    const tokens = await connect()
    fake.script.dropNextChunkAfter = 100_000
    const outcome = await connector.publish(account(tokens), publishRequest())
    expect(outcome.state).toBe('processing')
    expect(fake.videos()).toHaveLength(1)
    expect(fake.videos()[0]!.bytes.equals(video.bytes)).toBe(true)
    expect(fake.server.count('videos.insert')).toBe(1)
    // The drop, the question "how far?", then on from the byte after the last one kept.
    expect(chunkRanges()).toContain(`bytes */${video.bytes.length}`)
    expect(chunkRanges()).toContain(`bytes 100000-${100_000 + CHUNK - 1}/${video.bytes.length}`)
  })

  it('a retry resumes from the stored session URI after a 503 mid-upload, without a second video', async () => {
    const tokens = await connect()
    const first = publishRequest()
    fake.server.failNext('upload.chunk', { status: 503, body: 'Service Unavailable' })
    const error = await failure(connector.publish(account(tokens), first))
    expect(connector.classifyError(error)).toMatchObject({ action: 'retry' })
    expect(fake.videos()).toHaveLength(0)

    const pending = first.saved.at(-1)!
    const before = fake.server.requests.length
    const outcome = await connector.publish(account(tokens), publishRequest({ pending }))
    expect(outcome.state).toBe('processing')
    expect(fake.server.requests[before]).toMatchObject({ endpoint: 'upload.chunk', headers: expect.objectContaining({ 'content-range': `bytes */${video.bytes.length}` }) })
    expect(fake.server.count('videos.insert')).toBe(1)
    expect(fake.videos()).toHaveLength(1)
    expect(fake.videos()[0]!.bytes.equals(video.bytes)).toBe(true)
  })

  it('a retry after the upload finished only checks status: no upload at all', async () => {
    const tokens = await connect()
    const first = publishRequest()
    await connector.publish(account(tokens), first)
    const count = fake.server.requests.length
    const again = await connector.publish(account(tokens), publishRequest({ pending: first.saved.at(-1) }))
    expect(again).toEqual({ state: 'processing', pending: { videoId: fake.videos()[0]!.id, requestedPrivacy: 'public' } })
    expect(fake.server.requests.length).toBe(count)
  })

  it.each([404, 410] as const)('starts a new session when the stored one expired (%i): nothing was published, so it is safe', async (status) => {
    const tokens = await connect()
    const first = publishRequest()
    fake.server.failNext('upload.chunk', { status: 500, body: 'Backend Error' })
    await failure(connector.publish(account(tokens), first))
    fake.script.expiredStatus = status
    fake.expireSessions()
    const retry = publishRequest({ pending: first.saved.at(-1) })
    expect((await connector.publish(account(tokens), retry)).state).toBe('processing')
    expect(fake.server.count('videos.insert')).toBe(2)
    expect(fake.videos()).toHaveLength(1)
    expect(fake.videos()[0]!.bytes.equals(video.bytes)).toBe(true)
    expect(retry.saved[0]!.sessionUri).not.toBe(first.saved[0]!.sessionUri)
  })

  it.each([429, 503])('a %i on opening the session is a retry, with Retry-After when sent', async (status) => {
    const tokens = await connect()
    fake.server.failNext('videos.insert', { status, headers: { 'retry-after': '30' }, body: { error: { code: status, message: 'Try later', errors: [{ reason: 'backendError', domain: 'global' }] } } })
    const error = await failure(connector.publish(account(tokens), publishRequest()))
    expect(connector.classifyError(error)).toEqual({ action: 'retry', afterSeconds: 30 })
    expect(fake.videos()).toHaveLength(0)
  })

  it('says so when YouTube kept a public upload private (an unverified API project)', async () => {
    const tokens = await connect()
    fake.script.forcePrivate = true
    fake.script.processingPolls = 0
    const outcome = await connector.publish(account(tokens), publishRequest())
    expect(outcome).toMatchObject({ state: 'processing', notice: expect.stringMatching(/private/) })
    const status = await connector.checkStatus(account(tokens), pendingOf(outcome))
    expect(status).toMatchObject({ state: 'published', notice: expect.stringMatching(/unverified|verifies/i) })
    const capabilities = await connector.capabilities(account(tokens))
    expect(capabilities.privacyOptions).toEqual(['public', 'unlisted', 'private'])
    expect(capabilities.notices.join(' ')).toMatch(/private/)
  })

  it.each(['failed', 'terminated'] as const)('reports processing that %s as a failure with the reason', async (outcome) => {
    const tokens = await connect()
    fake.script.processingPolls = 0
    fake.script.processingOutcome = outcome
    const published = await connector.publish(account(tokens), publishRequest())
    const status = await connector.checkStatus(account(tokens), pendingOf(published))
    expect(status).toMatchObject({ state: 'failed', reason: expect.stringMatching(outcome === 'failed' ? /transcodeFailed/ : /other/) })
  })
})

const googleError = (status: number, reason: string, domain = 'youtube.quota') => ({
  status, body: { error: { code: status, message: `The request failed: ${reason}.`, errors: [{ message: reason, domain, reason }] } },
})

describe('what each refusal means', () => {
  it('quota and the channel\'s upload cap wait until midnight Pacific; rate limits wait briefly', async () => {
    const tokens = await connect()
    for (const [status, reason] of [[403, 'quotaExceeded'], [400, 'uploadLimitExceeded']] as const) {
      fake.server.failNext('videos.insert', googleError(status, reason))
      const error = await failure(connector.publish(account(tokens), publishRequest()))
      expect(error.details).toMatchObject({ status, code: reason })
      const action = connector.classifyError(error)
      expect(action).toMatchObject({ action: 'retry' })
      expect((action as { afterSeconds: number }).afterSeconds).toBeGreaterThan(0)
      expect((action as { afterSeconds: number }).afterSeconds).toBeLessThanOrEqual(25 * 3600)
      expect(error.message).toMatch(/midnight Pacific/)
    }
    fake.server.failNext('videos.list', googleError(403, 'rateLimitExceeded', 'youtube.quota'))
    expect(connector.classifyError(await failure(connector.metrics(account(tokens), ['abc'])))).toEqual({ action: 'retry', afterSeconds: 60 })
  })

  it('a creator who unticked the upload permission is refused with insufficientPermissions: reconnect', async () => {
    fake.script.grantedScopes = ['https://www.googleapis.com/auth/youtube.readonly']
    const tokens = await connect()
    expect(tokens.scopes).toEqual(['https://www.googleapis.com/auth/youtube.readonly'])
    const error = await failure(connector.publish(account(tokens), publishRequest()))
    expect(error.details).toMatchObject({ status: 403, code: 'insufficientPermissions' })
    expect(connector.classifyError(error)).toEqual({ action: 'disconnect' })
  })

  it.each(['invalidTitle', 'invalidDescription', 'mediaBodyRequired'])('%s is the creator\'s to fix', async (reason) => {
    const tokens = await connect()
    fake.server.failNext('videos.insert', googleError(400, reason, 'youtube.video'))
    const error = await failure(connector.publish(account(tokens), publishRequest()))
    expect(connector.classifyError(error)).toEqual({ action: 'bad-input' })
  })

  it('a malformed reply is a clear error, not a crash', async () => {
    const tokens = await connect()
    fake.server.failNext('videos.list', { status: 200, body: { items: [{ id: 7 }] } })
    const error = await failure(connector.metrics(account(tokens), ['abc']))
    expect(error.details.code).toBe('malformed')
    expect(error.message).toMatch(/unexpected reply/)
  })

  it('an unreachable YouTube is a retry', async () => {
    const tokens = await connect()
    await fake.close()
    const error = await failure(connector.publish(account(tokens), publishRequest()))
    expect(error.details.code).toBe('network')
    expect(connector.classifyError(error)).toMatchObject({ action: 'retry' })
    fake = await startFakeYoutube(CLIENT)
  })
})

describe('statistics', () => {
  it('reads views, likes and comments 50 ids a call; a hidden count stays undefined, a missing video gets no row', async () => {
    const tokens = await connect()
    await connector.publish(account(tokens), publishRequest())
    const template = fake.videos()[0]!
    const ids = Array.from({ length: 60 }, (_, index) => `vid${String(index).padStart(8, '0')}`)
    for (const [index, id] of ids.entries()) {
      const statistics: Record<string, string> = { viewCount: String(1000 + index), commentCount: String(index), favoriteCount: '0' }
      if (index % 2 === 0) statistics.likeCount = String(index * 3)
      fake.state.videos.set(id, { ...template, id, statistics })
    }
    const metrics = await connector.metrics(account(tokens), [...ids, 'deletedVideo'])
    expect(fake.server.count('videos.list')).toBe(2)
    expect(metrics).toHaveLength(60)
    expect(metrics.find(entry => entry.externalId === 'vid00000002')).toMatchObject({ views: 1002, likes: 6, comments: 2 })
    const hidden = metrics.find(entry => entry.externalId === 'vid00000003')!
    expect(hidden.likes).toBeUndefined()
    expect(hidden.views).toBe(1003)
  })
})

describe('the fake holds requests to Google\'s discovery document', () => {
  const get = (path: string, tokens: TokenSet) => fetch(`${fake.url}/youtube.googleapis.com${path}`, { headers: { authorization: `Bearer ${tokens.accessToken}` } })

  it('answers 400 like Google for an unknown parameter, a missing part, an unknown part and an unknown body field', async () => {
    const tokens = await connect()
    const unknown = await get('/youtube/v3/videos?part=statistics&id=abc&videoIds=abc', tokens)
    expect(unknown.status).toBe(400)
    expect(JSON.stringify(await unknown.json())).toContain('Unknown name \\"videoIds\\"')

    const missing = await get('/youtube/v3/channels?mine=true', tokens)
    expect(missing.status).toBe(400)
    expect((await missing.json() as { error: { errors: { reason: string }[] } }).error.errors[0]!.reason).toBe('missingRequiredParameter')

    const badPart = await get('/youtube/v3/videos?part=stats&id=abc', tokens)
    expect((await badPart.json() as { error: { errors: { reason: string }[] } }).error.errors[0]!.reason).toBe('unknownPart')

    const badBody = await fetch(`${fake.url}/www.googleapis.com/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status`, {
      method: 'POST',
      headers: { 'authorization': `Bearer ${tokens.accessToken}`, 'content-type': 'application/json', 'x-upload-content-length': '10', 'x-upload-content-type': 'video/mp4' },
      body: JSON.stringify({ snippet: { title: 'x', caption: 'not a field' }, status: { privacyStatus: 'public' } }),
    })
    expect(badBody.status).toBe(400)
    expect(JSON.stringify(await badBody.json())).toContain('resource.snippet.caption')

    // And what the connector sends fits: a whole publish and its status check went through above without one 400.
    expect((await get('/youtube/v3/videos?part=statistics,status&id=abc', tokens)).status).toBe(200)
  })
})
