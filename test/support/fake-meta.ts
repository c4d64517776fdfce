// A loopback stand-in for Meta: www.instagram.com, api.instagram.com, graph.instagram.com (Instagram Login), and
// www.facebook.com, graph.facebook.com, rupload.facebook.com (Facebook Pages), on one fake platform server.
// It speaks Meta's wire format: tokens in the Authorization header or `access_token`, errors as
// {error:{message,type,code,error_subcode,fbtrace_id}}, usage headers on rate limits. Tokens it has not issued get 190;
// tokens it was told to expire get 190/463. The per-product routes live in fake-meta-instagram.ts and fake-meta-facebook.ts.
import type { PlatformApp } from '../../server/services/platforms/connector'
import { startFakePlatformServer, type FakePlatformServer } from './fake-platform-server'
import { routeFacebook, type FakeFacebookState } from './fake-meta-facebook'
import { routeInstagram, type FakeInstagramState } from './fake-meta-instagram'
import { FAKE_APP, type IssuedToken } from './fake-meta-wire'

export { FAKE_APP, metaError, rateLimited, type IssuedToken } from './fake-meta-wire'

export interface FakeMeta {
  server: FakePlatformServer
  url: string
  /** The app registration the fake expects: use it as the connector's PlatformApp. */
  app: (fetchImpl?: typeof fetch) => PlatformApp
  tokens: Map<string, IssuedToken>
  /** Makes a token fail as Meta's expired ones do (190/463). */
  expire: (token: string) => void
  instagram: FakeInstagramState
  facebook: FakeFacebookState
  close: () => Promise<void>
}

export async function startFakeMeta(): Promise<FakeMeta> {
  const server = await startFakePlatformServer()
  const tokens = new Map<string, IssuedToken>()
  const instagram = routeInstagram(server, tokens)
  const facebook = routeFacebook(server, tokens)
  return {
    server,
    url: server.url,
    app: fetchImpl => ({ ...FAKE_APP, baseUrl: server.url, fetch: fetchImpl }),
    tokens,
    expire(token) {
      const issued = tokens.get(token)
      if (issued) issued.expired = true
    },
    instagram,
    facebook,
    close: () => server.close(),
  }
}
