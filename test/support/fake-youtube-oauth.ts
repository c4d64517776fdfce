// Google's OAuth endpoints for the YouTube fake: the consent page (accepted at once: it redirects back with a code),
// the token endpoint (authorization_code with the PKCE verifier checked, refresh_token), and revoke. Replies and
// errors take Google's shapes: {error, error_description} with 400 or 401.
import { createHash, randomBytes } from 'node:crypto'
import { formOf, type FakePlatformServer, type FakeReply, type FakeRequest } from './fake-platform-server'
import type { FakeYoutubeState } from './fake-youtube-state'
import { noteIssuedSecret } from './secret-scan'

const oauthError = (status: number, error: string, description: string): FakeReply => ({ status, body: { error, error_description: description } })
const token = (prefix: string) => noteIssuedSecret(`${prefix}${randomBytes(24).toString('base64url')}`)

/** The client's id and secret, from the form (client_secret_post) or a Basic header (client_secret_basic). */
function clientOf(request: FakeRequest, form: URLSearchParams): { id?: string, secret?: string } {
  const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? '')
  if (basic) {
    const [id, secret] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':').map(decodeURIComponent)
    return { id, secret }
  }
  return { id: form.get('client_id') ?? undefined, secret: form.get('client_secret') ?? undefined }
}

function issue(state: FakeYoutubeState, scope: string, refreshToken?: string) {
  const accessToken = token('ya29.')
  state.accessTokens.set(accessToken, { scope, expired: false, refreshToken })
  return { access_token: accessToken, expires_in: 3599, scope, token_type: 'Bearer' }
}

function authorize(state: FakeYoutubeState, request: FakeRequest): FakeReply {
  const query = request.query
  // Google shows an error page (not a redirect) when the client or redirect is wrong.
  if (query.get('client_id') !== state.client.id) return { status: 401, body: 'Error 401: invalid_client. The OAuth client was not found.' }
  if (query.get('redirect_uri') !== state.client.redirectUri) return { status: 400, body: 'Error 400: redirect_uri_mismatch' }
  const redirect = new URL(state.client.redirectUri)
  const reply = (params: Record<string, string>): FakeReply => {
    for (const [name, value] of Object.entries(params)) redirect.searchParams.set(name, value)
    return { status: 302, headers: { location: redirect.toString() } }
  }
  const stateParam = query.get('state') ?? ''
  if (query.get('response_type') !== 'code' || !query.get('scope')) return reply({ error: 'invalid_request', state: stateParam })
  const challenge = query.get('code_challenge') ?? undefined
  if (challenge && query.get('code_challenge_method') !== 'S256') return reply({ error: 'invalid_request', state: stateParam })
  const code = token('4/0A')
  const offline = query.get('access_type') === 'offline'
  const scope = state.script.grantedScopes?.join(' ') ?? query.get('scope')!
  state.codes.set(code, { scope, challenge, redirectUri: query.get('redirect_uri')!, offline })
  return reply({ code, scope, state: stateParam })
}

function exchange(state: FakeYoutubeState, form: URLSearchParams): FakeReply {
  const code = state.codes.get(form.get('code') ?? '')
  // A code works once.
  state.codes.delete(form.get('code') ?? '')
  if (!code || code.redirectUri !== form.get('redirect_uri')) return oauthError(400, 'invalid_grant', 'Malformed auth code.')
  if (code.challenge) {
    const verifier = form.get('code_verifier') ?? ''
    if (createHash('sha256').update(verifier).digest('base64url') !== code.challenge) return oauthError(400, 'invalid_grant', 'Invalid code verifier.')
  }
  const refreshToken = code.offline ? token('1//0g') : undefined
  if (refreshToken) state.refreshTokens.set(refreshToken, { scope: code.scope, revoked: false })
  return { status: 200, body: { ...issue(state, code.scope, refreshToken), ...(refreshToken ? { refresh_token: refreshToken } : {}) } }
}

function refresh(state: FakeYoutubeState, form: URLSearchParams): FakeReply {
  const old = form.get('refresh_token') ?? ''
  const grant = state.refreshTokens.get(old)
  if (!grant || grant.revoked) return oauthError(400, 'invalid_grant', 'Token has been expired or revoked.')
  if (!state.script.refreshRotates) return { status: 200, body: issue(state, grant.scope, old) }
  // Scripted: this reply carries a new refresh token (the connector must hand it on to be stored).
  const next = token('1//0g')
  state.refreshTokens.set(next, { scope: grant.scope, revoked: false })
  return { status: 200, body: { ...issue(state, grant.scope, next), refresh_token: next } }
}

function tokenEndpoint(state: FakeYoutubeState, request: FakeRequest): FakeReply {
  const form = formOf(request)
  const client = clientOf(request, form)
  if (client.id !== state.client.id || client.secret !== state.client.secret) return oauthError(401, 'invalid_client', 'The OAuth client was not found.')
  const grantType = form.get('grant_type')
  if (grantType === 'authorization_code') return exchange(state, form)
  if (grantType === 'refresh_token') return refresh(state, form)
  return oauthError(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType}`)
}

function revoke(state: FakeYoutubeState, request: FakeRequest): FakeReply {
  const value = formOf(request).get('token') ?? ''
  const grant = state.refreshTokens.get(value)
  const access = state.accessTokens.get(value)
  if (grant && !grant.revoked) {
    grant.revoked = true
    // Revoking a refresh token ends the access tokens it gave.
    for (const entry of state.accessTokens.values()) if (entry.refreshToken === value) entry.expired = true
    return { status: 200, body: {} }
  }
  if (access && !access.expired) {
    access.expired = true
    return { status: 200, body: {} }
  }
  return oauthError(400, 'invalid_token', 'Token expired or revoked')
}

export function routeGoogleOauth(server: FakePlatformServer, state: FakeYoutubeState): void {
  server.route('GET', 'accounts.google.com', '/o/oauth2/v2/auth', 'authorize', request => authorize(state, request))
  server.route('POST', 'oauth2.googleapis.com', '/token', 'token', request => tokenEndpoint(state, request))
  server.route('POST', 'oauth2.googleapis.com', '/revoke', 'revoke', request => revoke(state, request))
}
