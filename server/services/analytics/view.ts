// Everything the Analytics page draws, in one answer: each post's snapshots and outcome, each account's trend (log value
// against the rolling median its outcome used) and followers, the pattern leaderboard, the experiments, the model in
// words. Every row is read by workspaceId; the filters (platform, account, days in the workspace's zone) apply to all.
import type { Prisma, PrismaClient } from '../../generated/prisma/client'
import {
  ANALYTICS_POST_LIMIT, outcomeMetrics, type AnalyticsAccountView, type AnalyticsPostView, type AnalyticsQuery, type AnalyticsTrendView,
  type AnalyticsView, type LearningSettings, type OutcomeHorizon, type OutcomeMetricKey,
} from '#shared/analytics'
import type { PlatformKey } from '#shared/platforms/keys'
import { listExperiments } from './experiments'
import { scoreFilterOf } from './filter'
import { modelExplanation } from './posterior'
import { patternScores, type ScoreFilter } from './scores'

const accountName = (account: { displayName: string | null, handle: string | null, platform: string }) => account.displayName || account.handle || account.platform

export function settingsOfRow(row: { outcomeMetric: string, outcomeHorizonHours: number, exploration: number }): LearningSettings {
  return {
    outcomeMetric: (outcomeMetrics as readonly string[]).includes(row.outcomeMetric) ? row.outcomeMetric as OutcomeMetricKey : 'views',
    outcomeHorizonHours: row.outcomeHorizonHours as OutcomeHorizon,
    exploration: row.exploration,
  }
}

const publishedAtRange = (filter: ScoreFilter) => (filter.from || filter.to
  ? { publishedAt: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lt: filter.to } : {}) } }
  : {})

/** The published posts the filters keep (gone-upstream posts included: they keep the numbers they had). */
function postWhere(workspaceId: string, filter: ScoreFilter): Prisma.PostWhereInput {
  return {
    workspaceId,
    status: 'published',
    publishedAt: { not: null, ...publishedAtRange(filter).publishedAt },
    ...(filter.socialAccountId ? { socialAccountId: filter.socialAccountId } : {}),
    ...(filter.platform ? { socialAccount: { workspaceId, platform: filter.platform } } : {}),
  }
}

function outcomeWhere(workspaceId: string, filter: ScoreFilter): Prisma.PostOutcomeWhereInput {
  return {
    workspaceId,
    post: { workspaceId, status: 'published' },
    ...publishedAtRange(filter),
    ...(filter.socialAccountId ? { socialAccountId: filter.socialAccountId } : {}),
    ...(filter.platform ? { socialAccount: { workspaceId, platform: filter.platform } } : {}),
  }
}

const HOUR = 3_600_000
const toNumber = (value: bigint | number | null) => (value === null ? null : Number(value))

async function postsOf(db: PrismaClient, workspaceId: string, filter: ScoreFilter, limit: number): Promise<AnalyticsPostView[]> {
  const rows = await db.post.findMany({
    where: postWhere(workspaceId, filter),
    select: {
      id: true, caption: true, title: true, permalink: true, publishedAt: true, goneUpstreamAt: true, socialAccountId: true,
      socialAccount: { select: { platform: true, displayName: true, handle: true } },
      outcome: { select: { metric: true, horizonHours: true, logValue: true, baseline: true, baselinePosts: true, outcome: true, reason: true } },
    },
    orderBy: [{ publishedAt: 'desc' }, { id: 'desc' }],
    take: limit,
  })
  const snapshots = rows.length
    ? await db.metricSnapshot.findMany({
        where: { workspaceId, postId: { in: rows.map(row => row.id) } },
        select: { postId: true, capturedAt: true, ageHours: true, views: true, likes: true, comments: true, shares: true, saves: true, watchTimeSec: true },
        orderBy: [{ ageHours: 'asc' }, { capturedAt: 'asc' }],
      })
    : []
  const byPost = Map.groupBy(snapshots, snapshot => snapshot.postId)
  return rows.map(row => ({
    id: row.id,
    caption: row.caption,
    title: row.title,
    permalink: row.permalink,
    platform: row.socialAccount.platform as PlatformKey,
    accountId: row.socialAccountId,
    accountName: accountName(row.socialAccount),
    publishedAt: row.publishedAt!.toISOString(),
    gone: row.goneUpstreamAt !== null,
    snapshots: (byPost.get(row.id) ?? []).map(snapshot => ({
      capturedAt: snapshot.capturedAt.toISOString(),
      ageHours: snapshot.ageHours,
      views: toNumber(snapshot.views),
      likes: snapshot.likes,
      comments: snapshot.comments,
      shares: snapshot.shares,
      saves: snapshot.saves,
      watchTimeSec: snapshot.watchTimeSec,
    })),
    outcome: row.outcome ? { ...row.outcome, metric: row.outcome.metric as OutcomeMetricKey } : null,
  }))
}

async function trendsOf(db: PrismaClient, workspaceId: string, filter: ScoreFilter, accounts: AnalyticsAccountView[]): Promise<AnalyticsTrendView[]> {
  const shown = accounts.filter(account => (!filter.platform || account.platform === filter.platform) && (!filter.socialAccountId || account.id === filter.socialAccountId))
  if (!shown.length) return []
  const ids = shown.map(account => account.id)
  const [outcomes, followers] = await Promise.all([
    db.postOutcome.findMany({
      where: { ...outcomeWhere(workspaceId, filter), socialAccountId: { in: ids } },
      select: { postId: true, socialAccountId: true, publishedAt: true, logValue: true, baseline: true, outcome: true },
      orderBy: [{ publishedAt: 'asc' }, { postId: 'asc' }],
    }),
    db.accountSnapshot.findMany({
      where: {
        workspaceId, socialAccountId: { in: ids }, followers: { not: null },
        ...(filter.from || filter.to ? { capturedAt: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lt: filter.to } : {}) } } : {}),
      },
      select: { socialAccountId: true, capturedAt: true, followers: true },
      orderBy: { capturedAt: 'asc' },
    }),
  ])
  const outcomesBy = Map.groupBy(outcomes, row => row.socialAccountId)
  const followersBy = Map.groupBy(followers, row => row.socialAccountId)
  return shown.map(account => ({
    ...account,
    points: (outcomesBy.get(account.id) ?? []).map(row => ({ postId: row.postId, publishedAt: row.publishedAt.toISOString(), logValue: row.logValue, baseline: row.baseline, outcome: row.outcome })),
    followers: (followersBy.get(account.id) ?? []).map(row => ({ capturedAt: row.capturedAt.toISOString(), followers: row.followers! })),
  }))
}

/** When the next post still short of the horizon reaches it: the first moment new numbers can appear. */
async function nextOutcomeAt(db: PrismaClient, workspaceId: string, filter: ScoreFilter, horizonStart: Date, horizonHours: number): Promise<string | null> {
  const where = postWhere(workspaceId, filter)
  const waiting = await db.post.findFirst({
    where: { ...where, AND: [{ publishedAt: { gt: horizonStart } }], outcome: null, goneUpstreamAt: null },
    select: { publishedAt: true },
    orderBy: { publishedAt: 'asc' },
  })
  return waiting ? new Date(waiting.publishedAt!.getTime() + horizonHours * HOUR).toISOString() : null
}

export interface AnalyticsViewOptions {
  /** How many of the newest posts carry their snapshots (the CSV export takes more). */
  postLimit?: number
}

export async function analyticsView(db: PrismaClient, workspaceId: string, query: AnalyticsQuery, options: AnalyticsViewOptions = {}): Promise<AnalyticsView> {
  const limit = options.postLimit ?? ANALYTICS_POST_LIMIT
  const workspace = await db.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { timeZone: true, outcomeMetric: true, outcomeHorizonHours: true, exploration: true } })
  const settings = settingsOfRow(workspace)
  const filter = scoreFilterOf(query, workspace.timeZone)
  const accountRows = await db.socialAccount.findMany({
    where: { workspaceId },
    select: { id: true, platform: true, displayName: true, handle: true },
    orderBy: [{ platform: 'asc' }, { createdAt: 'asc' }],
  })
  const accounts = accountRows.map(row => ({ id: row.id, name: accountName(row), platform: row.platform as PlatformKey }))
  // Posts published before this are past the horizon: their outcome can be read (if the platform gave the numbers).
  const horizonStart = new Date(Date.now() - settings.outcomeHorizonHours * HOUR)
  const [posts, published, pastHorizon, withValue, scored, trends, patterns, experiments, next] = await Promise.all([
    postsOf(db, workspaceId, filter, limit),
    db.post.count({ where: postWhere(workspaceId, filter) }),
    db.post.count({ where: { ...postWhere(workspaceId, filter), AND: [{ publishedAt: { lte: horizonStart } }] } }),
    db.postOutcome.count({ where: outcomeWhere(workspaceId, filter) }),
    db.postOutcome.count({ where: { ...outcomeWhere(workspaceId, filter), outcome: { not: null } } }),
    trendsOf(db, workspaceId, filter, accounts),
    patternScores(db, workspaceId, filter),
    listExperiments(db, workspaceId, filter),
    nextOutcomeAt(db, workspaceId, filter, horizonStart, settings.outcomeHorizonHours),
  ])
  return {
    settings,
    timeZone: workspace.timeZone,
    accounts,
    posts,
    counts: { published, pastHorizon, withValue, scored, shown: posts.length, capped: published > posts.length },
    nextOutcomeAt: next,
    trends,
    patterns,
    experiments,
    model: modelExplanation(settings),
  }
}
