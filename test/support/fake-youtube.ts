// A loopback YouTube for the connector's tests, on the shared fake platform server: Google's OAuth (fake-youtube-oauth),
// the resumable upload (fake-youtube-upload), channels.list and videos.list. Every Data API request is checked against
// Google's discovery document first (fake-youtube-discovery) and refused with Google's 400 when it does not fit.
// Tests bend it through `script` (rotating refresh tokens, private uploads, processing outcomes, a dropped chunk,
// how an expired session answers) and the helpers below; `failNext` scripts a single reply (429, 503...).
import { randomBytes } from 'node:crypto'
import { startFakePlatformServer, type FakePlatformServer, type FakeReply, type FakeRequest } from './fake-platform-server'
import { checkAgainstDiscovery } from './fake-youtube-discovery'
import { routeGoogleOauth } from './fake-youtube-oauth'
import { newFakeYoutubeState, type FakeChannel, type FakeVideo, type FakeYoutubeScript, type FakeYoutubeState } from './fake-youtube-state'
import { routeResumableUpload } from './fake-youtube-upload'

export interface FakeYoutube {
  server: FakePlatformServer
  url: string
  state: FakeYoutubeState
  script: FakeYoutubeScript
  /** The channels the signed-in Google account owns (none: it never made one). */
  setChannels: (channels: FakeChannel[]) => void
  /** Videos made from complete uploads: a double upload shows here. */
  videos: () => FakeVideo[]
  /** Every access token given so far stops working (401), as an hour later. */
  expireAccessTokens: () => void
  /** Every refresh token is revoked (the creator removed the app's access in their Google account). */
  revokeRefreshTokens: () => void
  /** Open upload sessions end (YouTube drops them after about a week). */
  expireSessions: () => void
  /** A published video of the first channel, as if uploaded earlier, with its counts; returns its id. */
  addVideo: (statistics?: Partial<Record<'viewCount' | 'likeCount' | 'commentCount', number>>) => string
  /** A video's counts move on (views over time); a count not given stays. */
  setStatistics: (videoId: string, statistics: Partial<Record<'viewCount' | 'likeCount' | 'commentCount', number>>) => void
  /** The creator deletes a video: videos.list leaves it out from now on. */
  deleteVideo: (videoId: string) => void
  close: () => Promise<void>
}

const unauthenticated: FakeReply = {
  status: 401,
  headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
  body: { error: { code: 401, message: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.', errors: [{ message: 'Invalid Credentials', domain: 'global', reason: 'authError', location: 'Authorization', locationType: 'header' }], status: 'UNAUTHENTICATED' } },
}

/** The channel a request's token acts for, or Google's 401/403. */
function authorise(state: FakeYoutubeState, request: FakeRequest, needs: string[]): FakeReply | { channelId: string } {
  const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1]
  const grant = bearer ? state.accessTokens.get(bearer) : undefined
  if (!grant || grant.expired) return unauthenticated
  const scopes = grant.scope.split(' ')
  if (!needs.some(scope => scopes.includes(`https://www.googleapis.com/auth/${scope}`))) {
    return { status: 403, body: { error: { code: 403, message: 'Request had insufficient authentication scopes.', errors: [{ message: 'Insufficient Permission', domain: 'global', reason: 'insufficientPermissions' }], status: 'PERMISSION_DENIED' } } }
  }
  const channel = state.channels[0]
  if (!channel) return { status: 401, body: { error: { code: 401, message: 'Unauthorized', errors: [{ message: 'Unauthorized', domain: 'youtube.header', reason: 'youtubeSignupRequired', location: 'Authorization', locationType: 'header' }] } } }
  return { channelId: channel.id }
}

const listReply = (kind: string, items: unknown[]): FakeReply => ({
  status: 200,
  body: { kind: `youtube#${kind}ListResponse`, etag: 'fake-etag', pageInfo: { totalResults: items.length, resultsPerPage: items.length }, items },
})
const partsOf = (request: FakeRequest) => new Set(request.query.getAll('part').flatMap(value => value.split(',')))

function channelsList(state: FakeYoutubeState, request: FakeRequest): FakeReply {
  const refused = checkAgainstDiscovery('youtube.channels.list', request)
  if (refused) return refused
  const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1]
  const grant = bearer ? state.accessTokens.get(bearer) : undefined
  if (!grant || grant.expired) return unauthenticated
  const ids = request.query.getAll('id').flatMap(value => value.split(','))
  if (request.query.get('mine') !== 'true' && !ids.length) return { status: 400, body: { error: { code: 400, message: 'This fake lists only mine=true or by id.' } } }
  const parts = partsOf(request)
  // A login with no channel lists none, and an id it does not own is left out: neither is an error on channels.list.
  const channels = ids.length ? state.channels.filter(channel => ids.includes(channel.id)) : state.channels
  return listReply('channel', channels.map(channel => ({
    kind: 'youtube#channel', etag: 'fake-etag', id: channel.id,
    ...(parts.has('snippet') ? { snippet: { title: channel.title, customUrl: channel.customUrl, thumbnails: { default: { url: `https://yt3.ggpht.com/${channel.id}=s88`, width: 88, height: 88 } } } } : {}),
    ...(parts.has('statistics')
      ? { statistics: { viewCount: '48210', ...(channel.hiddenSubscriberCount ? {} : { subscriberCount: String(channel.subscriberCount ?? 0) }), hiddenSubscriberCount: Boolean(channel.hiddenSubscriberCount), videoCount: String(state.videos.size) } }
      : {}),
  })))
}

function processing(video: FakeVideo) {
  if (video.pollsLeft > 0) {
    video.pollsLeft--
    return { processingStatus: 'processing', processingProgress: { partsTotal: '10', partsProcessed: '4' } }
  }
  if (video.outcome === 'succeeded') return { processingStatus: 'succeeded' }
  return { processingStatus: video.outcome, processingFailureReason: video.outcome === 'failed' ? 'transcodeFailed' : 'other' }
}

function videosList(state: FakeYoutubeState, request: FakeRequest): FakeReply {
  const refused = checkAgainstDiscovery('youtube.videos.list', request)
  if (refused) return refused
  const caller = authorise(state, request, ['youtube.readonly', 'youtube', 'youtube.force-ssl'])
  if ('status' in caller) return caller
  const ids = request.query.getAll('id').flatMap(value => value.split(','))
  const parts = partsOf(request)
  const items = ids.flatMap((id) => {
    const video = state.videos.get(id)
    if (!video) return []
    const done = video.pollsLeft === 0 && video.outcome === 'succeeded'
    return [{
      kind: 'youtube#video', etag: 'fake-etag', id,
      ...(parts.has('status') ? { status: { uploadStatus: done ? 'processed' : 'uploaded', privacyStatus: video.privacyStatus, selfDeclaredMadeForKids: false } } : {}),
      ...(parts.has('processingDetails') ? { processingDetails: processing(video) } : {}),
      ...(parts.has('statistics') ? { statistics: video.statistics } : {}),
    }]
  })
  return listReply('video', items)
}

export async function startFakeYoutube(client: FakeYoutubeState['client']): Promise<FakeYoutube> {
  const server = await startFakePlatformServer()
  const state = newFakeYoutubeState(client)
  // Counts go out as the API sends them: decimal strings.
  const setStatistics = (videoId: string, statistics: Partial<Record<string, number>>) => {
    const video = state.videos.get(videoId)
    if (!video) throw new Error(`The fake YouTube has no video ${videoId}`)
    for (const [key, value] of Object.entries(statistics)) if (value !== undefined) video.statistics[key] = String(value)
  }
  routeGoogleOauth(server, state)
  routeResumableUpload(server, state, request => authorise(state, request, ['youtube.upload', 'youtube', 'youtube.force-ssl']))
  server.route('GET', 'youtube.googleapis.com', '/youtube/v3/channels', 'channels.list', request => channelsList(state, request))
  server.route('GET', 'youtube.googleapis.com', '/youtube/v3/videos', 'videos.list', request => videosList(state, request))
  // The Shorts page a permalink opens (a browser test routes www.youtube.com here): the video's title, or YouTube's 404.
  server.route('GET', 'www.youtube.com', '/shorts/:id', 'shorts.page', (request) => {
    const video = state.videos.get(request.params.id!)
    const title = String(video?.resource.snippet?.title ?? '').replace(/[<>&"]/g, '')
    return video
      ? { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: `<!doctype html><title>${title} - YouTube</title><h1>${title}</h1><p>Shorts · ${video.privacyStatus}</p>` }
      : { status: 404, headers: { 'content-type': 'text/html' }, body: '<!doctype html><title>404 Not Found</title><p>This video isn\'t available anymore</p>' }
  })
  return {
    server,
    url: server.url,
    state,
    script: state.script,
    setChannels: (channels) => { state.channels = channels },
    videos: () => [...state.videos.values()],
    expireAccessTokens: () => state.accessTokens.forEach(grant => grant.expired = true),
    revokeRefreshTokens: () => state.refreshTokens.forEach(grant => grant.revoked = true),
    expireSessions: () => state.sessions.forEach(session => session.expired = true),
    addVideo(statistics = {}) {
      const id = randomBytes(8).toString('base64url').slice(0, 11)
      state.videos.set(id, {
        id, channelId: state.channels[0]!.id, resource: { snippet: { title: 'An earlier Short' } }, privacyStatus: 'public', bytes: Buffer.alloc(0),
        contentType: 'video/mp4', pollsLeft: 0, outcome: 'succeeded', statistics: {},
      })
      setStatistics(id, { viewCount: 0, likeCount: 0, commentCount: 0, ...statistics })
      return id
    },
    setStatistics: (videoId, statistics) => setStatistics(videoId, statistics),
    deleteVideo: videoId => void state.videos.delete(videoId),
    close: () => server.close(),
  }
}
