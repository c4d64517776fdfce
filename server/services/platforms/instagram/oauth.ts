// Instagram Login (Business Login for Instagram): a solo creator's professional account, no Facebook Page needed.
// Code → a 1 h token (api.instagram.com, form) → a 60-day token (ig_exchange_token); refresh with ig_refresh_token.
// oauth4webapi does not fit these steps: the first reply has no token_type (its processAuthorizationCodeResponse
// refuses that) and may be wrapped in `data`, and the exchange and refresh are GETs with the token in the query.
// The authorize URL is a plain URL; the state is made and checked by the OAuth flow store.
import { z } from 'zod'
import { PlatformError, platformUrl, type ConnectableAccount, type PlatformApp, type TokenSet } from '../connector'
import { GRAPH_VERSION, graphCall } from '../meta-graph'

export const INSTAGRAM_SCOPES = {
  publish: ['instagram_business_basic', 'instagram_business_content_publish'],
  metrics: ['instagram_business_manage_insights'],
}
export const INSTAGRAM_GRAPH = `https://graph.instagram.com/${GRAPH_VERSION}`

const shortTokenFields = z.object({
  access_token: z.string().min(1),
  user_id: z.union([z.string(), z.number()]).transform(String),
  permissions: z.union([z.string().transform(list => list.split(',')), z.array(z.string())]).optional(),
})
// The docs show the reply inside `data: [...]`; the API has also answered it flat.
const shortTokenSchema = z.union([shortTokenFields, z.object({ data: z.tuple([shortTokenFields]).rest(z.unknown()) }).transform(reply => reply.data[0])])
const longTokenSchema = z.object({ access_token: z.string().min(1), token_type: z.string().optional(), expires_in: z.number().positive() })
const profileSchema = z.object({
  user_id: z.union([z.string(), z.number()]).transform(String),
  username: z.string(),
  profile_picture_url: z.string().optional(),
})

const expiresAt = (seconds: number) => new Date(Date.now() + seconds * 1000)

export function authorizeUrl(app: PlatformApp, request: { state: string }): string {
  const url = new URL(platformUrl(app, 'https://www.instagram.com/oauth/authorize'))
  url.searchParams.set('client_id', app.clientId)
  url.searchParams.set('redirect_uri', app.redirectUri)
  url.searchParams.set('response_type', 'code')
  url.searchParams.set('scope', [...INSTAGRAM_SCOPES.publish, ...INSTAGRAM_SCOPES.metrics].join(','))
  url.searchParams.set('state', request.state)
  return url.toString()
}

export async function exchangeCode(app: PlatformApp, request: { code: string }): Promise<TokenSet> {
  // Instagram appends `#_` to the redirect; it is not part of the code.
  const code = request.code.replace(/#_$/, '')
  const short = await graphCall({
    platform: 'instagram', app, method: 'POST', url: 'https://api.instagram.com/oauth/access_token', what: 'the sign-in code',
    params: { client_id: app.clientId, client_secret: app.clientSecret, grant_type: 'authorization_code', redirect_uri: app.redirectUri, code },
    schema: shortTokenSchema,
  })
  const long = await graphCall({
    platform: 'instagram', app, url: 'https://graph.instagram.com/access_token', what: 'the long-lived token exchange',
    params: { grant_type: 'ig_exchange_token', client_secret: app.clientSecret, access_token: short.access_token },
    schema: longTokenSchema,
  })
  return { accessToken: long.access_token, expiresAt: expiresAt(long.expires_in), scopes: short.permissions ?? [] }
}

/** A new 60-day token. The old one must be at least 24 h old and unexpired; an expired one means reconnecting. */
export async function refresh(app: PlatformApp, tokens: { accessToken: string }): Promise<TokenSet> {
  try {
    const reply = await graphCall({
      platform: 'instagram', app, url: 'https://graph.instagram.com/refresh_access_token', what: 'the token refresh',
      params: { grant_type: 'ig_refresh_token', access_token: tokens.accessToken },
      schema: longTokenSchema,
    })
    // The reply names no scopes; the token keeps those it was granted (the store keeps them).
    return { accessToken: reply.access_token, expiresAt: expiresAt(reply.expires_in), scopes: [] }
  }
  catch (error) {
    if (error instanceof PlatformError && (error.details.code === '190' || error.details.code === '102')) {
      throw new PlatformError('instagram', 'Instagram no longer accepts this account\'s sign-in. Reconnect the account.', { ...error.details, code: 'refresh_rejected' })
    }
    throw error
  }
}

export async function accounts(app: PlatformApp, tokens: TokenSet): Promise<ConnectableAccount[]> {
  const profile = await graphCall({
    platform: 'instagram', app, url: `${INSTAGRAM_GRAPH}/me`, token: tokens.accessToken, what: 'the account\'s profile',
    params: { fields: 'user_id,username,profile_picture_url' }, schema: profileSchema,
  })
  return [{
    externalId: profile.user_id,
    handle: profile.username,
    displayName: profile.username,
    avatarUrl: profile.profile_picture_url,
    tokens,
    metadata: { login: 'instagram' },
  }]
}
