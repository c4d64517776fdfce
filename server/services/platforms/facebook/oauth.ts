// Facebook Login for Pages. Code → a short user token → a long-lived one (fb_exchange_token, ≈60 days); each Page the
// creator manages comes with its own Page token, which is what publishes. Meta gives no refresh token: a token is
// exchanged again before it expires, and an expired one cannot be exchanged (the creator reconnects).
// oauth4webapi does not fit these steps: Meta's token endpoint is a GET with the secret in the query, and the
// fb_exchange_token grant is Meta's own. The authorize URL is a plain URL; the state is made and checked by the
// OAuth flow store.
import { z } from 'zod'
import { PlatformError, platformUrl, type ConnectableAccount, type PlatformApp, type TokenSet } from '../connector'
import { GRAPH_VERSION, graphCall } from '../meta-graph'

export const FACEBOOK_SCOPES = {
  publish: ['pages_show_list', 'pages_read_engagement', 'pages_manage_posts'],
  metrics: ['read_insights'],
}
export const FACEBOOK_GRAPH = `https://graph.facebook.com/${GRAPH_VERSION}`
/** The Page task Reels need; a Page without it cannot be published to. */
const PUBLISH_TASK = 'CREATE_CONTENT'

const tokenSchema = z.object({ access_token: z.string().min(1), token_type: z.string().optional(), expires_in: z.number().positive().optional() })
const permissionsSchema = z.object({ data: z.array(z.object({ permission: z.string(), status: z.string() })) })
const pagesSchema = z.object({
  data: z.array(z.object({
    id: z.string(),
    name: z.string(),
    access_token: z.string().min(1),
    tasks: z.array(z.string()).default([]),
    picture: z.object({ data: z.object({ url: z.string() }) }).optional(),
  })),
})

const toTokenSet = (reply: z.infer<typeof tokenSchema>, scopes: string[]): TokenSet => ({
  accessToken: reply.access_token,
  expiresAt: reply.expires_in ? new Date(Date.now() + reply.expires_in * 1000) : undefined,
  scopes,
})

export function authorizeUrl(app: PlatformApp, request: { state: string }): string {
  const url = new URL(platformUrl(app, `https://www.facebook.com/${GRAPH_VERSION}/dialog/oauth`))
  url.searchParams.set('client_id', app.clientId)
  url.searchParams.set('redirect_uri', app.redirectUri)
  url.searchParams.set('scope', [...FACEBOOK_SCOPES.publish, ...FACEBOOK_SCOPES.metrics].join(','))
  url.searchParams.set('response_type', 'code')
  url.searchParams.set('state', request.state)
  return url.toString()
}

function exchange(app: PlatformApp, token: string) {
  return graphCall({
    platform: 'facebook', app, url: `${FACEBOOK_GRAPH}/oauth/access_token`, what: 'the long-lived token exchange', schema: tokenSchema,
    params: { grant_type: 'fb_exchange_token', client_id: app.clientId, client_secret: app.clientSecret, fb_exchange_token: token },
  })
}

async function grantedScopes(app: PlatformApp, token: string): Promise<string[]> {
  const reply = await graphCall({ platform: 'facebook', app, url: `${FACEBOOK_GRAPH}/me/permissions`, token, schema: permissionsSchema, what: 'the permissions granted' })
  return reply.data.filter(entry => entry.status === 'granted').map(entry => entry.permission)
}

export async function exchangeCode(app: PlatformApp, request: { code: string }): Promise<TokenSet> {
  const short = await graphCall({
    platform: 'facebook', app, url: `${FACEBOOK_GRAPH}/oauth/access_token`, what: 'the sign-in code', schema: tokenSchema,
    params: { client_id: app.clientId, client_secret: app.clientSecret, redirect_uri: app.redirectUri, code: request.code },
  })
  const long = await exchange(app, short.access_token)
  return toTokenSet(long, await grantedScopes(app, long.access_token))
}

/** Exchanges the token again for a fresh ≈60 days. An expired token cannot be exchanged: the creator reconnects. */
export async function refresh(app: PlatformApp, tokens: { accessToken: string }): Promise<TokenSet> {
  try {
    // The reply names no scopes; the token keeps those it was granted (the store keeps them).
    return toTokenSet(await exchange(app, tokens.accessToken), [])
  }
  catch (error) {
    if (error instanceof PlatformError && (error.details.code === '190' || error.details.code === '102')) {
      throw new PlatformError('facebook', 'Facebook no longer accepts this account\'s sign-in. Reconnect the account.', { ...error.details, code: 'refresh_rejected' })
    }
    throw error
  }
}

/** One account per Page the creator may post to, each with its Page token (it does not expire ⚠). */
export async function accounts(app: PlatformApp, tokens: TokenSet): Promise<ConnectableAccount[]> {
  const pages = await graphCall({
    platform: 'facebook', app, url: `${FACEBOOK_GRAPH}/me/accounts`, token: tokens.accessToken, what: 'the Pages you manage',
    params: { fields: 'id,name,access_token,tasks,picture', limit: 100 }, schema: pagesSchema,
  })
  // A Page without CREATE_CONTENT would fail at publish time; it is not offered.
  return pages.data.filter(page => page.tasks.includes(PUBLISH_TASK)).map(page => ({
    externalId: page.id,
    displayName: page.name,
    avatarUrl: page.picture?.data.url,
    tokens: { accessToken: page.access_token, scopes: tokens.scopes },
    metadata: { tasks: page.tasks, canReadInsights: page.tasks.includes('ANALYZE') },
  }))
}

/** Removes the app's permissions. A token Meta already refuses has nothing left to revoke. */
export async function revoke(app: PlatformApp, tokens: { accessToken: string }): Promise<void> {
  try {
    await graphCall({ platform: 'facebook', app, url: `${FACEBOOK_GRAPH}/me/permissions`, method: 'DELETE', token: tokens.accessToken, schema: z.object({ success: z.boolean() }), what: 'removing the app\'s access' })
  }
  catch (error) {
    if (error instanceof PlatformError && error.details.code === '190') return
    throw error
  }
}
