// Counted platform limits: each publish records what it uses (PlatformUsage), and what is used now is summed over the
// limit's window in SQL, so a calendar day is the platform's own (YouTube's resets at midnight Pacific).
import type { LimitUse } from '#shared/accounts'
import { Prisma, type PrismaClient } from '../../generated/prisma/client'
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
