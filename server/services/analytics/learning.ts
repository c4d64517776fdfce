// The write side of the learning loop: a post's outcome (PostOutcome), its pattern links (links.ts), and each pattern's
// sufficient statistics (Pattern.posts/weight/sum/sumSquares, see posterior.ts).
//
// Incremental: after a pull lands snapshots, foldNewOutcomes computes the outcome of each of the account's posts that
// has none yet and now has a snapshot past the horizon, links the post to its patterns, and adds the outcome to those
// patterns' sums (an SQL increment, so two accounts' pulls never lose each other's update). One transaction per post;
// the PostOutcome row's primary key makes a repeat a no-op.
// Rebuild: rebuildLearning recomputes every outcome, link and sum of the workspace from the snapshots, in one
// transaction. Sums are order-free, so it gives the incremental result (a test). It runs when the workspace changes its
// metric or horizon, when an earlier post's value arrives after later posts were scored (their baselines move), and
// daily (analytics.rebuild), which heals anything a failed fold left out.
import type { Prisma, PrismaClient } from '../../generated/prisma/client'
import { outcomeMetrics, type OutcomeMetricKey } from '#shared/analytics'
import { ensurePatterns, linkPost, linksOfPosts } from './links'
import { logOutcome, normalisedOutcome, type LogOutcome, type OutcomeMetric } from './outcome'
import { SOURCE_WEIGHTS } from './posterior'

export const OUTCOME_METRICS: Record<OutcomeMetricKey, OutcomeMetric> = {
  views: { kind: 'count', field: 'views' },
  saves_per_view: { kind: 'ratio', numerator: 'saves', denominator: 'views' },
  shares_per_view: { kind: 'ratio', numerator: 'shares', denominator: 'views' },
  likes_per_view: { kind: 'ratio', numerator: 'likes', denominator: 'views' },
  comments_per_view: { kind: 'ratio', numerator: 'comments', denominator: 'views' },
  watch_time_per_view: { kind: 'ratio', numerator: 'watchTimeSec', denominator: 'views' },
}

export interface LearningSettingsRow { outcomeMetric: string, outcomeHorizonHours: number }

export function metricOf(settings: LearningSettingsRow): OutcomeMetric {
  const key = (outcomeMetrics as readonly string[]).includes(settings.outcomeMetric) ? settings.outcomeMetric as OutcomeMetricKey : 'views'
  return OUTCOME_METRICS[key]
}

const snapshotSelect = { postId: true, ageHours: true, views: true, likes: true, comments: true, shares: true, saves: true, reach: true, watchTimeSec: true } as const

// Published posts that are scored: gone-upstream posts keep the numbers they had.
const scoredPosts = (workspaceId: string, socialAccountId?: string) => ({ workspaceId, ...(socialAccountId ? { socialAccountId } : {}), status: 'published' as const, publishedAt: { not: null } })

async function logOutcomes(db: PrismaClient, workspaceId: string, postIds: string[], settings: LearningSettingsRow): Promise<Map<string, LogOutcome>> {
  if (!postIds.length) return new Map()
  const snapshots = await db.metricSnapshot.findMany({ where: { workspaceId, postId: { in: postIds } }, select: snapshotSelect })
  const byPost = Map.groupBy(snapshots, snapshot => snapshot.postId)
  const metric = metricOf(settings)
  return new Map(postIds.map(id => [id, logOutcome(byPost.get(id) ?? [], metric, settings.outcomeHorizonHours)]))
}

async function settingsOf(db: PrismaClient, workspaceId: string): Promise<LearningSettingsRow> {
  return db.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { outcomeMetric: true, outcomeHorizonHours: true } })
}

export interface FoldResult { scored: number, folded: number, rebuilt: boolean }

/** Scores the account's posts that reached the horizon since the last call (see the top of the file). */
export async function foldNewOutcomes(db: PrismaClient, workspaceId: string, socialAccountId: string): Promise<FoldResult> {
  const settings = await settingsOf(db, workspaceId)
  const posts = await db.post.findMany({
    where: scoredPosts(workspaceId, socialAccountId),
    select: { id: true, publishedAt: true, outcome: { select: { logValue: true, metric: true, horizonHours: true } } },
    orderBy: [{ publishedAt: 'asc' }, { id: 'asc' }],
  })
  if (posts.some(post => post.outcome && (post.outcome.metric !== settings.outcomeMetric || post.outcome.horizonHours !== settings.outcomeHorizonHours))) {
    return { ...(await rebuildLearning(db, workspaceId)), rebuilt: true }
  }
  const unscored = posts.filter(post => !post.outcome)
  const values = await logOutcomes(db, workspaceId, unscored.map(post => post.id), settings)
  const ready = unscored.filter(post => values.get(post.id)!.value !== null)
  if (!ready.length) return { scored: 0, folded: 0, rebuilt: false }
  // A post scored before one published earlier than it would have a different baseline now: rebuild.
  const firstReady = ready[0]!.publishedAt!.getTime()
  if (posts.some(post => post.outcome && post.publishedAt!.getTime() > firstReady)) return { ...(await rebuildLearning(db, workspaceId)), rebuilt: true }

  const previous = posts.filter(post => post.outcome).map(post => post.outcome!.logValue)
  let scored = 0
  let folded = 0
  for (const post of ready) {
    const logValue = values.get(post.id)!.value!
    const normalised = normalisedOutcome(logValue, previous)
    previous.push(logValue)
    const done = await db.$transaction(async (tx) => {
      const created = await tx.postOutcome.createMany({
        data: [{
          postId: post.id, workspaceId, socialAccountId, publishedAt: post.publishedAt!,
          metric: settings.outcomeMetric, horizonHours: settings.outcomeHorizonHours, logValue,
          baseline: normalised.value === null ? null : normalised.baseline,
          baselinePosts: normalised.value === null ? 0 : normalised.basis,
          outcome: normalised.value, reason: normalised.value === null ? normalised.reason : null,
        }],
        skipDuplicates: true,
      })
      if (!created.count) return false
      const patternIds = await linkPost(tx, workspaceId, post.id)
      if (normalised.value !== null && patternIds.length) await addToPatterns(tx, workspaceId, patternIds, normalised.value)
      return normalised.value !== null
    })
    scored++
    if (done) folded++
  }
  return { scored, folded, rebuilt: false }
}

async function addToPatterns(tx: Prisma.TransactionClient, workspaceId: string, patternIds: string[], outcome: number) {
  const weight = SOURCE_WEIGHTS.post
  await tx.pattern.updateMany({
    where: { workspaceId, id: { in: patternIds } },
    data: { posts: { increment: 1 }, weight: { increment: weight }, sum: { increment: weight * outcome }, sumSquares: { increment: weight * outcome * outcome } },
  })
}

export interface RebuildResult { scored: number, folded: number }

/** Every outcome, link and pattern sum of the workspace, recomputed from its snapshots in one transaction. */
export async function rebuildLearning(db: PrismaClient, workspaceId: string): Promise<RebuildResult> {
  const settings = await settingsOf(db, workspaceId)
  const posts = await db.post.findMany({
    where: scoredPosts(workspaceId),
    select: { id: true, socialAccountId: true, publishedAt: true },
    orderBy: [{ publishedAt: 'asc' }, { id: 'asc' }],
  })
  const values = await logOutcomes(db, workspaceId, posts.map(post => post.id), settings)
  const outcomes: Prisma.PostOutcomeCreateManyInput[] = []
  for (const [socialAccountId, accountPosts] of Map.groupBy(posts, post => post.socialAccountId)) {
    const previous: number[] = []
    for (const post of accountPosts) {
      const logValue = values.get(post.id)!.value
      if (logValue === null) continue
      const normalised = normalisedOutcome(logValue, previous)
      previous.push(logValue)
      outcomes.push({
        postId: post.id, workspaceId, socialAccountId, publishedAt: post.publishedAt!,
        metric: settings.outcomeMetric, horizonHours: settings.outcomeHorizonHours, logValue,
        baseline: normalised.value === null ? null : normalised.baseline,
        baselinePosts: normalised.value === null ? 0 : normalised.basis,
        outcome: normalised.value, reason: normalised.value === null ? normalised.reason : null,
      })
    }
  }
  const outcomeOf = new Map(outcomes.map(row => [row.postId, row.outcome ?? null]))
  // Only posts with a snapshot are linked (as the incremental path does when their first outcome lands).
  const linked = posts.filter(post => values.get(post.id)!.value !== null)
  const links = await linksOfPosts(db, workspaceId, linked.map(post => post.id))

  await db.$transaction(async (tx) => {
    const patterns = await ensurePatterns(tx, workspaceId, [...new Map(linked.flatMap(post => links.get(post.id)!).map(link => [link.key, link])).values()])
    await tx.patternEvidence.deleteMany({ where: { workspaceId, source: 'metrics' } })
    await tx.patternEvidence.createMany({
      data: linked.flatMap(post => links.get(post.id)!.map(link => ({ workspaceId, patternId: patterns.get(link.key)!, postId: post.id, source: 'metrics' as const, value: link.value as Prisma.InputJsonValue }))),
    })
    await tx.postOutcome.deleteMany({ where: { workspaceId } })
    await tx.postOutcome.createMany({ data: outcomes })
    const sums = new Map<string, { posts: number, weight: number, sum: number, sumSquares: number }>()
    for (const post of linked) {
      const outcome = outcomeOf.get(post.id)
      if (outcome === null || outcome === undefined) continue
      for (const link of links.get(post.id)!) {
        const id = patterns.get(link.key)!
        const entry = sums.get(id) ?? { posts: 0, weight: 0, sum: 0, sumSquares: 0 }
        const weight = SOURCE_WEIGHTS.post
        sums.set(id, { posts: entry.posts + 1, weight: entry.weight + weight, sum: entry.sum + weight * outcome, sumSquares: entry.sumSquares + weight * outcome * outcome })
      }
    }
    await tx.pattern.updateMany({ where: { workspaceId }, data: { posts: 0, weight: 0, sum: 0, sumSquares: 0 } })
    for (const [id, entry] of sums) await tx.pattern.updateMany({ where: { workspaceId, id }, data: entry })
  }, { timeout: 120_000 })
  return { scored: outcomes.length, folded: outcomes.filter(row => row.outcome !== null).length }
}

/** The daily rebuild: every workspace with published posts, one at a time; one workspace's failure does not stop the rest. */
export async function rebuildAllLearning(db: PrismaClient): Promise<{ result: string }> {
  const workspaces = await db.post.findMany({ where: { status: 'published', publishedAt: { not: null } }, distinct: ['workspaceId'], select: { workspaceId: true } })
  let scored = 0
  const failed: string[] = []
  for (const { workspaceId } of workspaces) {
    try {
      scored += (await rebuildLearning(db, workspaceId)).scored
    }
    catch (error) {
      failed.push(workspaceId)
      console.error(`[analytics] rebuilding workspace ${workspaceId} failed: ${(error as Error).message}`)
    }
  }
  if (failed.length) throw new Error(`Rebuilt ${workspaces.length - failed.length} of ${workspaces.length} workspaces; ${failed.length} failed (see the worker's log).`)
  return { result: `rebuilt ${workspaces.length} workspace${workspaces.length === 1 ? '' : 's'}, ${scored} post outcome${scored === 1 ? '' : 's'}` }
}
