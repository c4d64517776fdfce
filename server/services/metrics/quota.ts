// Whether a metrics read fits the platform's counted limits (YouTube's daily units, Meta's hourly calls), and what it
// used once it ran. Reads share the PlatformUsage rows publishing writes, so neither can spend the other's budget.
import type { PrismaClient } from '../../generated/prisma/client'
import type { MetricsReads, PlatformLimit } from '../platforms/connector'
import { limitUsage, recordUsage, secondsUntilDailyReset } from '../platforms/limits'

export interface QuotaWait { seconds: number, reason: string }

/** How long until a rolling window has room again: a quarter of it (at least a minute), as publishing waits. */
const rollingWaitSeconds = (limit: PlatformLimit & { window: { rollingSeconds: number } }) => Math.max(60, Math.ceil(limit.window.rollingSeconds / 4))

/** Null when `calls` more calls fit every limit; else how long to wait and why (the first limit that is full). */
export async function quotaWait(db: PrismaClient, socialAccountId: string, reads: MetricsReads, calls: number, now: Date): Promise<QuotaWait | null> {
  if (!reads.limits.length) return null
  const usage = await limitUsage(db, socialAccountId, reads.limits.map(entry => entry.limit))
  for (const [index, { limit, perCall }] of reads.limits.entries()) {
    if (usage[index]!.used + perCall * calls <= limit.max) continue
    const seconds = 'rollingSeconds' in limit.window ? rollingWaitSeconds({ ...limit, window: limit.window }) : secondsUntilDailyReset(now, limit.window.dayInZone)
    return { seconds, reason: `${limit.label}: ${usage[index]!.used} used` }
  }
  return null
}

/** Records what `calls` metrics calls used of each limit. */
export async function recordReads(db: PrismaClient, workspaceId: string, socialAccountId: string, reads: MetricsReads, calls: number): Promise<void> {
  for (const { limit, perCall } of reads.limits) {
    if (perCall * calls > 0) await recordUsage(db, workspaceId, socialAccountId, limit.key, perCall * calls)
  }
}
