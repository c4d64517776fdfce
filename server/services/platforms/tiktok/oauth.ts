// TikTok Login Kit for web (../shared/PLATFORMS.md): the authorize page, the code and refresh grants and revocation,
// through oauth4webapi. TikTok names the client `client_key`, so the fetch oauth4webapi uses renames `client_id` in
// the form it sends. No PKCE (TikTok wants a code_verifier from mobile and desktop apps only). The refresh token
// ROTATES: every refresh returns a new one and the old one dies, so `refresh()` always hands the new one back.
import * as oauth from 'oauth4webapi'
import { z } from 'zod'
import { platformUrl, type PlatformApp, type TokenSet } from '../connector'
import { redact, tiktokError } from './errors'
import { apiHost, callSignal } from './http'

const authorizePage = 'https://www.tiktok.com/v2/auth/authorize/'

const tokenReplySchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
  refresh_token: z.string().min(1),
  refresh_expires_in: z.number().positive(),
  open_id: z.string().min(1),
  scope: z.string(),
})

const oauthTimeoutMs = 30_000

export function tiktokAuthorizeUrl(app: PlatformApp, scopes: string[], state: string): string {
  const url = new URL(platformUrl(app, authorizePage))
  url.search = new URLSearchParams({ client_key: app.clientId, scope: scopes.join(','), response_type: 'code', redirect_uri: app.redirectUri, state }).toString()
  return url.toString()
}

function server(app: PlatformApp): oauth.AuthorizationServer {
  return {
    issuer: 'https://www.tiktok.com',
    authorization_endpoint: platformUrl(app, authorizePage),
    token_endpoint: platformUrl(app, `${apiHost}/v2/oauth/token/`),
    revocation_endpoint: platformUrl(app, `${apiHost}/v2/oauth/revoke/`),
  }
}

// TikTok may answer an OAuth error with 200 and `{error, error_description}`; oauth4webapi reads errors from
// non-200 replies only, so such a reply is passed on as a 400.
async function tiktokFetch(app: PlatformApp, url: string, options: oauth.CustomFetchOptions<'POST', URLSearchParams>): Promise<Response> {
  const form = new URLSearchParams(options.body)
  form.set('client_key', form.get('client_id') ?? app.clientId)
  form.delete('client_id')
  const response = await (app.fetch ?? fetch)(url, { ...options, body: form })
  if (response.status !== 200) return response
  const text = await response.text()
  const body = (() => {
    try {
      return JSON.parse(text) as { error?: unknown, access_token?: unknown }
    }
    catch {
      return undefined
    }
  })()
  const refused = typeof body?.error === 'string' && body.access_token === undefined
  return new Response(text, { status: refused ? 400 : 200, headers: response.headers })
}

function options(app: PlatformApp) {
  return {
    [oauth.customFetch]: (url: string, init: oauth.CustomFetchOptions<'POST', URLSearchParams>) => tiktokFetch(app, url, init),
    // Only a loopback stand-in (TIKTOK_BASE_URL) is plain http.
    [oauth.allowInsecureRequests]: platformUrl(app, apiHost).startsWith('http:'),
    signal: callSignal(oauthTimeoutMs),
  }
}

/** oauth4webapi's errors as PlatformErrors that carry TikTok's code (invalid_grant…) and no token. */
async function asPlatformError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  }
  catch (error) {
    if (error instanceof oauth.ResponseBodyError) {
      throw tiktokError(error.error, { status: error.status, message: error.error_description, response: error.cause })
    }
    if (error instanceof oauth.OperationProcessingError || error instanceof oauth.UnsupportedOperationError) {
      const body = (error.cause as { body?: unknown } | undefined)?.body
      throw tiktokError('malformed_reply', { message: 'the token reply did not have the expected fields', response: body === undefined ? undefined : redact(body) })
    }
    throw error
  }
}

function tokenSet(reply: unknown): TokenSet {
  const parsed = tokenReplySchema.safeParse(reply)
  if (!parsed.success) throw tiktokError('malformed_reply', { message: 'the token reply did not have the expected fields', response: reply })
  const now = Date.now()
  return {
    accessToken: parsed.data.access_token,
    refreshToken: parsed.data.refresh_token,
    expiresAt: new Date(now + parsed.data.expires_in * 1000),
    refreshExpiresAt: new Date(now + parsed.data.refresh_expires_in * 1000),
    scopes: parsed.data.scope.split(',').map(scope => scope.trim()).filter(Boolean),
  }
}

const client = (app: PlatformApp): oauth.Client => ({ client_id: app.clientId })

export function exchangeTiktokCode(app: PlatformApp, code: string): Promise<TokenSet> {
  return asPlatformError(async () => {
    const as = server(app)
    // The route that receives the callback has already checked `state` against the stored OAuth flow.
    const callback = oauth.validateAuthResponse(as, client(app), new URLSearchParams({ code }), oauth.skipStateCheck)
    const response = await oauth.authorizationCodeGrantRequest(as, client(app), oauth.ClientSecretPost(app.clientSecret), callback, app.redirectUri, oauth.nopkce, options(app))
    return tokenSet(await oauth.processAuthorizationCodeResponse(as, client(app), response))
  })
}

export function refreshTiktokTokens(app: PlatformApp, refreshToken: string | undefined): Promise<TokenSet> {
  if (!refreshToken) return Promise.reject(tiktokError('invalid_grant', { message: 'no refresh token is stored for this account' }))
  return asPlatformError(async () => {
    const as = server(app)
    const response = await oauth.refreshTokenGrantRequest(as, client(app), oauth.ClientSecretPost(app.clientSecret), refreshToken, options(app))
    return tokenSet(await oauth.processRefreshTokenResponse(as, client(app), response))
  })
}

export function revokeTiktokToken(app: PlatformApp, accessToken: string): Promise<void> {
  return asPlatformError(async () => {
    const response = await oauth.revocationRequest(server(app), client(app), oauth.ClientSecretPost(app.clientSecret), accessToken, options(app))
    await oauth.processRevocationResponse(response)
  })
}
