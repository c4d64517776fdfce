// The Usage page's figures: the ledger summed by day (in the workspace's time zone) and purpose in one SQL query, and
// this month's spend against the budget. Rows are never read one by one: a busy workspace has many thousands.
import { addDays, daysBetween, todayIn, type AiUsageDay, type AiUsageFigures, type AiUsageReport } from '#shared/ai'
import type { PrismaClient } from '../../generated/prisma/client'
import { notFound } from '../errors'
import { monthSpend } from './ledger'

interface UsageCell {
  day: string
  purpose: string
  calls: number
  cacheHits: number
  failed: number
  inputTokens: number
  cachedTokens: number
  outputTokens: number
  costUsd: string
}

const emptyFigures = (): AiUsageFigures => ({ calls: 0, cacheHits: 0, failed: 0, inputTokens: 0, cachedTokens: 0, outputTokens: 0, costUsd: 0, hitRate: null })

// Sums of rounded micro-dollars stay exact in binary floating point only after rounding again.
const roundUsd = (value: number) => Math.round(value * 1e6) / 1e6

function add(into: AiUsageFigures, cell: UsageCell): void {
  into.calls += cell.calls
  into.cacheHits += cell.cacheHits
  into.failed += cell.failed
  into.inputTokens += cell.inputTokens
  into.cachedTokens += cell.cachedTokens
  into.outputTokens += cell.outputTokens
  into.costUsd = roundUsd(into.costUsd + Number(cell.costUsd))
  into.hitRate = into.calls ? into.cacheHits / into.calls : null
}

export interface UsageRange {
  from?: string
  to?: string
}

/** The range asked for, or the 30 days up to today in the workspace's zone. */
export function usageRange(range: UsageRange, timeZone: string, now = new Date()): { from: string, to: string } {
  const to = range.to ?? (range.from ? addDays(range.from, 29) : todayIn(timeZone, now))
  return { from: range.from ?? addDays(to, -29), to }
}

export async function readAiUsage(db: PrismaClient, workspaceId: string, range: UsageRange, now = new Date()): Promise<AiUsageReport> {
  const workspace = await db.workspace.findUnique({ where: { id: workspaceId }, select: { timeZone: true, aiSettings: { select: { monthlyBudgetUsd: true } } } })
  if (!workspace) throw notFound('The workspace')
  const { timeZone } = workspace
  const { from, to } = usageRange(range, timeZone, now)

  // A day is the workspace's calendar day: [from 00:00, to + 1 day 00:00) in its zone.
  const [cells, spendUsd] = await Promise.all([
    db.$queryRaw<UsageCell[]>`
      SELECT to_char(c."createdAt" AT TIME ZONE ${timeZone}, 'YYYY-MM-DD') AS day,
        c.purpose,
        COUNT(*)::int AS calls,
        (COUNT(*) FILTER (WHERE c."cacheHit"))::int AS "cacheHits",
        (COUNT(*) FILTER (WHERE c.status = 'failed'))::int AS failed,
        COALESCE(SUM(c."inputTokens"), 0)::float8 AS "inputTokens",
        COALESCE(SUM(c."cachedTokens"), 0)::float8 AS "cachedTokens",
        COALESCE(SUM(c."outputTokens"), 0)::float8 AS "outputTokens",
        COALESCE(SUM(c."costUsd"), 0)::text AS "costUsd"
      FROM "AiCall" c
      WHERE c."workspaceId" = ${workspaceId}::uuid
        AND c."createdAt" >= (${from}::date::timestamp AT TIME ZONE ${timeZone})
        AND c."createdAt" < ((${to}::date + 1)::timestamp AT TIME ZONE ${timeZone})
      GROUP BY 1, 2`,
    monthSpend(db, workspaceId),
  ])

  const days = new Map<string, AiUsageDay>()
  for (let index = 0; index <= daysBetween(from, to); index++) {
    const day = addDays(from, index)
    days.set(day, { day, ...emptyFigures(), costByPurpose: {}, callsByPurpose: {} })
  }
  const totals = emptyFigures()
  const purposes = new Map<string, AiUsageFigures>()
  for (const cell of cells) {
    const day = days.get(cell.day)
    if (day) {
      add(day, cell)
      day.costByPurpose[cell.purpose] = roundUsd((day.costByPurpose[cell.purpose] ?? 0) + Number(cell.costUsd))
      day.callsByPurpose[cell.purpose] = (day.callsByPurpose[cell.purpose] ?? 0) + cell.calls
    }
    add(totals, cell)
    if (!purposes.has(cell.purpose)) purposes.set(cell.purpose, emptyFigures())
    add(purposes.get(cell.purpose)!, cell)
  }

  const budgetUsd = workspace.aiSettings?.monthlyBudgetUsd == null ? null : Number(workspace.aiSettings.monthlyBudgetUsd)
  return {
    from,
    to,
    timeZone,
    totals,
    byDay: [...days.values()],
    byPurpose: [...purposes].map(([purpose, figures]) => ({ purpose, ...figures }))
      .sort((a, b) => b.costUsd - a.costUsd || b.calls - a.calls || a.purpose.localeCompare(b.purpose)),
    month: { month: todayIn(timeZone, now).slice(0, 7), spendUsd, budgetUsd, reached: budgetUsd !== null && spendUsd >= budgetUsd },
  }
}
