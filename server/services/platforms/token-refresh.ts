// One refresh of one account's tokens, never two at once. TikTok rotates its refresh token: the first use kills it,
// so two workers refreshing together would leave one of them with a dead token and the account disconnected. The
// refresh therefore runs under a transaction-scoped advisory lock per account; whoever takes it second re-reads
// the row and, seeing that the other already refreshed, uses the new token instead of refreshing again. The new
// tokens are written in the same transaction (one UPDATE: access and rotated refresh token together).
import type { PrismaClient, SocialAccount } from '../../generated/prisma/client'
import type { SecretBox } from '../security/secrets'
import { failureReason, recordAccountFailure } from './account-health'
import type { PlatformApp, PlatformConnector } from './connector'
import { saveAccountTokens } from './token-save'

/** What the token store needs of a connector: its refresh, its error classification and its refresh lead. */
export type TokenConnector = Pick<PlatformConnector, 'key' | 'refresh' | 'classifyError' | 'refreshLeadSeconds'>

/** A refresh that hangs gives up after this, so the lock (and on PGlite, the one session) is let go. */
export const REFRESH_TIMEOUT_MS = 20_000
const TRANSACTION_TIMEOUT_MS = REFRESH_TIMEOUT_MS + 10_000

export interface RefreshOutcome {
  /** The access token to use now: the new one, or the one another worker got meanwhile. */
  accessToken: string
  refreshed: boolean
}

/** The app with a fetch that gives up after REFRESH_TIMEOUT_MS. */
function withTimeout(app: PlatformApp): PlatformApp {
  const base = app.fetch ?? fetch
  return {
    ...app,
    fetch: (input, init) => {
      const timeout = AbortSignal.timeout(REFRESH_TIMEOUT_MS)
      return base(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout })
    },
  }
}

/**
 * Refreshes `accountId` under its lock, unless `stillNeeded` (asked of the row as it is once the lock is held, with
 * its plain access token) says another worker already did. A refused refresh is recorded on the account (temporary
 * until it repeats) and thrown.
 */
export async function refreshAccount(
  db: PrismaClient,
  box: SecretBox,
  connector: TokenConnector,
  app: PlatformApp,
  accountId: string,
  stillNeeded: (row: SocialAccount, accessToken: string) => boolean,
): Promise<RefreshOutcome> {
  let refused: { error: unknown, secrets: (string | undefined)[] } | undefined
  const outcome = await db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`account-refresh:${accountId}`}, 0))`
    const row = await tx.socialAccount.findUniqueOrThrow({ where: { id: accountId } })
    const accessToken = box.decrypt(row.accessTokenEnc)
    if (!stillNeeded(row, accessToken)) return { accessToken, refreshed: false }
    const refreshToken = row.refreshTokenEnc ? box.decrypt(row.refreshTokenEnc) : undefined
    try {
      const tokens = await connector.refresh(withTimeout(app), { accessToken, refreshToken })
      await saveAccountTokens(tx, box, accountId, tokens)
      return { accessToken: tokens.accessToken, refreshed: true }
    }
    catch (error) {
      // Nothing was written; the failure is recorded once the lock is let go.
      refused = { error, secrets: [accessToken, refreshToken, app.clientSecret] }
      return null
    }
  }, { maxWait: TRANSACTION_TIMEOUT_MS, timeout: TRANSACTION_TIMEOUT_MS })
  if (refused) {
    await recordAccountFailure(db, accountId, failureReason(refused.error, refused.secrets), connector.classifyError(refused.error).action)
    throw refused.error
  }
  return outcome!
}
