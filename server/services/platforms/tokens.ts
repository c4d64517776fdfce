// The token store: every platform call on a connected account goes through withAccountToken, which decrypts the
// access token, makes the call, and when the platform refuses the token (the connector classifies it `refresh`)
// refreshes once and tries the call once more. Refreshes are serialised per account (token-refresh.ts), failures
// counted (account-health.ts), and tokens saved encrypted in one statement (token-save.ts).
import type { PrismaClient } from '../../generated/prisma/client'
import type { SecretBox } from '../security/secrets'
import { AccountNeedsReconnect, failureReason, recordAccountFailure, recordAccountSuccess } from './account-health'
import type { AccountContext, PlatformApp } from './connector'
import { refreshAccount, type TokenConnector } from './token-refresh'

export { saveAccountTokens } from './token-save'
export type { TokenConnector } from './token-refresh'
export { AccountNeedsReconnect, recordAccountFailure, recordAccountSuccess } from './account-health'

export interface AccountCallOptions {
  signal?: AbortSignal
}

/**
 * Runs `call` with the account's plain access token. A token the platform refuses is refreshed once (or taken from
 * another worker that refreshed it meanwhile) and the call runs once more. An account that needs reconnecting is
 * refused before any call; a refusal that means the access is gone (`disconnect`) or an auth error that survives the
 * refresh is recorded on the account. Other errors (rate limits, bad input) are the caller's to handle.
 */
export async function withAccountToken<T>(
  db: PrismaClient,
  box: SecretBox,
  connector: TokenConnector,
  app: PlatformApp,
  accountId: string,
  call: (account: AccountContext) => Promise<T>,
  options: AccountCallOptions = {},
): Promise<T> {
  const account = await db.socialAccount.findUniqueOrThrow({ where: { id: accountId } })
  if (account.status !== 'active') throw new AccountNeedsReconnect(accountId, account.lastError)
  const context = (accessToken: string): AccountContext => ({
    app,
    externalId: account.externalId,
    accessToken,
    metadata: (account.metadata ?? {}) as Record<string, unknown>,
    scopes: account.scopes,
    signal: options.signal,
  })

  const run = async (accessToken: string, mayRefresh: boolean): Promise<T> => {
    try {
      const result = await call(context(accessToken))
      await recordAccountSuccess(db, accountId)
      return result
    }
    catch (error) {
      const { action } = connector.classifyError(error)
      if (action === 'refresh' && mayRefresh) {
        // Refresh unless another worker already replaced the token this call was refused with.
        const fresh = await refreshAccount(db, box, connector, app, accountId, (_row, current) => current === accessToken)
        return run(fresh.accessToken, false)
      }
      if (action === 'refresh' || action === 'disconnect') {
        await recordAccountFailure(db, accountId, failureReason(error, [accessToken, app.clientSecret]), action)
      }
      throw error
    }
  }
  return run(box.decrypt(account.accessTokenEnc), true)
}
