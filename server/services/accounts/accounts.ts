// The workspace's connected accounts and their health, and disconnecting one. Health is said in words with what to
// do: a refresh that failed once is a warning (Reelwise tries again); only a repeat, a revoked grant or a missing
// publish permission asks the creator to reconnect.
import { platformNames, platforms, type PlatformKey } from '#shared/platforms/keys'
import type { AccountHealth, AccountsResponse, AccountView } from '#shared/accounts'
import type { PlatformAppConfig } from '../config/env'
import type { PrismaClient } from '../../generated/prisma/client'
import { recordAudit } from '../audit'
import { notFound } from '../errors'
import { callbackPath, connectors, platformApp } from '../platforms'
import { limitUsage } from '../platforms/limits'
import { isPublicUrl } from '../platforms/reachability'
import type { SecretBox } from '../security/secrets'

type AccountRow = Awaited<ReturnType<PrismaClient['socialAccount']['findMany']>>[number]

const DAY = 24 * 60 * 60 * 1000

/** Google grants scopes as URLs (…/auth/youtube.upload); the connectors name them either way. */
const granted = (scopes: string[], needed: string) => scopes.some(scope => scope === needed || scope.endsWith(`/${needed.split('/').at(-1)}`))

function healthOf(row: AccountRow, missingPublish: string[], missingMetrics: string[], now: Date): { health: AccountHealth, note: string | null } {
  const name = platformNames[row.platform]
  if (row.status === 'revoked') return { health: 'reconnect', note: `Disconnected. Connect ${name} again to publish here.` }
  if (row.status !== 'active') return { health: 'reconnect', note: `${name} needs you to reconnect${row.lastError ? `: ${row.lastError}` : '.'}` }
  if (missingPublish.length) return { health: 'reconnect', note: `Publishing needs a permission that was not granted (${missingPublish.join(', ')}). Reconnect and allow it.` }
  if (row.failureCount > 0) return { health: 'warning', note: `The last call to ${name} failed${row.lastError ? ` (${row.lastError})` : ''}. Reelwise tries again; it asks you to reconnect only if it keeps failing.` }
  if (row.refreshExpiresAt && row.refreshExpiresAt.getTime() - now.getTime() < 7 * DAY) {
    return { health: 'warning', note: `${name} lets Reelwise renew access until ${row.refreshExpiresAt.toISOString().slice(0, 10)}. Reconnect before then to keep publishing.` }
  }
  if (missingMetrics.length) return { health: 'warning', note: `Analytics need a permission that was not granted (${missingMetrics.join(', ')}). Publishing works; reconnect to allow it.` }
  return { health: 'ok', note: null }
}

async function viewOf(db: PrismaClient, row: AccountRow, now: Date): Promise<AccountView> {
  const connector = connectors[row.platform]
  const missingPublish = connector.scopes.publish.filter(scope => !granted(row.scopes, scope))
  const missingMetrics = connector.scopes.metrics.filter(scope => !granted(row.scopes, scope))
  const { health, note } = healthOf(row, missingPublish, missingMetrics, now)
  const metadata = (row.metadata ?? {}) as { notices?: unknown }
  return {
    id: row.id, platform: row.platform, handle: row.handle, displayName: row.displayName, avatarUrl: row.avatarUrl,
    status: row.status, health, healthNote: note,
    tokenExpiresAt: row.tokenExpiresAt?.toISOString() ?? null, refreshExpiresAt: row.refreshExpiresAt?.toISOString() ?? null,
    lastRefreshedAt: row.lastRefreshedAt?.toISOString() ?? null,
    scopesGranted: row.scopes, scopesMissing: [...missingPublish, ...missingMetrics],
    lastError: row.lastError, lastErrorAt: row.lastErrorAt?.toISOString() ?? null,
    limits: row.status === 'revoked' ? [] : await limitUsage(db, row.id, connector.limits),
    notices: Array.isArray(metadata.notices) ? metadata.notices.filter((notice): notice is string => typeof notice === 'string') : [],
    connectedAt: row.createdAt.toISOString(),
  }
}

export async function listAccounts(
  db: PrismaClient, workspaceId: string,
  server: { platforms: Record<PlatformKey, PlatformAppConfig | undefined>, appUrl: string }, canManage: boolean,
): Promise<AccountsResponse> {
  const rows = await db.socialAccount.findMany({ where: { workspaceId }, orderBy: [{ platform: 'asc' }, { createdAt: 'asc' }] })
  const now = new Date()
  return {
    accounts: await Promise.all(rows.map(row => viewOf(db, row, now))),
    platforms: platforms.map(platform => ({
      platform, name: platformNames[platform], configured: Boolean(server.platforms[platform]), pullsFromUrl: connectors[platform].pullsFromUrl,
      redirectUri: new URL(callbackPath(platform), server.appUrl).href,
    })),
    publicUrl: { url: server.appUrl, reachable: isPublicUrl(server.appUrl) },
    canManage,
  }
}

/**
 * Revokes the grant at the platform where it can be, and deletes the tokens. The row stays, marked revoked, so its
 * posts and their numbers keep their account; connecting the same channel again brings it back.
 */
export async function disconnectAccount(
  db: PrismaClient, box: SecretBox, actor: { workspaceId: string, userId: string }, accountId: string,
  server: { platforms: Record<PlatformKey, PlatformAppConfig | undefined>, appUrl: string },
): Promise<{ revokedAtPlatform: boolean }> {
  const row = await db.socialAccount.findFirst({ where: { id: accountId, workspaceId: actor.workspaceId } })
  if (!row) throw notFound('That account')
  let revokedAtPlatform = false
  if (row.status !== 'revoked' && row.accessTokenEnc) {
    try {
      const app = platformApp(server.platforms, server.appUrl, row.platform)
      await connectors[row.platform].revoke(app, {
        accessToken: box.decrypt(row.accessTokenEnc),
        refreshToken: row.refreshTokenEnc ? box.decrypt(row.refreshTokenEnc) : undefined,
      })
      revokedAtPlatform = true
    }
    catch {
      // The tokens go either way: a platform that cannot be reached keeps a grant the creator can remove there.
    }
  }
  await db.socialAccount.update({
    where: { id: row.id },
    data: { accessTokenEnc: '', refreshTokenEnc: null, tokenExpiresAt: null, refreshExpiresAt: null, status: 'revoked', failureCount: 0, lastError: null },
  })
  await recordAudit(db, {
    action: 'account.disconnected', workspaceId: actor.workspaceId, actorId: actor.userId, targetType: 'social_account', targetId: row.id,
    metadata: { platform: row.platform, handle: row.handle ?? row.displayName, revoked: revokedAtPlatform },
  })
  return { revokedAtPlatform }
}
