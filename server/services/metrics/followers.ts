// One metrics.followers job: an account's own numbers (followers), read once a day through the connector's
// `accountMetrics` with the account's token, stored as an AccountSnapshot. Like a pull, platform trouble moves the
// account's due time (the sweep sends the job again then) and never throws.
import type { Prisma } from '../../generated/prisma/client'
import { connectors } from '../platforms'
import type { PlatformConnector } from '../platforms/connector'
import { AccountNeedsReconnect, withAccountToken } from '../platforms/tokens'
import { redact } from '../posts/record'
import { pullRetrySeconds } from './pull'
import { quotaWait, recordReads } from './quota'
import { nextAccountMetricsPull } from './schedule'
import { configuredApp, type AccountJobData, type MetricsWorkerDeps } from './worker'

/** How far a worker's clock may lag the sweep's before a due account reads as not due. */
const CLOCK_GRACE_MS = 60_000

const toJson = (value: unknown) => JSON.parse(JSON.stringify(value ?? {})) as Prisma.InputJsonValue

export async function runAccountMetrics(deps: Omit<MetricsWorkerDeps, 'sendPull'>, data: AccountJobData): Promise<{ outcome: string }> {
  const { db } = deps
  const now = deps.now?.() ?? new Date()
  const account = await db.socialAccount.findFirst({ where: { id: data.socialAccountId, workspaceId: data.workspaceId } })
  if (!account) return { outcome: 'skipped: no such account' }
  if (account.status !== 'active') return { outcome: 'skipped: the account needs reconnecting' }
  // A second job the sweep sent while an earlier one ran (the queue lets one wait while one runs) finds the day's
  // count taken: reading again would store it twice and spend the platform's quota twice. A minute's grace covers a
  // worker whose clock is a little behind the sweep's; after a read the next one is a day away.
  if (!account.accountMetricsDueAt || account.accountMetricsDueAt.getTime() > now.getTime() + CLOCK_GRACE_MS) return { outcome: 'skipped: read already, next due later' }
  const dueAt = (at: Date) => db.socialAccount.updateMany({ where: { id: account.id, workspaceId: data.workspaceId }, data: { accountMetricsDueAt: at } })
  const connector: PlatformConnector = connectors[account.platform]
  if (!connector.accountMetrics) {
    await dueAt(nextAccountMetricsPull(now))
    return { outcome: 'skipped: the platform gives no account numbers' }
  }
  const app = configuredApp(deps, account.platform)
  if (!app) {
    await dueAt(nextAccountMetricsPull(now))
    return { outcome: `skipped: ${account.platform} is not set up on this server` }
  }
  const reads = connector.metricsReads
  const full = reads ? await quotaWait(db, account.id, reads, 1, now) : null
  if (full) {
    await dueAt(new Date(now.getTime() + full.seconds * 1000))
    return { outcome: `waiting: ${full.reason}` }
  }
  try {
    const numbers = await withAccountToken(db, deps.box, connector, app, account.id, context => connector.accountMetrics!(context))
    if (reads) await recordReads(db, data.workspaceId, account.id, reads, 1)
    await db.$transaction([
      db.accountSnapshot.create({ data: { workspaceId: data.workspaceId, socialAccountId: account.id, capturedAt: now, followers: numbers.followers ?? null, raw: toJson(redact(numbers.raw)) } }),
      db.socialAccount.updateMany({ where: { id: account.id, workspaceId: data.workspaceId }, data: { accountMetricsDueAt: nextAccountMetricsPull(now) } }),
    ])
    return { outcome: numbers.followers === undefined ? 'read: followers not given' : `read: ${numbers.followers} followers` }
  }
  catch (error) {
    const { action, ...rest } = connector.classifyError(error)
    // withAccountToken has marked the account; the sweep reads it again once it is reconnected.
    if (error instanceof AccountNeedsReconnect || action === 'disconnect' || action === 'refresh') return { outcome: 'stopped: the account needs reconnecting' }
    if (action === 'retry') {
      await dueAt(new Date(now.getTime() + pullRetrySeconds(2, 'afterSeconds' in rest ? rest.afterSeconds : undefined) * 1000))
      return { outcome: 'waiting: the platform asked to try later' }
    }
    await dueAt(nextAccountMetricsPull(now))
    return { outcome: `skipped today: ${(error as Error).message.slice(0, 200)}` }
  }
}
