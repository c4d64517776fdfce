// A loopback OAuth token endpoint and one API call, in TikTok's wire format (PLATFORMS.md), on the fake platform
// server skeleton: enough for the token store's tests until the real connectors and their fakes are merged.
// POST open.tiktokapis.com/v2/oauth/token/ (form, grant_type=refresh_token) answers a new access token and, when
// `rotates`, a new refresh token (the old one is then refused with invalid_grant, as TikTok does); otherwise no
// refresh token at all (as Google does on a refresh). GET open.tiktokapis.com/v2/user/info/ answers 401
// access_token_invalid for any token it did not issue, or issued before a refresh replaced it.
import { formOf, startFakePlatformServer, type FakePlatformServer } from './fake-platform-server'

const HOST = 'open.tiktokapis.com'

export interface FakeTokenEndpoint {
  server: FakePlatformServer
  url: string
  /** Whether a refresh hands out a new refresh token (and kills the old one). */
  rotates: boolean
  /** A live access and refresh token pair, as a connection would have left. */
  issue: () => { accessToken: string, refreshToken: string }
  /** Holds API calls made with `accessToken` until `arrivals` of them came in, so they overlap for certain. */
  holdCalls: (accessToken: string, arrivals: number) => void
  isLiveRefreshToken: (refreshToken: string) => boolean
  close: () => Promise<void>
}

export async function startFakeTokenEndpoint(): Promise<FakeTokenEndpoint> {
  const server = await startFakePlatformServer()
  const liveAccess = new Set<string>()
  const liveRefresh = new Set<string>()
  // Each refresh token's current access token, which its next refresh replaces.
  const accessOf = new Map<string, string>()
  const holds = new Map<string, { arrivals: number, seen: number, release: () => void, released: Promise<void> }>()
  let serial = 0
  const issue = () => {
    serial += 1
    const pair = { accessToken: `act.${serial}.${Math.random().toString(36).slice(2)}`, refreshToken: `rft.${serial}.${Math.random().toString(36).slice(2)}` }
    liveAccess.add(pair.accessToken)
    liveRefresh.add(pair.refreshToken)
    accessOf.set(pair.refreshToken, pair.accessToken)
    return pair
  }
  const fake: FakeTokenEndpoint = {
    server,
    url: server.url,
    rotates: true,
    issue,
    holdCalls(accessToken, arrivals) {
      let release = () => {}
      const released = new Promise<void>((resolve) => {
        release = resolve
      })
      holds.set(accessToken, { arrivals, seen: 0, release, released })
    },
    isLiveRefreshToken: refreshToken => liveRefresh.has(refreshToken),
    close: () => server.close(),
  }

  server.route('POST', HOST, '/v2/oauth/token/', 'token', (request) => {
    const form = formOf(request)
    const refreshToken = form.get('refresh_token') ?? ''
    if (form.get('grant_type') !== 'refresh_token' || !form.get('client_key') || !form.get('client_secret')) {
      return { status: 400, body: { error: 'invalid_request', error_description: 'grant_type, client_key and client_secret are required.', log_id: 'log-1' } }
    }
    if (!liveRefresh.has(refreshToken)) {
      // Some platforms echo what they were sent: the store must keep it out of what it records.
      return { status: 400, body: { error: 'invalid_grant', error_description: `Refresh token ${refreshToken} is invalid or expired.`, log_id: 'log-2' } }
    }
    const next = issue()
    liveAccess.delete(accessOf.get(refreshToken) ?? '')
    if (fake.rotates) {
      liveRefresh.delete(refreshToken)
    }
    else {
      // The refresh token stays; only the access token is new.
      liveRefresh.delete(next.refreshToken)
      accessOf.set(refreshToken, next.accessToken)
    }
    return {
      status: 200,
      body: {
        access_token: next.accessToken, expires_in: 7200, open_id: 'open-1', scope: 'user.info.basic,video.publish', token_type: 'Bearer',
        ...(fake.rotates ? { refresh_token: next.refreshToken, refresh_expires_in: 15_552_000 } : {}),
      },
    }
  })

  server.route('GET', HOST, '/v2/user/info/', 'user-info', async (request) => {
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? ''
    const hold = holds.get(token)
    if (hold) {
      hold.seen += 1
      if (hold.seen >= hold.arrivals) hold.release()
      await hold.released
    }
    if (!liveAccess.has(token)) {
      return { status: 401, body: { data: {}, error: { code: 'access_token_invalid', message: 'The access token is invalid or not found in the request.', log_id: 'log-3' } } }
    }
    return { status: 200, body: { data: { user: { open_id: 'open-1', display_name: 'Creator' } }, error: { code: 'ok', message: '', log_id: 'log-4' } } }
  })
  return fake
}
