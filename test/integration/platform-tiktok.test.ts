// The TikTok connector against the loopback TikTok (test/support/fake-tiktok.ts): login as client_key, rotation of
// the refresh token, revocation, creator_info (audited and private-only) and scripted 401/429/malformed replies.
// Posting and metrics: platform-tiktok-publish.test.ts. No database: it runs once (excluded from the postgres project).
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AccountContext, PlatformApp, TokenSet } from '../../server/services/platforms/connector'
import { createTiktokConnector } from '../../server/services/platforms/tiktok'
import { startFakeTiktok, type FakeTiktok } from '../support/fake-tiktok'
import { appFor, connectTiktok, tiktokAccount, tiktokRefusal } from '../support/tiktok-account'

const tiktok = createTiktokConnector({ requestTimeoutMs: 5_000 })

let fake: FakeTiktok
let app: PlatformApp
const issuedTokens: string[] = []

beforeEach(async () => {
  fake = await startFakeTiktok()
  app = appFor(fake)
})
afterEach(() => fake.close())

async function connect(): Promise<TokenSet> {
  const tokens = await connectTiktok(tiktok, app)
  issuedTokens.push(tokens.accessToken, tokens.refreshToken!)
  return tokens
}

async function account(): Promise<AccountContext> {
  const context = await tiktokAccount(tiktok, app)
  issuedTokens.push(context.tokens.accessToken, context.tokens.refreshToken!)
  return context
}

const refusal = (promise: Promise<unknown>) => tiktokRefusal(promise, [...issuedTokens, fake.options.clientSecret])

describe('TikTok login', () => {
  it('sends the creator to the authorize page with client_key and comma-separated scopes, and exchanges the code as client_key', async () => {
    const url = new URL(tiktok.authorizeUrl(app, { state: 'abc' }))
    expect(url.pathname).toBe('/www.tiktok.com/v2/auth/authorize/')
    expect(Object.fromEntries(url.searchParams)).toEqual({ client_key: app.clientId, scope: 'user.info.basic,video.publish,video.list,user.info.stats', response_type: 'code', redirect_uri: app.redirectUri, state: 'abc' })
    expect(tiktok.usesPkce).toBe(false)

    const tokens = await connect()
    const form = new URLSearchParams(fake.server.requests.find(request => request.endpoint === 'token')!.body.toString())
    expect(form.get('client_key')).toBe(app.clientId)
    expect(form.has('client_id')).toBe(false)
    expect(form.get('grant_type')).toBe('authorization_code')
    expect(tokens.scopes).toEqual(['user.info.basic', 'video.publish', 'video.list', 'user.info.stats'])
    expect(tokens.expiresAt!.getTime() - Date.now()).toBeGreaterThan(7100_000)
    expect(tokens.refreshExpiresAt!.getTime() - Date.now()).toBeGreaterThan(179 * 86400_000)

    const [connected, ...others] = await tiktok.accounts(app, tokens)
    expect(others).toHaveLength(0)
    expect(connected).toMatchObject({ externalId: expect.stringMatching(/^-000/), displayName: 'Test Creator', metadata: { openId: connected!.externalId } })
  })

  it('rotates the refresh token: the new one works, the old one is dead (invalid_grant → disconnect)', async () => {
    const first = await connect()
    const second = await tiktok.refresh(app, first)
    issuedTokens.push(second.accessToken, second.refreshToken!)
    expect(second.refreshToken).toBeDefined()
    expect(second.refreshToken).not.toBe(first.refreshToken)
    expect(second.refreshExpiresAt).toBeInstanceOf(Date)
    expect(fake.refreshTokenValid(first.refreshToken!)).toBe(false)

    const reused = await refusal(tiktok.refresh(app, first))
    expect(reused.details.code).toBe('invalid_grant')
    expect(tiktok.classifyError(reused)).toEqual({ action: 'disconnect' })
    const third = await tiktok.refresh(app, second)
    expect(third.refreshToken).not.toBe(second.refreshToken)
  })

  it('reads an OAuth error TikTok sends with status 200, and a token reply without its fields', async () => {
    const tokens = await connect()
    fake.server.failNext('token', { status: 200, body: { error: 'invalid_grant', error_description: 'Refresh token is invalid or expired.', log_id: 'x' } })
    expect((await refusal(tiktok.refresh(app, tokens))).details.code).toBe('invalid_grant')
    fake.server.failNext('token', { status: 200, body: { access_token: 'act.new', token_type: 'Bearer', expires_in: 7200 } })
    const malformed = await refusal(tiktok.refresh(app, tokens))
    expect(malformed.details.code).toBe('malformed_reply')
    expect(JSON.stringify(malformed.details.response)).not.toContain('act.new')
  })

  it('revokes: the access token then fails with access_token_invalid (refresh) and the refresh token is dead', async () => {
    const tokens = await connect()
    await tiktok.revoke(app, tokens)
    expect(fake.server.count('revoke')).toBe(1)
    const after = await refusal(tiktok.accounts(app, tokens))
    expect(after.details).toMatchObject({ status: 401, code: 'access_token_invalid' })
    expect(tiktok.classifyError(after)).toEqual({ action: 'refresh' })
    expect(fake.refreshTokenValid(tokens.refreshToken!)).toBe(false)
  })
})

describe('TikTok creator_info', () => {
  it('offers what an audited app may do, with the creator\'s own switches', async () => {
    const capabilities = await tiktok.capabilities(await account())
    expect(capabilities).toMatchObject({ privacyOptions: ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'FOLLOWER_OF_CREATOR', 'SELF_ONLY'], maxDurationSeconds: 600, notices: [] })
    expect(capabilities.details).toMatchObject({ duetDisabled: true, commentDisabled: false, creatorUsername: 'test.creator', privateOnly: false })
  })

  it('says so when an unaudited app may post privately only', async () => {
    fake.options.audited = false
    const capabilities = await tiktok.capabilities(await account())
    expect(capabilities.privacyOptions).toEqual(['SELF_ONLY'])
    expect(capabilities.notices.join(' ')).toMatch(/not audited.*private: only the creator sees it/)
  })

  it('turns a malformed reply, a 401 and a 429 into classified errors', async () => {
    const context = await account()
    fake.server.failNext('creator_info', { status: 200, body: { data: { creator_username: 'x' }, error: { code: 'ok', message: '', log_id: '1' } } })
    const malformed = await refusal(tiktok.capabilities(context))
    expect(malformed.details.code).toBe('malformed_reply')
    fake.server.failNext('creator_info', fake.apiError(401, 'access_token_invalid'))
    expect(tiktok.classifyError(await refusal(tiktok.capabilities(context)))).toEqual({ action: 'refresh' })
    fake.server.failNext('creator_info', { ...fake.apiError(429, 'rate_limit_exceeded'), headers: { 'retry-after': '12' } })
    expect(tiktok.classifyError(await refusal(tiktok.capabilities(context)))).toEqual({ action: 'retry', afterSeconds: 12 })
    fake.server.failNext('creator_info', { status: 502, body: '<html>Bad gateway</html>' })
    expect(tiktok.classifyError(await refusal(tiktok.capabilities(context)))).toEqual({ action: 'retry' })
  })
})
