// The token store against a loopback token endpoint: a refresh reply without a refresh token keeps the stored one; a
// rotated one is stored with the access token; two calls refused at once refresh once and both succeed; a failure is
// temporary until it repeats, then the account needs reconnecting with the platform's reason (and no token in it);
// the sweep refreshes only the accounts that are due. Runs on a database of its own, so the sweep sees only these rows.
import { randomBytes, randomUUID } from 'node:crypto'
import { resolve } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest'
import { z } from 'zod'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { migrateIfBehind } from '../../server/services/db/migrate'
import { readMigrationsDir } from '../../server/services/db/migration-files'
import { PlatformError, platformUrl, type AccountContext, type PlatformApp } from '../../server/services/platforms/connector'
import { connectorLookup, refreshDueAccounts } from '../../server/services/platforms/refresh-sweep'
import { AccountNeedsReconnect, saveAccountTokens, withAccountToken, type TokenConnector } from '../../server/services/platforms/tokens'
import { createSecretBox } from '../../server/services/security/secrets'
import { startFakeTokenEndpoint, type FakeTokenEndpoint } from '../support/fake-token-endpoint'
import { createPrisma, createScratchDatabase, type Scratch } from '../support/scratch'

// STAND-IN, to be replaced at merge by the real TikTok and YouTube connectors (server/services/platforms/<key>/):
// the smallest connector that refreshes over HTTP in TikTok's wire format and classifies errors the way
// PLATFORMS.md says (token invalid → refresh; access removed → disconnect; 429/5xx → retry).
const tokenReply = z.object({ access_token: z.string(), expires_in: z.number(), refresh_token: z.string().optional(), refresh_expires_in: z.number().optional(), scope: z.string().optional() })
const oauthError = z.object({ error: z.string(), error_description: z.string().optional() })
const apiReply = z.object({ data: z.object({ user: z.object({ open_id: z.string() }) }).partial(), error: z.object({ code: z.string(), message: z.string() }) })

const standIn: TokenConnector = {
  key: 'tiktok',
  async refresh(app, tokens) {
    const response = await (app.fetch ?? fetch)(platformUrl(app, 'https://open.tiktokapis.com/v2/oauth/token/'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_key: app.clientId, client_secret: app.clientSecret, grant_type: 'refresh_token', refresh_token: tokens.refreshToken ?? '' }),
    })
    const body: unknown = await response.json().catch(() => undefined)
    if (!response.ok) {
      const refused = oauthError.safeParse(body)
      throw new PlatformError('tiktok', `TikTok refused the refresh: ${refused.data?.error ?? response.status} (${refused.data?.error_description ?? 'no reason given'})`, { status: response.status, code: refused.data?.error })
    }
    const reply = tokenReply.safeParse(body)
    if (!reply.success) throw new PlatformError('tiktok', 'TikTok answered the refresh with a reply this app does not read.', { status: response.status })
    const now = Date.now()
    return {
      accessToken: reply.data.access_token,
      refreshToken: reply.data.refresh_token,
      expiresAt: new Date(now + reply.data.expires_in * 1000),
      refreshExpiresAt: reply.data.refresh_expires_in ? new Date(now + reply.data.refresh_expires_in * 1000) : undefined,
      scopes: reply.data.scope?.split(',') ?? [],
    }
  },
  classifyError(error) {
    if (!(error instanceof PlatformError)) return { action: 'retry' }
    const { code, status = 0 } = error.details
    if (code === 'access_token_invalid' || code === 'invalid_grant') return { action: 'refresh' }
    if (code === 'auth_removed') return { action: 'disconnect' }
    if (status === 429 || status >= 500) return { action: 'retry' }
    return { action: 'bad-input' }
  },
}

/** One API call through the account's token: the creator's open_id. */
async function userInfo(account: AccountContext): Promise<string> {
  const response = await (account.app.fetch ?? fetch)(platformUrl(account.app, 'https://open.tiktokapis.com/v2/user/info/?fields=open_id'), { headers: { authorization: `Bearer ${account.accessToken}` } })
  const reply = apiReply.safeParse(await response.json())
  if (!reply.success) throw new PlatformError('tiktok', 'TikTok answered with a reply this app does not read.', { status: response.status })
  if (!response.ok || reply.data.error.code !== 'ok') throw new PlatformError('tiktok', reply.data.error.message, { status: response.status, code: reply.data.error.code })
  return reply.data.data.user!.open_id
}

describe(`the token store on ${inject('databaseKind')}`, () => {
  let scratch: Scratch
  let db: PrismaClient
  let fake: FakeTokenEndpoint
  let app: PlatformApp
  let workspaceId: string
  const box = createSecretBox([randomBytes(32).toString('base64')])
  const CLIENT_SECRET = `client-secret-${randomUUID()}`

  async function connect(tokens: { accessToken: string, refreshToken?: string }, row: { expiresInMs?: number | null, platform?: 'tiktok' | 'youtube', status?: 'active' | 'expired', refreshExpiresAt?: Date } = {}) {
    const expiresInMs = row.expiresInMs === undefined ? 60 * 60_000 : row.expiresInMs
    const account = await db.socialAccount.create({
      data: {
        workspaceId, platform: row.platform ?? 'tiktok', externalId: randomUUID(), status: row.status ?? 'active',
        accessTokenEnc: box.encrypt(tokens.accessToken), refreshTokenEnc: tokens.refreshToken ? box.encrypt(tokens.refreshToken) : null,
        tokenExpiresAt: expiresInMs === null ? null : new Date(Date.now() + expiresInMs), refreshExpiresAt: row.refreshExpiresAt,
        scopes: ['user.info.basic'],
      },
    })
    return account.id
  }
  const stored = async (id: string) => {
    const row = await db.socialAccount.findUniqueOrThrow({ where: { id } })
    return { ...row, accessToken: box.decrypt(row.accessTokenEnc), refreshToken: row.refreshTokenEnc ? box.decrypt(row.refreshTokenEnc) : null }
  }
  const call = (id: string) => withAccountToken(db, box, standIn, app, id, userInfo)

  beforeAll(async () => {
    scratch = await createScratchDatabase(inject('databaseKind'))
    await migrateIfBehind(scratch.url, await readMigrationsDir(resolve(import.meta.dirname, '../../prisma/migrations')))
    db = createPrisma(scratch.url)
    fake = await startFakeTokenEndpoint()
    app = { clientId: 'client-key', clientSecret: CLIENT_SECRET, redirectUri: 'https://app.test/accounts/callback/tiktok', baseUrl: fake.url }
    workspaceId = randomUUID()
    await db.workspace.create({ data: { id: workspaceId, name: 'Tokens', slug: `tokens-${workspaceId}` } })
  }, 120_000)

  beforeEach(() => {
    fake.rotates = true
  })

  afterAll(async () => {
    await fake?.close()
    await db?.$disconnect()
    await scratch?.drop()
  })

  it('keeps the stored refresh token when the refresh reply has none', async () => {
    fake.rotates = false
    const { refreshToken } = fake.issue()
    const refreshExpiresAt = new Date(Date.now() + 86_400_000)
    const id = await connect({ accessToken: 'act.expired', refreshToken }, { refreshExpiresAt })
    const before = fake.server.count('token')
    expect(await call(id)).toBe('open-1')
    expect(fake.server.count('token') - before).toBe(1)
    const row = await stored(id)
    expect(row.refreshToken).toBe(refreshToken)
    expect(row.refreshExpiresAt).toEqual(refreshExpiresAt)
    expect(row.accessToken).not.toBe('act.expired')
    expect(row.scopes).toEqual(['user.info.basic', 'video.publish'])
    expect(row.lastRefreshedAt).not.toBeNull()
    // Saving a set without a refresh token directly keeps it too.
    await saveAccountTokens(db, box, id, { accessToken: 'act.direct', scopes: [] })
    expect(await stored(id)).toMatchObject({ accessToken: 'act.direct', refreshToken, scopes: ['user.info.basic', 'video.publish'], tokenExpiresAt: null })
  })

  it('stores a rotated refresh token with its access token, so the next refresh works', async () => {
    const { refreshToken } = fake.issue()
    const id = await connect({ accessToken: 'act.expired', refreshToken })
    expect(await call(id)).toBe('open-1')
    const first = await stored(id)
    expect(first.refreshToken).not.toBe(refreshToken)
    expect(fake.isLiveRefreshToken(refreshToken)).toBe(false)
    expect(fake.isLiveRefreshToken(first.refreshToken!)).toBe(true)
    expect(first.tokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 7000_000)
    expect(first.refreshExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 170 * 86_400_000)
    // A second refresh uses the stored (rotated) token and is accepted.
    await saveAccountTokens(db, box, id, { accessToken: 'act.dead-again', scopes: [] })
    expect(await call(id)).toBe('open-1')
    expect((await stored(id)).failureCount).toBe(0)
  })

  it('two calls refused at the same time refresh once, and both succeed with the new token', async () => {
    const { refreshToken } = fake.issue()
    const id = await connect({ accessToken: 'act.shared-expired', refreshToken })
    // Both calls are answered 401 only once both have arrived: the refreshes certainly race.
    fake.holdCalls('act.shared-expired', 2)
    const before = fake.server.count('token')
    expect(await Promise.all([call(id), call(id)])).toEqual(['open-1', 'open-1'])
    expect(fake.server.count('token') - before).toBe(1)
    const row = await stored(id)
    expect(fake.isLiveRefreshToken(row.refreshToken!)).toBe(true)
    expect(row).toMatchObject({ status: 'active', failureCount: 0, lastError: null })
  })

  it('counts one failed refresh as temporary and a second as "reconnect needed", with the platform\'s reason and no token', async () => {
    const deadRefresh = `rft.dead.${randomUUID()}`
    const id = await connect({ accessToken: 'act.expired-for-good', refreshToken: deadRefresh })
    await expect(call(id)).rejects.toThrow(/invalid_grant/)
    let row = await stored(id)
    expect(row).toMatchObject({ status: 'active', failureCount: 1 })
    expect(row.lastError).toMatch(/^TikTok refused the refresh: invalid_grant \(Refresh token \[redacted\] is invalid or expired\.\)$/)
    expect(row.lastErrorAt).not.toBeNull()

    await expect(call(id)).rejects.toThrow(/invalid_grant/)
    row = await stored(id)
    expect(row).toMatchObject({ status: 'expired', failureCount: 2 })
    for (const secret of [deadRefresh, 'act.expired-for-good', CLIENT_SECRET]) expect(row.lastError).not.toContain(secret)
    expect(row.lastError).toMatch(/invalid_grant/)

    // Expired: refused before any call, in the platform's words.
    const calls = fake.server.requests.length
    await expect(call(id)).rejects.toThrow(AccountNeedsReconnect)
    await expect(call(id)).rejects.toThrow(/needs reconnecting: TikTok refused the refresh: invalid_grant/)
    expect(fake.server.requests.length).toBe(calls)
    // Reconnecting (new tokens saved) makes it active again, its failures cleared.
    await saveAccountTokens(db, box, id, { ...fake.issue(), scopes: ['user.info.basic'] })
    expect(await stored(id)).toMatchObject({ status: 'active', failureCount: 0, lastError: null, lastErrorAt: null })
    expect(await call(id)).toBe('open-1')
  })

  it('a platform outage during a refresh is noted but never counts; access removed asks to reconnect at once', async () => {
    const { accessToken, refreshToken } = fake.issue()
    const id = await connect({ accessToken: 'act.stale', refreshToken })
    fake.server.failNext('token', { status: 503, body: { error: 'temporarily_unavailable', error_description: 'Try again later.' } }, 2)
    await expect(call(id)).rejects.toThrow(/temporarily_unavailable/)
    await expect(call(id)).rejects.toThrow(/temporarily_unavailable/)
    expect(await stored(id)).toMatchObject({ status: 'active', failureCount: 0, lastError: expect.stringMatching(/temporarily_unavailable/) })
    // The platform is back: the refresh works and the note goes.
    expect(await call(id)).toBe('open-1')
    expect(await stored(id)).toMatchObject({ status: 'active', failureCount: 0, lastError: null })

    const removed = await connect({ accessToken, refreshToken: 'rft.unused' })
    fake.server.failNext('user-info', { status: 401, body: { data: {}, error: { code: 'auth_removed', message: 'The creator removed this app\'s access.', log_id: 'x' } } })
    await expect(call(removed)).rejects.toThrow(/removed this app's access/)
    expect(await stored(removed)).toMatchObject({ status: 'expired', failureCount: 1, lastError: 'The creator removed this app\'s access.' })
  })

  it('the sweep refreshes only active accounts that are due, once, and marks a dead refresh token at once', async () => {
    await db.socialAccount.deleteMany({ where: { workspaceId } })
    const soon = await connect(fake.issue(), { expiresInMs: 5 * 60_000 })
    const past = await connect(fake.issue(), { expiresInMs: -60 * 60_000 })
    const later = await connect(fake.issue(), { expiresInMs: 60 * 60_000 })
    const never = await connect(fake.issue(), { expiresInMs: null })
    const expired = await connect(fake.issue(), { expiresInMs: 60_000, status: 'expired' })
    const noConnector = await connect(fake.issue(), { expiresInMs: 60_000, platform: 'youtube' })
    const refreshGone = await connect(fake.issue(), { expiresInMs: 60_000, refreshExpiresAt: new Date(Date.now() - 1000) })
    const before = await Promise.all([soon, past, later, never, expired, noConnector, refreshGone].map(stored))

    const lookup = connectorLookup({ tiktok: standIn }, { appUrl: 'https://app.test/', platforms: { tiktok: { clientId: 'client-key', clientSecret: CLIENT_SECRET, baseUrl: fake.url }, youtube: undefined, instagram: undefined, facebook: undefined } })
    expect(lookup('tiktok')?.app).toEqual({ clientId: 'client-key', clientSecret: CLIENT_SECRET, baseUrl: fake.url, redirectUri: 'https://app.test/accounts/callback/tiktok' })
    expect(lookup('youtube')).toBeUndefined()
    const tokenCalls = fake.server.count('token')
    // Two sweeps at once (two workers): each due account is refreshed once, whichever sweep gets it.
    const [one, two] = await Promise.all([refreshDueAccounts(db, box, lookup), refreshDueAccounts(db, box, lookup)])
    expect(fake.server.count('token') - tokenCalls).toBe(2)
    expect(one.refreshed + two.refreshed).toBe(2)
    expect(one.unavailable).toBe(1)
    expect(one.summary).toMatch(/^Refreshed \d accounts?/)

    const after = await Promise.all([soon, past, later, never, expired, noConnector, refreshGone].map(stored))
    const changed = after.map((row, index) => row.accessToken !== before[index]!.accessToken)
    expect(changed).toEqual([true, true, false, false, false, false, false])
    for (const row of after.slice(0, 2)) expect(row.tokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 60 * 60_000)
    expect(after[6]).toMatchObject({ status: 'expired', lastError: expect.stringMatching(/^The refresh token expired on \d{4}-\d{2}-\d{2}: reconnect the account\.$/) })

    // Nothing is due any more.
    const again = await refreshDueAccounts(db, box, lookup)
    expect(again).toMatchObject({ refreshed: 0, failed: 0 })
  })
})
