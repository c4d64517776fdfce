// The Instagram half of the Meta fake: Instagram Login (consent page, code → short token → 60-day token, refresh),
// the profile, Reel containers, media_publish, insights and the publishing limit. A container really fetches its
// video_url with an HTTP GET, as Instagram does: an address it cannot fetch ends the container in ERROR 2207052.
import { GRAPH_VERSION } from '../../server/services/platforms/meta-graph'
import type { FakePlatformServer } from './fake-platform-server'
import { FAKE_APP, authorise, consentRedirect, formOf, metaError, newId, newToken, paramsOf, withToken, type IssuedToken } from './fake-meta-wire'

export interface FakeContainer {
  id: string
  videoUrl: string
  caption: string
  shareToFeed: string | null
  /** What the fake's GET of video_url got: its status and byte count, or the error. */
  fetched: { status?: number, bytes?: number, error?: string }
  /** What the container ends as once its IN_PROGRESS checks are used up. */
  outcome: { statusCode: 'FINISHED' | 'ERROR', status?: string }
  checksLeft: number
  published?: string
}

export interface FakeInstagramState {
  user: { userId: string, username: string, pictureUrl: string, followers: number }
  /** A Reel's lifetime insights by media id, over the fake's defaults (a test moves them on over time). */
  insights: Map<string, Record<string, number>>
  /** Media the creator deleted: every read of them gets Graph's "does not exist" (100/33). */
  deleted: Set<string>
  containers: Map<string, FakeContainer>
  /** Published Reels, newest first. */
  reels: { id: string, containerId: string, caption: string, permalink: string, timestamp: string }[]
  script: {
    /** Status checks a new container answers IN_PROGRESS before it settles; Infinity never settles. */
    inProgressChecks: number
    /** The next container fails its processing with this subcode (2207026: format). */
    containerError?: number
    /** The next media_publish publishes, and its reply is lost (502). */
    dropPublishReply?: boolean
    insights?: 'empty'
    /** What content_publishing_limit reports instead of the Reels published so far out of 50 (a limit reached elsewhere). */
    publishingLimit?: { usage: number, total: number }
  }
}

const V = `/${GRAPH_VERSION}`

export function routeInstagram(server: FakePlatformServer, tokens: Map<string, IssuedToken>): FakeInstagramState {
  const codes = new Map<string, { redirectUri: string, scopes: string[] }>()
  const state: FakeInstagramState = {
    user: { userId: newId(), username: 'cooking.with.ada', pictureUrl: 'https://scontent.cdninstagram.com/ada.jpg', followers: 1520 },
    insights: new Map(),
    deleted: new Set(),
    containers: new Map(),
    reels: [],
    script: { inProgressChecks: 1 },
  }
  const issue = (kind: IssuedToken['kind']) => {
    const token = newToken(kind === 'ig-short' ? 'IGQWshort' : 'IGAAlong')
    tokens.set(token, { kind, subject: state.user.userId })
    return token
  }
  const statusOf = (container: FakeContainer) => container.published ? { statusCode: 'PUBLISHED' } : container.checksLeft > 0 ? { statusCode: 'IN_PROGRESS' } : container.outcome

  server.route('GET', 'www.instagram.com', '/oauth/authorize', 'ig.authorize', request => consentRedirect(request, codes, '#_'))
  server.route('POST', 'api.instagram.com', '/oauth/access_token', 'ig.token', (request) => {
    const form = formOf(request)
    const grant = codes.get(form.get('code') ?? '')
    if (form.get('client_id') !== FAKE_APP.clientId || form.get('client_secret') !== FAKE_APP.clientSecret || form.get('grant_type') !== 'authorization_code'
      || !grant || grant.redirectUri !== form.get('redirect_uri')) {
      return { status: 400, body: { error_type: 'OAuthException', code: 400, error_message: 'Invalid authorization code' } }
    }
    codes.delete(form.get('code')!)
    return { status: 200, body: { data: [{ access_token: issue('ig-short'), user_id: state.user.userId, permissions: grant.scopes.join(',') }] } }
  })
  server.route('GET', 'graph.instagram.com', '/access_token', 'ig.exchange', (request) => {
    const checked = authorise(tokens, request)
    if ('reply' in checked) return checked.reply
    if (request.query.get('grant_type') !== 'ig_exchange_token' || request.query.get('client_secret') !== FAKE_APP.clientSecret || checked.issued.kind !== 'ig-short') {
      return metaError(100, 'Invalid parameter')
    }
    return { status: 200, body: { access_token: issue('ig-long'), token_type: 'bearer', expires_in: 5_183_944 } }
  })
  server.route('GET', 'graph.instagram.com', '/refresh_access_token', 'ig.refresh', (request) => {
    const checked = authorise(tokens, request)
    if ('reply' in checked) return checked.reply
    if (request.query.get('grant_type') !== 'ig_refresh_token' || checked.issued.kind !== 'ig-long') return metaError(100, 'Invalid parameter')
    return { status: 200, body: { access_token: issue('ig-long'), token_type: 'bearer', expires_in: 5_184_000 } }
  })
  const authorised = (handler: Parameters<typeof withToken>[1]) => withToken(tokens, handler)

  server.route('GET', 'graph.instagram.com', `${V}/me`, 'ig.me', authorised(() => ({
    status: 200, body: { user_id: state.user.userId, username: state.user.username, profile_picture_url: state.user.pictureUrl, id: newId() },
  })))
  // A token speaks for the account it was issued to (the fake's user, or one bench/schedule.ts adds to `tokens`).
  server.route('POST', 'graph.instagram.com', `${V}/:igId/media`, 'ig.media.create', authorised(async (request, issued) => {
    const params = paramsOf(request)
    if (request.params.igId !== issued.subject) return metaError(100, 'Unsupported post request.', { subcode: 33, type: 'GraphMethodException' })
    const videoUrl = params.get('video_url')
    if (params.get('media_type') !== 'REELS' || !videoUrl) return metaError(100, 'The parameter video_url is required')
    const container: FakeContainer = {
      id: newId(), videoUrl, caption: params.get('caption') ?? '', shareToFeed: params.get('share_to_feed'),
      fetched: {}, outcome: { statusCode: 'FINISHED' }, checksLeft: state.script.inProgressChecks,
    }
    // Instagram pulls the file itself: a URL it cannot fetch fails the container, not this request.
    try {
      const response = await fetch(videoUrl, { signal: AbortSignal.timeout(10_000) })
      const bytes = (await response.arrayBuffer()).byteLength
      container.fetched = { status: response.status, bytes }
      if (!response.ok || bytes === 0) container.outcome = { statusCode: 'ERROR', status: 'Error: Media download has failed. 2207052' }
    }
    catch (error) {
      container.fetched = { error: (error as Error).message }
      container.outcome = { statusCode: 'ERROR', status: 'Error: Media download has failed. 2207052' }
    }
    if (state.script.containerError && container.outcome.statusCode === 'FINISHED') {
      container.outcome = { statusCode: 'ERROR', status: `Error: ${state.script.containerError}` }
      state.script.containerError = undefined
    }
    state.containers.set(container.id, container)
    return { status: 200, body: { id: container.id } }
  }))
  server.route('POST', 'graph.instagram.com', `${V}/:igId/media_publish`, 'ig.media_publish', authorised((request) => {
    const container = state.containers.get(paramsOf(request).get('creation_id') ?? '')
    if (!container) return metaError(100, 'Invalid parameter', { subcode: 2207001 })
    if (statusOf(container).statusCode !== 'FINISHED') return metaError(9007, 'Media ID is not available', { subcode: 2207027 })
    const reel = { id: newId(), containerId: container.id, caption: container.caption, permalink: '', timestamp: new Date().toISOString() }
    reel.permalink = `https://www.instagram.com/reel/${reel.id.slice(-11)}/`
    state.reels.unshift(reel)
    container.published = reel.id
    if (state.script.dropPublishReply) {
      state.script.dropPublishReply = false
      return { status: 502, body: '<html><body>Bad Gateway</body></html>', headers: { 'content-type': 'text/html' } }
    }
    return { status: 200, body: { id: reel.id } }
  }))
  server.route('GET', 'graph.instagram.com', `${V}/:igId/media`, 'ig.media.list', authorised(() => ({
    status: 200, body: { data: state.reels.map(reel => ({ id: reel.id, media_product_type: 'REELS', timestamp: reel.timestamp })) },
  })))
  const gone = (id: string) => metaError(100, `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, { subcode: 33, type: 'GraphMethodException' })
  server.route('GET', 'graph.instagram.com', `${V}/:mediaId/insights`, 'ig.insights', authorised((request) => {
    if (state.deleted.has(request.params.mediaId!)) return gone(request.params.mediaId!)
    if (state.script.insights === 'empty') return { status: 200, body: { data: [] } }
    const values: Record<string, number> = { views: 1200, reach: 900, likes: 80, comments: 12, shares: 9, saved: 15, total_interactions: 116, ig_reels_avg_watch_time: 7400, ig_reels_video_view_total_time: 8_880_000, ...state.insights.get(request.params.mediaId!) }
    const names = (request.query.get('metric') ?? '').split(',')
    const unknown = names.find(name => !(name in values))
    if (unknown) return metaError(100, `(#100) metric[0] must be one of the following values: ${Object.keys(values).join(', ')}`)
    return { status: 200, body: { data: names.map(name => ({ name, period: 'lifetime', values: [{ value: values[name] }], id: `${request.params.mediaId}/insights/${name}/lifetime` })) } }
  }))
  server.route('GET', 'graph.instagram.com', `${V}/:igId/content_publishing_limit`, 'ig.limit', authorised(() => ({
    status: 200, body: { data: [{ quota_usage: state.script.publishingLimit?.usage ?? state.reels.length, config: { quota_total: state.script.publishingLimit?.total ?? 50, quota_duration: 86_400 } }] },
  })))
  server.route('GET', 'graph.instagram.com', `${V}/:id`, 'ig.node', authorised((request, issued) => {
    if (state.deleted.has(request.params.id!)) return gone(request.params.id!)
    // The IG user node: the fields asked for, of those the fake knows.
    if (request.params.id === issued.subject && request.params.id !== undefined && !state.containers.has(request.params.id)) {
      const known: Record<string, unknown> = { id: request.params.id, username: state.user.username, followers_count: state.user.followers, media_count: state.reels.length }
      const fields = (request.query.get('fields') ?? 'id').split(',')
      return { status: 200, body: Object.fromEntries(fields.filter(field => field in known).map(field => [field, known[field]])) }
    }
    const container = state.containers.get(request.params.id!)
    if (container) {
      const status = statusOf(container)
      if (status.statusCode === 'IN_PROGRESS') container.checksLeft--
      return { status: 200, body: { status_code: status.statusCode, ...('status' in status && status.status ? { status: status.status } : {}), id: container.id } }
    }
    const reel = state.reels.find(candidate => candidate.id === request.params.id)
    if (reel) return { status: 200, body: { id: reel.id, permalink: reel.permalink } }
    return metaError(100, 'Unsupported get request. Object does not exist.', { subcode: 33, type: 'GraphMethodException' })
  }))
  return state
}
