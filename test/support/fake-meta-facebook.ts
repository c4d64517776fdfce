// The Facebook half of the Meta fake: Facebook Login (dialog, code → short token → fb_exchange_token), granted
// permissions and their revocation, the creator's Pages with Page tokens and tasks, and Reels on a Page: start, the
// byte upload to rupload.facebook.com (checked against `offset` and `file_size`), finish, the video's phased status
// and its insights.
import { GRAPH_VERSION } from '../../server/services/platforms/meta-graph'
import type { FakePlatformServer, FakeRequest } from './fake-platform-server'
import { FAKE_APP, consentRedirect, metaError, newId, newToken, paramsOf, withToken, type IssuedToken } from './fake-meta-wire'

export interface FakeVideo {
  id: string
  pageId: string
  /** The bytes rupload received, once they have all arrived. */
  uploaded?: Buffer
  finished: number
  description?: string
  checksLeft: number
  error?: string
}

export interface FakeFacebookState {
  userId: string
  scopes: string[]
  pages: { id: string, name: string, tasks: string[], token: string, followers?: number }[]
  videos: Map<string, FakeVideo>
  /** A Reel's insights by video id, over the fake's defaults (a test moves them on over time). */
  insights: Map<string, Record<string, unknown>>
  /** Videos the Page deleted: every read of them gets Graph's "does not exist" (100/33). */
  deleted: Set<string>
  script: {
    /** Status checks a finished Reel answers "processing" before it is published. */
    processingChecks: number
    /** The next Reel fails its processing with this message. */
    videoError?: string
  }
}

const V = `/${GRAPH_VERSION}`

export function routeFacebook(server: FakePlatformServer, tokens: Map<string, IssuedToken>): FakeFacebookState {
  const codes = new Map<string, { redirectUri: string, scopes: string[] }>()
  const state: FakeFacebookState = { userId: newId(), scopes: [], pages: [], videos: new Map(), insights: new Map(), deleted: new Set(), script: { processingChecks: 1 } }
  for (const [name, tasks] of [['Ada Cooks', ['ANALYZE', 'ADVERTISE', 'CREATE_CONTENT', 'MODERATE', 'MANAGE']], ['Ada Fan Club', ['ANALYZE']]] as const) {
    const page = { id: newId(), name, tasks: [...tasks], token: newToken('EAAGpage'), followers: 860 }
    tokens.set(page.token, { kind: 'fb-page', subject: page.id })
    state.pages.push(page)
  }
  const issue = (kind: IssuedToken['kind']) => {
    const token = newToken(kind === 'fb-short' ? 'EAAGshort' : 'EAAGlong')
    tokens.set(token, { kind, subject: state.userId })
    return token
  }
  const authorised = (handler: (request: FakeRequest, issued: IssuedToken) => ReturnType<Parameters<typeof withToken>[1]>) => withToken(tokens, handler)

  server.route('GET', 'www.facebook.com', `${V}/dialog/oauth`, 'fb.dialog', request => consentRedirect(request, codes))
  server.route('GET', 'graph.facebook.com', `${V}/oauth/access_token`, 'fb.token', (request) => {
    const params = request.query
    if (params.get('client_id') !== FAKE_APP.clientId || params.get('client_secret') !== FAKE_APP.clientSecret) return metaError(1, 'Error validating client secret.')
    if (params.get('grant_type') === 'fb_exchange_token') {
      const issued = tokens.get(params.get('fb_exchange_token') ?? '')
      if (!issued || issued.revoked) return metaError(190, 'Invalid OAuth access token - Cannot parse access token')
      if (issued.expired) return metaError(190, 'Error validating access token: Session has expired.', { subcode: 463 })
      return { status: 200, body: { access_token: issue('fb-long'), token_type: 'bearer', expires_in: 5_183_944 } }
    }
    const grant = codes.get(params.get('code') ?? '')
    if (!grant || grant.redirectUri !== params.get('redirect_uri')) return metaError(100, 'Invalid verification code format.', { subcode: 36007 })
    codes.delete(params.get('code')!)
    state.scopes = grant.scopes
    return { status: 200, body: { access_token: issue('fb-short'), token_type: 'bearer', expires_in: 5400 } }
  })
  server.route('GET', 'graph.facebook.com', `${V}/me/permissions`, 'fb.permissions', authorised(() => ({
    status: 200, body: { data: [...state.scopes.map(permission => ({ permission, status: 'granted' })), { permission: 'public_profile', status: 'granted' }] },
  })))
  server.route('DELETE', 'graph.facebook.com', `${V}/me/permissions`, 'fb.revoke', authorised(() => {
    for (const issued of tokens.values()) issued.revoked = true
    return { status: 200, body: { success: true } }
  }))
  server.route('GET', 'graph.facebook.com', `${V}/me/accounts`, 'fb.accounts', authorised((_request, issued) => {
    if (issued.kind === 'fb-page') return metaError(100, 'Tried accessing nonexisting field (accounts) on node type (Page)')
    return {
      status: 200,
      body: { data: state.pages.map(page => ({ id: page.id, name: page.name, access_token: page.token, tasks: page.tasks, picture: { data: { url: `https://scontent.xx.fbcdn.net/${page.id}.jpg` } } })), paging: { cursors: { before: 'QVFI', after: 'QVFJ' } } },
    }
  }))
  server.route('POST', 'graph.facebook.com', `${V}/:pageId/video_reels`, 'fb.reels', authorised((request, issued) => {
    if (issued.kind !== 'fb-page' || issued.subject !== request.params.pageId) return metaError(200, '(#200) Permissions error')
    const params = paramsOf(request)
    if (params.get('upload_phase') === 'start') {
      const video: FakeVideo = { id: newId(), pageId: issued.subject, finished: 0, checksLeft: state.script.processingChecks }
      state.videos.set(video.id, video)
      return { status: 200, body: { video_id: video.id, upload_url: `https://rupload.facebook.com/video-upload/${GRAPH_VERSION}/${video.id}` } }
    }
    const video = state.videos.get(params.get('video_id') ?? '')
    if (params.get('upload_phase') !== 'finish' || !video || params.get('video_state') !== 'PUBLISHED') return metaError(100, 'Invalid parameter')
    if (!video.uploaded) return metaError(6000, 'There was a problem uploading your video file. Please try again.', { subcode: 1363130 })
    video.finished++
    video.description = params.get('description') ?? ''
    if (state.script.videoError) {
      video.error = state.script.videoError
      state.script.videoError = undefined
    }
    return { status: 200, body: { success: true } }
  }))
  server.route('POST', 'rupload.facebook.com', `/video-upload${V}/:videoId`, 'fb.rupload', withToken(tokens, (request, issued) => {
    const video = state.videos.get(request.params.videoId!)
    if (!video || issued.subject !== video.pageId) return metaError(100, 'Invalid video id')
    if (request.headers.offset !== '0' || Number(request.headers.file_size) !== request.body.length) return metaError(100, 'The offset or file_size does not match the bytes sent')
    video.uploaded = request.body
    return { status: 200, body: { success: true } }
  }, 'OAuth'))
  const gone = (id: string) => metaError(100, `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, { subcode: 33, type: 'GraphMethodException' })
  server.route('GET', 'graph.facebook.com', `${V}/:videoId/video_insights`, 'fb.insights', authorised(request => state.deleted.has(request.params.videoId!)
    ? gone(request.params.videoId!)
    : {
        status: 200,
        body: {
          data: (request.query.get('metric') ?? '').split(',').map((name) => {
            const values: Record<string, unknown> = { blue_reels_play_count: 640, fb_reels_total_plays: 910, post_video_avg_time_watched: 6200, post_video_view_time: 3_968_000, post_video_social_actions: { SHARE: 7, COMMENT: 11 }, ...state.insights.get(request.params.videoId!) }
            return { name, period: 'lifetime', values: [{ value: values[name] }], id: `${request.params.videoId}/video_insights/${name}/lifetime` }
          }),
        },
      }))
  server.route('GET', 'graph.facebook.com', `${V}/:videoId`, 'fb.node', authorised((request, issued) => {
    if (state.deleted.has(request.params.videoId!)) return gone(request.params.videoId!)
    // A Page node, read with its own Page token: the fields asked for, of those the fake knows.
    const page = state.pages.find(candidate => candidate.id === request.params.videoId)
    if (page && issued.subject === page.id) {
      const known: Record<string, unknown> = { id: page.id, name: page.name, followers_count: page.followers ?? 0, fan_count: page.followers ?? 0 }
      const fields = (request.query.get('fields') ?? 'id,name').split(',')
      return { status: 200, body: Object.fromEntries(fields.filter(field => field in known).map(field => [field, known[field]])) }
    }
    const video = state.videos.get(request.params.videoId!)
    if (!video) return metaError(100, 'Unsupported get request. Object does not exist.', { subcode: 33, type: 'GraphMethodException' })
    const uploading = { status: video.uploaded ? 'complete' : 'not_started' }
    let status: Record<string, unknown> = { video_status: video.uploaded ? 'upload_complete' : 'processing', uploading_phase: uploading, processing_phase: { status: 'not_started' }, publishing_phase: { status: 'not_started' } }
    if (video.finished && video.error) {
      status = { video_status: 'error', uploading_phase: uploading, processing_phase: { status: 'error', errors: [{ code: 1363008, message: video.error }] }, publishing_phase: { status: 'not_started' } }
    }
    else if (video.finished && video.checksLeft > 0) {
      video.checksLeft--
      status = { video_status: 'processing', uploading_phase: uploading, processing_phase: { status: 'in_progress' }, publishing_phase: { status: 'not_started' } }
    }
    else if (video.finished) {
      status = { video_status: 'ready', uploading_phase: uploading, processing_phase: { status: 'complete' }, publishing_phase: { status: 'complete', publish_status: 'published', publish_time: Math.floor(Date.now() / 1000) } }
    }
    return { status: 200, body: { status, id: video.id } }
  }))
  return state
}
