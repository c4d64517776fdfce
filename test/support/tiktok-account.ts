// A TikTok account connected the way a creator does it (authorize page → redirect → code exchange → user info),
// against the loopback TikTok, for the connector tests.
import { expect } from 'vitest'
import { PlatformError, type AccountContext, type PlatformApp, type PlatformConnector, type TokenSet } from '../../server/services/platforms/connector'
import type { FakeTiktok } from './fake-tiktok'

export const appFor = (fake: FakeTiktok): PlatformApp => ({
  clientId: fake.options.clientKey,
  clientSecret: fake.options.clientSecret,
  redirectUri: fake.options.redirectUri,
  baseUrl: fake.url,
})

export async function connectTiktok(connector: PlatformConnector, app: PlatformApp): Promise<TokenSet> {
  const page = await fetch(connector.authorizeUrl(app, { state: 'state-1' }), { redirect: 'manual' })
  expect(page.status).toBe(302)
  const back = new URL(page.headers.get('location')!)
  expect(back.searchParams.get('state')).toBe('state-1')
  return connector.exchangeCode(app, { code: back.searchParams.get('code')! })
}

export async function tiktokAccount(connector: PlatformConnector, app: PlatformApp): Promise<AccountContext & { tokens: TokenSet }> {
  const tokens = await connectTiktok(connector, app)
  const [connected] = await connector.accounts(app, tokens)
  return { app, externalId: connected!.externalId, accessToken: tokens.accessToken, metadata: connected!.metadata, tokens }
}

/** The PlatformError a call failed with, checked to name none of `secrets` (tokens, the client secret). */
export async function tiktokRefusal(promise: Promise<unknown>, secrets: string[]): Promise<PlatformError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught)
  expect(error).toBeInstanceOf(PlatformError)
  const told = `${(error as Error).message} ${JSON.stringify((error as PlatformError).details)}`
  for (const secret of secrets) expect(told).not.toContain(secret)
  return error as PlatformError
}
