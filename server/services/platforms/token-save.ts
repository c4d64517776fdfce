// Storing a platform's tokens on a SocialAccount row: encrypted (server/services/security/secrets.ts), in one UPDATE.
import type { Prisma, PrismaClient } from '../../generated/prisma/client'
import type { SecretBox } from '../security/secrets'
import type { TokenSet } from './connector'

/**
 * Saves tokens the platform just gave (a connection, a refresh). A reply without a refresh token keeps the stored
 * one (Google leaves it out of a refresh); a new one (TikTok rotates it on every refresh) is written in the same
 * statement as the access token, so the two can never be apart. The account is active again, its failures cleared.
 */
export async function saveAccountTokens(db: PrismaClient | Prisma.TransactionClient, box: SecretBox, accountId: string, tokens: TokenSet): Promise<void> {
  const refresh = tokens.refreshToken
    ? { refreshTokenEnc: box.encrypt(tokens.refreshToken), refreshExpiresAt: tokens.refreshExpiresAt ?? null }
    : tokens.refreshExpiresAt ? { refreshExpiresAt: tokens.refreshExpiresAt } : {}
  await db.socialAccount.update({
    where: { id: accountId },
    data: {
      accessTokenEnc: box.encrypt(tokens.accessToken),
      ...refresh,
      // No expiry means the token does not expire (a Facebook Page token): the sweep leaves it alone.
      tokenExpiresAt: tokens.expiresAt ?? null,
      // A refresh reply without scopes has not taken any away.
      ...(tokens.scopes.length > 0 ? { scopes: tokens.scopes } : {}),
      lastRefreshedAt: new Date(),
      status: 'active',
      failureCount: 0,
      lastError: null,
      lastErrorAt: null,
    },
  })
}
