// Counted platform limits: each publish records what it uses (PlatformUsage), and what is used now is summed over the
// limit's window in SQL, so a calendar day is the platform's own (YouTube's resets at midnight Pacific).
import type { LimitUse } from '#shared/accounts'
import { Prisma, type PrismaClient } from '../../generated/prisma/client'
import { Temporal } from 'temporal-polyfill'
import type { PlatformLimit } from './connector'

function windowStart(limit: PlatformLimit): Prisma.Sql {
  return 'rollingSeconds' in limit.window
    ? Prisma.sql`now() - make_interval(secs => ${limit.window.rollingSeconds}::double precision)`
    : Prisma.sql`(date_trunc('day', now() AT TIME ZONE ${limit.window.dayInZone}) AT TIME ZONE ${limit.window.dayInZone})`
}

/** How much of each limit an account has used in the limit's current window. */
export async function limitUsage(db: PrismaClient, socialAccountId: string, limits: PlatformLimit[]): Promise<LimitUse[]> {
  return Promise.all(limits.map(async (limit) => {
    const [row] = await db.$queryRaw<{ used: bigint | number | null }[]>`
      SELECT sum(amount) AS used FROM "PlatformUsage"
      WHERE "socialAccountId" = ${socialAccountId}::uuid AND "limitKey" = ${limit.key} AND at >= ${windowStart(limit)}`
    return { key: limit.key, label: limit.label, used: Number(row?.used ?? 0), max: limit.max }
  }))
}

/** Records what one call used of a limit. */
export async function recordUsage(db: PrismaClient | Prisma.TransactionClient, workspaceId: string, socialAccountId: string, limitKey: string, amount: number): Promise<void> {
  await db.platformUsage.create({ data: { workspaceId, socialAccountId, limitKey, amount } })
}

/**
 * Seconds from `now` to the next midnight in `zone`, when a daily limit (YouTube's units, at midnight Pacific) fills
 * again. Temporal finds that midnight, so a day of 23 or 25 hours across a DST change is counted right.
 */
export function secondsUntilDailyReset(now: Date, zone: string): number {
  const today = Temporal.Instant.fromEpochMilliseconds(now.getTime()).toZonedDateTimeISO(zone)
  const midnight = today.toPlainDate().add({ days: 1 }).toZonedDateTime({ timeZone: zone })
  return Math.max(1, Math.ceil((midnight.epochMilliseconds - now.getTime()) / 1000))
}
