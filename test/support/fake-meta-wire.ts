// Meta's wire format, shared by the fake's Instagram and Facebook routes: issued tokens and how a request's token is
// checked, the error reply, Graph's parameters (query or form), and the consent page's redirect.
import { randomBytes } from 'node:crypto'
import { formOf, type FakeHandler, type FakeReply, type FakeRequest } from './fake-platform-server'
import { noteIssuedSecret } from './secret-scan'

export { formOf }

export interface IssuedToken {
  kind: 'ig-short' | 'ig-long' | 'fb-short' | 'fb-long' | 'fb-page'
  /** The account it speaks for: the IG user id, the Facebook user, or the Page. */
  subject: string
  expired?: boolean
  revoked?: boolean
}

export const FAKE_APP = { clientId: '1187000000001', clientSecret: 'fake-meta-app-secret-7d1f', redirectUri: 'https://reelwise.test/api/oauth/meta/callback' }

export const newId = () => String(17_000_000_000_000_000n + BigInt(`0x${randomBytes(6).toString('hex')}`))
export const newToken = (prefix: string) => noteIssuedSecret(`${prefix}${randomBytes(24).toString('base64url')}`)

/** Meta's error reply. */
export function metaError(code: number, message: string, options: { subcode?: number, status?: number, headers?: Record<string, string>, type?: string } = {}): FakeReply {
  return {
    status: options.status ?? 400,
    headers: options.headers,
    body: { error: { message, type: options.type ?? 'OAuthException', code, ...(options.subcode ? { error_subcode: options.subcode } : {}), fbtrace_id: `A${randomBytes(8).toString('hex')}` } },
  }
}

/** Parameters from the query and, for a form POST, the body: Graph takes both. */
export function paramsOf(request: FakeRequest): URLSearchParams {
  const params = new URLSearchParams(request.query)
  if (request.method === 'POST' && String(request.headers['content-type']).includes('urlencoded')) {
    for (const [key, value] of formOf(request)) params.set(key, value)
  }
  return params
}

/** The token a request carries, checked: a reply to send when it fails, or the token's record. */
export function authorise(tokens: Map<string, IssuedToken>, request: FakeRequest, scheme = 'Bearer'): { token: string, issued: IssuedToken } | { reply: FakeReply } {
  const header = request.headers.authorization
  const token = header?.startsWith(`${scheme} `) ? header.slice(scheme.length + 1) : paramsOf(request).get('access_token') ?? ''
  const issued = tokens.get(token)
  if (!issued || issued.revoked) return { reply: metaError(190, 'Invalid OAuth access token - Cannot parse access token') }
  if (issued.expired) return { reply: metaError(190, 'Error validating access token: Session has expired.', { subcode: 463 }) }
  return { token, issued }
}

/** A handler that answers only a valid token, as every Graph node does. */
export function withToken(tokens: Map<string, IssuedToken>, handler: (request: FakeRequest, issued: IssuedToken) => FakeReply | Promise<FakeReply>, scheme = 'Bearer'): FakeHandler {
  return async (request) => {
    const checked = authorise(tokens, request, scheme)
    return 'reply' in checked ? checked.reply : handler(request, checked.issued)
  }
}

/** A redirect back to our callback, as the consent pages do once the creator agrees. */
export function consentRedirect(request: FakeRequest, codes: Map<string, { redirectUri: string, scopes: string[] }>, suffix = ''): FakeReply {
  const params = request.query
  if (params.get('client_id') !== FAKE_APP.clientId) return { status: 400, body: 'Invalid App ID' }
  const code = newToken('code-')
  const redirectUri = params.get('redirect_uri') ?? ''
  codes.set(code, { redirectUri, scopes: (params.get('scope') ?? '').split(/[ ,]/).filter(Boolean) })
  const target = new URL(redirectUri)
  target.searchParams.set('code', code)
  target.searchParams.set('state', params.get('state') ?? '')
  return { status: 302, headers: { location: `${target}${suffix}` } }
}

/** A throttled reply (code 4, 17, 32, 613...) with the usage headers that say how long to wait, in minutes. */
export function rateLimited(code: number, waitMinutes: number): FakeReply {
  return metaError(code, code === 4 ? '(#4) Application request limit reached' : '(#17) User request limit reached', {
    status: code === 4 || code === 17 ? 403 : 400,
    headers: {
      'x-app-usage': JSON.stringify({ call_count: 100, total_cputime: 12, total_time: 30 }),
      'x-business-use-case-usage': JSON.stringify({ 1187000000001: [{ type: 'instagram', call_count: 100, total_cputime: 9, total_time: 20, estimated_time_to_regain_access: waitMinutes }] }),
    },
  })
}
