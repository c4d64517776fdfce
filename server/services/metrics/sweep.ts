// Every 5 minutes: one metrics.pull job for each account with published posts due a pull, and one metrics.followers
// job for each account whose daily numbers are due. Only accounts that work (status active) are sent: an account that
// needs reconnecting keeps its posts' due times, and a late pull then skips to the next step (schedule.ts).
// Each job is keyed by account, so a job still waiting (a platform's Retry-After) makes the sweep's send a no-op.
import type { PrismaClient } from '../../generated/prisma/client'
import type { MetricsJobs } from './worker'

/** Accounts sent per sweep at most; the rest go at the next. */
const ACCOUNTS_PER_SWEEP = 2000

export interface MetricsSweepOptions {
  now?: Date
  /** Only these workspaces' accounts (a test's own, on the run's shared database); every workspace when unset. */
  workspaceIds?: string[]
}

export async function sweepMetrics(db: PrismaClient, jobs: Pick<MetricsJobs, 'sendPulls' | 'sendFollowers'>, options: MetricsSweepOptions = {}): Promise<{ pulls: number, followers: number }> {
  const now = options.now ?? new Date()
  const workspaces = options.workspaceIds ? { workspaceId: { in: options.workspaceIds } } : {}
  const due = await db.post.groupBy({
    by: ['workspaceId', 'socialAccountId'],
    // The account's own workspace too: a post row naming another workspace's account is never sent under it.
    where: { ...workspaces, metricsDueAt: { lte: now }, status: 'published', goneUpstreamAt: null, externalId: { not: null }, publishedAt: { not: null }, socialAccount: { status: 'active' } },
    orderBy: { _min: { metricsDueAt: 'asc' } },
    take: ACCOUNTS_PER_SWEEP,
  })
  const accounts = await db.socialAccount.findMany({
    where: { ...workspaces, status: 'active', accountMetricsDueAt: { lte: now } },
    select: { id: true, workspaceId: true }, orderBy: { accountMetricsDueAt: 'asc' }, take: ACCOUNTS_PER_SWEEP,
  })
  const pulls = due.length ? await jobs.sendPulls(due.map(row => ({ workspaceId: row.workspaceId, socialAccountId: row.socialAccountId }))) : 0
  const followers = accounts.length ? await jobs.sendFollowers(accounts.map(account => ({ workspaceId: account.workspaceId, socialAccountId: account.id }))) : 0
  return { pulls, followers }
}
