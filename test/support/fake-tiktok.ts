// A loopback TikTok for the connector tests, on the shared fake platform server: the authorize page, the token
// endpoint (client_key, not client_id; the refresh token ROTATES: each refresh issues a new one and kills the old),
// revoke, user info, and the Content Posting API in fake-tiktok-posting.ts. Errors use TikTok's shapes: OAuth
// `{error, error_description, log_id}`, the API's `{data, error:{code,message,log_id}}`.
import { randomBytes } from 'node:crypto'
import { formOf, startFakePlatformServer, type FakePlatformServer, type FakeReply, type FakeRequest } from './fake-platform-server'
import { apiError, logId, routePosting, type FakePublish, type FakeVideoNumbers } from './fake-tiktok-posting'
import { noteIssuedSecret } from './secret-scan'

export interface FakeTiktokOptions {
  clientKey: string
  clientSecret: string
  redirectUri: string
  /** An app TikTok has audited may post publicly; an unaudited one is offered SELF_ONLY alone. */
  audited: boolean
  /** Status checks after the upload ends that still answer PROCESSING_UPLOAD (N). */
  processingPolls: number
  /** Further checks that answer PUBLISH_COMPLETE without a post id, as during moderation (M). */
  moderationPolls: number
  /** Every post fails with this fail_reason once uploaded. */
  failReason?: string
  /** Posts land in the creator's inbox (SEND_TO_USER_INBOX) instead of being published. */
  toInbox: boolean
  maxDurationSeconds: number
  /** The window of the 6 post inits a token may make (TikTok's minute; a bench whose waits run faster shrinks it too). */
  initWindowMs: number
  /** The creator's follower_count (user info, scope user.info.stats). */
  followers: number
}

interface Grant { openId: string, scopes: string[] }

export interface FakeTiktok {
  server: FakePlatformServer
  url: string
  options: FakeTiktokOptions
  /** Uploads TikTok received whole, which it posts (none while `failReason` is set). A double post shows here. */
  readonly posts: number
  publishes: Map<string, FakePublish>
  /** Set a published video's counts over time, or delete it (the video query leaves it out). */
  videoNumbers: FakeVideoNumbers
  /** The next upload's chunk at this index is taken and never answered, as a dropped connection. */
  dropUploadAt: (chunkIndex: number) => void
  /** A TikTok API error reply, for `server.failNext`. */
  apiError: (status: number, code: string, message?: string) => FakeReply
  /** Whether a refresh token would still be accepted. */
  refreshTokenValid: (token: string) => boolean
  close: () => Promise<void>
}

const token = (prefix: string) => noteIssuedSecret(`${prefix}.${randomBytes(18).toString('base64url')}`)
const oauthError = (error: string, description: string): FakeReply => ({ status: 400, body: { error, error_description: description, log_id: logId() } })

export async function startFakeTiktok(overrides: Partial<FakeTiktokOptions> = {}): Promise<FakeTiktok> {
  const server = await startFakePlatformServer()
  const options: FakeTiktokOptions = {
    clientKey: 'aw-test-client-key',
    clientSecret: 'test-client-secret',
    redirectUri: 'https://app.reelwise.test/api/oauth/tiktok/callback',
    audited: true,
    processingPolls: 1,
    moderationPolls: 1,
    toInbox: false,
    maxDurationSeconds: 600,
    initWindowMs: 60_000,
    followers: 3100,
    ...overrides,
  }
  const codes = new Map<string, Grant & { redirectUri: string }>()
  const accessTokens = new Map<string, Grant>()
  const refreshTokens = new Map<string, Grant>()
  const openId = `-000${randomBytes(8).toString('hex')}`

  /** The grant behind the request's bearer token, or TikTok's 401 reply. */
  const bearer = (request: FakeRequest, scope: string): Grant | FakeReply => {
    const grant = accessTokens.get(String(request.headers.authorization ?? '').replace(/^Bearer /, ''))
    if (!grant) return apiError(401, 'access_token_invalid', 'The access token is invalid or not found in the request.')
    if (!grant.scopes.includes(scope)) return apiError(401, 'scope_not_authorized', `The user did not authorize the scope required for completing this request (${scope}).`)
    return grant
  }

  const issue = (grant: Grant): FakeReply => {
    const accessToken = token('act')
    const refreshToken = token('rft')
    accessTokens.set(accessToken, grant)
    refreshTokens.set(refreshToken, grant)
    return { status: 200, body: { access_token: accessToken, expires_in: 7200, open_id: grant.openId, refresh_expires_in: 15552000, refresh_token: refreshToken, scope: grant.scopes.join(','), token_type: 'Bearer' } }
  }

  server.route('GET', 'www.tiktok.com', '/v2/auth/authorize', 'authorize', (request) => {
    const query = request.query
    if (query.get('client_key') !== options.clientKey) return { status: 400, body: 'Something went wrong: client_key' }
    if (query.get('response_type') !== 'code' || query.get('redirect_uri') !== options.redirectUri) return { status: 400, body: 'Something went wrong: redirect_uri' }
    const code = token('code')
    codes.set(code, { openId, scopes: (query.get('scope') ?? '').split(','), redirectUri: options.redirectUri })
    const back = new URL(options.redirectUri)
    back.search = new URLSearchParams({ code, scopes: query.get('scope') ?? '', state: query.get('state') ?? '' }).toString()
    return { status: 302, headers: { location: back.toString() } }
  })

  server.route('POST', 'open.tiktokapis.com', '/v2/oauth/token', 'token', (request) => {
    const form = formOf(request)
    if (form.get('client_key') !== options.clientKey || form.get('client_secret') !== options.clientSecret) return oauthError('invalid_client', 'Client key or secret is incorrect.')
    if (form.get('grant_type') === 'authorization_code') {
      const grant = codes.get(form.get('code') ?? '')
      codes.delete(form.get('code') ?? '')
      if (!grant || grant.redirectUri !== form.get('redirect_uri')) return oauthError('invalid_grant', 'Authorization code is expired.')
      return issue({ openId: grant.openId, scopes: grant.scopes })
    }
    if (form.get('grant_type') === 'refresh_token') {
      const old = form.get('refresh_token') ?? ''
      const grant = refreshTokens.get(old)
      if (!grant) return oauthError('invalid_grant', 'Refresh token is invalid or expired.')
      refreshTokens.delete(old)
      return issue(grant)
    }
    return oauthError('unsupported_grant_type', 'The grant type is not supported.')
  })

  server.route('POST', 'open.tiktokapis.com', '/v2/oauth/revoke', 'revoke', (request) => {
    const form = formOf(request)
    if (form.get('client_key') !== options.clientKey || form.get('client_secret') !== options.clientSecret) return oauthError('invalid_client', 'Client key or secret is incorrect.')
    const grant = accessTokens.get(form.get('token') ?? '')
    for (const tokens of [accessTokens, refreshTokens]) {
      for (const [key, value] of tokens) if (value === grant || (grant && value.openId === grant.openId)) tokens.delete(key)
    }
    return { status: 200, body: {} }
  })

  server.route('GET', 'open.tiktokapis.com', '/v2/user/info', 'user.info', (request) => {
    const grant = bearer(request, 'user.info.basic')
    if ('status' in grant) return grant
    const user: Record<string, string | number> = { open_id: grant.openId, union_id: `union-${grant.openId}`, avatar_url: 'https://p16.tiktokcdn.test/avatar.jpeg', display_name: 'Test Creator' }
    const fields = (request.query.get('fields') ?? '').split(',')
    // The counts need user.info.stats, as TikTok's user info reference says.
    const stats: Record<string, number> = { follower_count: options.followers, following_count: 12, likes_count: 5400, video_count: posting.publishes.size }
    if (fields.some(field => field in stats)) {
      if (!grant.scopes.includes('user.info.stats')) return apiError(401, 'scope_not_authorized', 'The user did not authorize the scope required for completing this request (user.info.stats).')
      Object.assign(user, stats)
    }
    return { status: 200, body: { data: { user: Object.fromEntries(Object.entries(user).filter(([key]) => fields.includes(key))) }, error: { code: 'ok', message: '', log_id: logId() } } }
  })

  const posting = routePosting(server, options, bearer)
  return {
    server,
    url: server.url,
    options,
    get posts() {
      if (options.failReason) return 0
      return [...posting.publishes.values()].filter(publish => publish.received === publish.videoSize).length
    },
    publishes: posting.publishes,
    videoNumbers: posting.videoNumbers,
    dropUploadAt: posting.dropUploadAt,
    apiError,
    refreshTokenValid: refreshToken => refreshTokens.has(refreshToken),
    close: server.close,
  }
}
