// The refresh sweep (job accounts.refresh, queued every 5 minutes): active accounts whose access token expires soon
// get a new one before a publish or a metrics pull finds it dead. "Soon" is 10 minutes, or the connector's own lead
// (a 60-day Meta token is exchanged days ahead). A refresh token known to have expired asks for a reconnect at once.
import { platforms, type PlatformKey } from '#shared/platforms/keys'
import type { PrismaClient } from '../../generated/prisma/client'
import type { PlatformAppConfig } from '../config/env'
import type { SecretBox } from '../security/secrets'
import { recordAccountFailure } from './account-health'
import type { PlatformApp } from './connector'
import { platformApp } from './index'
import { refreshAccount, type TokenConnector } from './token-refresh'

export const DEFAULT_REFRESH_LEAD_SECONDS = 10 * 60
const BATCH = 200

/** The connector for a platform and this app's registration with it, or undefined where the server has none. */
export type ConnectorLookup = (platform: PlatformKey) => { connector: TokenConnector, app: PlatformApp } | undefined

/** A lookup over the given connectors, for the platforms whose client id and secret this server is configured with. */
export function connectorLookup(connectors: Partial<Record<PlatformKey, TokenConnector>>, config: { platforms: Record<PlatformKey, PlatformAppConfig | undefined>, appUrl: string }): ConnectorLookup {
  return (platform) => {
    const connector = connectors[platform]
    if (!connector || !config.platforms[platform]) return undefined
    return { connector, app: platformApp(config.platforms, config.appUrl, platform) }
  }
}

export interface SweepReport {
  refreshed: number
  /** Refreshed by another worker between the query and the lock. */
  skipped: number
  failed: number
  /** Due on a platform this server has no connector or registration for: left as they are. */
  unavailable: number
  summary: string
}

export interface SweepOptions {
  now?: Date
}

export async function refreshDueAccounts(db: PrismaClient, box: SecretBox, connectorFor: ConnectorLookup, options: SweepOptions = {}): Promise<SweepReport> {
  const now = options.now ?? new Date()
  const report: SweepReport = { refreshed: 0, skipped: 0, failed: 0, unavailable: 0, summary: '' }
  for (const platform of platforms) {
    const entry = connectorFor(platform)
    const dueBy = new Date(now.getTime() + (entry?.connector.refreshLeadSeconds ?? DEFAULT_REFRESH_LEAD_SECONDS) * 1000)
    const due = await db.socialAccount.findMany({
      where: { platform, status: 'active', tokenExpiresAt: { lte: dueBy } },
      select: { id: true, refreshExpiresAt: true },
      orderBy: { tokenExpiresAt: 'asc' },
      take: BATCH,
    })
    if (!entry) {
      report.unavailable += due.length
      continue
    }
    for (const account of due) {
      if (account.refreshExpiresAt && account.refreshExpiresAt <= now) {
        await recordAccountFailure(db, account.id, `The refresh token expired on ${account.refreshExpiresAt.toISOString().slice(0, 10)}: reconnect the account.`, 'disconnect')
        report.failed += 1
        continue
      }
      try {
        // Still due once the lock is held: another worker's refresh meanwhile moved the expiry on.
        const outcome = await refreshAccount(db, box, entry.connector, entry.app, account.id,
          row => row.status === 'active' && row.tokenExpiresAt !== null && row.tokenExpiresAt <= dueBy)
        if (outcome.refreshed) report.refreshed += 1
        else report.skipped += 1
      }
      catch {
        // Recorded on the account by refreshAccount (temporary until it repeats); the others still get their turn.
        report.failed += 1
      }
    }
  }
  report.summary = `Refreshed ${report.refreshed} account${report.refreshed === 1 ? '' : 's'}`
    + (report.skipped ? `, ${report.skipped} already refreshed` : '')
    + (report.failed ? `, ${report.failed} failed (see each account)` : '')
    + (report.unavailable ? `, ${report.unavailable} due on a platform this server is not set up for` : '')
  return report
}
