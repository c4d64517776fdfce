// Google's OAuth steps through oauth4webapi: the consent page, the code exchange (PKCE S256), refresh and revoke.
// Every endpoint goes through platformUrl, so YOUTUBE_BASE_URL points all of them at a stand-in.
import * as oauth from 'oauth4webapi'
import { platformUrl, PlatformError, type PlatformApp, type TokenSet } from '../connector'
import { malformedReply, networkError, youtubeError } from './errors'
import { GOOGLE_ISSUER, YOUTUBE_ENDPOINTS, YOUTUBE_SCOPES } from './limits'

/** Google's authorization server, with each endpoint mapped to the stand-in when there is one. */
export function googleServer(app: PlatformApp): oauth.AuthorizationServer {
  return {
    issuer: GOOGLE_ISSUER,
    authorization_endpoint: platformUrl(app, YOUTUBE_ENDPOINTS.authorize),
    token_endpoint: platformUrl(app, YOUTUBE_ENDPOINTS.token),
    revocation_endpoint: platformUrl(app, YOUTUBE_ENDPOINTS.revoke),
  }
}

// Plain http only for a stand-in on this machine (tests); anything else must be https.
function isLoopbackHttp(app: PlatformApp): boolean {
  if (!app.baseUrl) return false
  const url = new URL(app.baseUrl)
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)
}

export function requestOptions(app: PlatformApp) {
  return {
    [oauth.allowInsecureRequests]: isLoopbackHttp(app),
    ...(app.fetch ? { [oauth.customFetch]: app.fetch } : {}),
  }
}

const client = (app: PlatformApp): oauth.Client => ({ client_id: app.clientId })

/** Scopes asked for at once: publishing, and the reads that metrics need later (one consent screen). */
export const requestedScopes = () => [...new Set([...YOUTUBE_SCOPES.publish, ...YOUTUBE_SCOPES.metrics])]

export function authorizeUrl(app: PlatformApp, request: { state: string, codeChallenge?: string }): string {
  const url = new URL(googleServer(app).authorization_endpoint!)
  url.search = new URLSearchParams({
    client_id: app.clientId,
    redirect_uri: app.redirectUri,
    response_type: 'code',
    scope: requestedScopes().join(' '),
    // offline + consent: Google hands out a refresh token on every connect, not only the first.
    access_type: 'offline',
    prompt: 'consent',
    include_granted_scopes: 'true',
    state: request.state,
    ...(request.codeChallenge ? { code_challenge: request.codeChallenge, code_challenge_method: 'S256' } : {}),
  }).toString()
  return url.toString()
}

/** Turns whatever oauth4webapi threw into a PlatformError that carries no token. */
export function oauthFailure(what: string, error: unknown): PlatformError {
  if (error instanceof oauth.ResponseBodyError) return youtubeError(error.status, error.cause)
  if (error instanceof oauth.WWWAuthenticateChallengeError) return youtubeError(error.status, { error: error.cause[0]?.parameters.error ?? 'invalid_token' })
  if (error instanceof oauth.OperationProcessingError && error.code === oauth.HTTP_REQUEST_FORBIDDEN) {
    return new PlatformError('youtube', 'Google\'s endpoints must be https (plain http only for a stand-in on this machine). Check YOUTUBE_BASE_URL.', { code: 'insecureUrl' })
  }
  if (error instanceof oauth.OperationProcessingError) return malformedReply(what, (error.cause as { body?: unknown } | undefined)?.body)
  return networkError(what, error)
}

function tokenSet(reply: oauth.TokenEndpointResponse): TokenSet {
  return {
    accessToken: reply.access_token,
    refreshToken: reply.refresh_token,
    expiresAt: reply.expires_in === undefined ? undefined : new Date(Date.now() + reply.expires_in * 1000),
    scopes: reply.scope ? reply.scope.split(' ').filter(Boolean) : [],
  }
}

export async function exchangeCode(app: PlatformApp, request: { code: string, codeVerifier?: string }): Promise<TokenSet> {
  const server = googleServer(app)
  try {
    // The callback route checks state against the stored flow; here only the code is left to pass on.
    const callback = oauth.validateAuthResponse(server, client(app), new URLSearchParams({ code: request.code }), oauth.skipStateCheck)
    const response = await oauth.authorizationCodeGrantRequest(server, client(app), oauth.ClientSecretPost(app.clientSecret), callback,
      app.redirectUri, request.codeVerifier ?? oauth.nopkce, requestOptions(app))
    return tokenSet(await oauth.processAuthorizationCodeResponse(server, client(app), response))
  }
  catch (error) {
    throw oauthFailure('the sign-in code', error)
  }
}

export async function refresh(app: PlatformApp, tokens: { accessToken: string, refreshToken?: string }): Promise<TokenSet> {
  if (!tokens.refreshToken) {
    throw new PlatformError('youtube', 'This YouTube connection has no refresh token. Reconnect YouTube.', { code: 'invalid_grant' })
  }
  const server = googleServer(app)
  try {
    const response = await oauth.refreshTokenGrantRequest(server, client(app), oauth.ClientSecretPost(app.clientSecret), tokens.refreshToken, requestOptions(app))
    // Google usually leaves the refresh token out here: refreshToken stays undefined and the store keeps the old one.
    return tokenSet(await oauth.processRefreshTokenResponse(server, client(app), response))
  }
  catch (error) {
    throw oauthFailure('a token refresh', error)
  }
}

export async function revoke(app: PlatformApp, tokens: { accessToken: string, refreshToken?: string }): Promise<void> {
  const server = googleServer(app)
  // Revoking the refresh token ends its access tokens too.
  const token = tokens.refreshToken ?? tokens.accessToken
  try {
    const response = await oauth.revocationRequest(server, client(app), oauth.ClientSecretPost(app.clientSecret), token, requestOptions(app))
    await oauth.processRevocationResponse(response)
  }
  catch (error) {
    const failure = oauthFailure('revoking access', error)
    // Already revoked or expired: the goal is met.
    if (failure.details.code === 'invalid_token') return
    throw failure
  }
}
