// A/B experiments: the variants the Studio rendered together (one batch: RecipeSnapshot.batchId) that went out as
// separate posts. Each variant with published posts is an arm; its outcome is the posterior (posterior.ts) over the
// outcomes of its posts at the workspace's horizon (PostOutcome, learning.ts), and thompson.ts's seeded draws give each
// arm's probability of being best. experiment-verdict.ts says what the numbers support.
//
// Only variants of one batch are compared: they share the footage and the edit and differ in what the Studio varied.
// One render sent to several platforms is not made an experiment across platforms: a render usually goes once to each
// platform, so each arm would hold one post and could never reach ENOUGH_POSTS, and each outcome is already measured
// against its own account's usual post, so the "platform" arms would compare accounts rather than anything chosen.
import { Prisma, type PrismaClient } from '../../generated/prisma/client'
import type { ExperimentArmView, ExperimentView } from '#shared/analytics'
import { describeVariant, type VariantKeys } from '#shared/recipe'
import { judgeExperiment } from './experiment-verdict'
import { addObservation, emptyStats, summarise, type SufficientStats } from './posterior'
import { posteriorView, type ScoreFilter } from './scores'
import { createGenerator, probabilityBest, seedFromText } from './thompson'

/** A published post of a render, with its render's batch and the outcome at the workspace's current settings. */
interface PostRow {
  postId: string
  renderId: string
  publishedAt: Date
  batchId: string
  name: string | null
  variantLabel: string
  sourceVideoId: string
  keys: VariantKeys | null
  /** Null without an outcome yet, without a baseline, or computed for another metric or horizon (a rebuild is due). */
  outcome: number | null
  horizonHours: number
}

/**
 * Every published post of a render that the filter keeps, in one statement. The JSON columns hold whole recipes, so
 * only the paths used are read. The render, account and outcome are joined within the post's workspace.
 */
async function readPosts(db: PrismaClient, workspaceId: string, filter: ScoreFilter): Promise<PostRow[]> {
  return db.$queryRaw<PostRow[]>`
    SELECT p.id::text AS "postId", r.id::text AS "renderId", p."publishedAt",
      -- A render made before snapshots kept their batch stands alone: it is nobody's sibling.
      COALESCE(r."recipeSnapshot"->>'batchId', r.id::text) AS "batchId", r."recipeSnapshot"->>'name' AS name,
      r."variantLabel", r."sourceVideoId"::text AS "sourceVideoId", r.params->'keys' AS keys,
      o.outcome, w."outcomeHorizonHours" AS "horizonHours"
    FROM "Post" p
    JOIN "Workspace" w ON w.id = p."workspaceId"
    JOIN "Render" r ON r.id = p."renderId" AND r."workspaceId" = p."workspaceId"
    JOIN "SocialAccount" a ON a.id = p."socialAccountId" AND a."workspaceId" = p."workspaceId"
    LEFT JOIN "PostOutcome" o ON o."postId" = p.id AND o."workspaceId" = p."workspaceId"
      AND o.metric = w."outcomeMetric" AND o."horizonHours" = w."outcomeHorizonHours"
    WHERE p."workspaceId" = ${workspaceId}::uuid AND p.status = 'published' AND p."publishedAt" IS NOT NULL
      ${filter.platform ? Prisma.sql`AND a.platform = ${filter.platform}::"Platform"` : Prisma.empty}
      ${filter.socialAccountId ? Prisma.sql`AND p."socialAccountId" = ${filter.socialAccountId}::uuid` : Prisma.empty}
      ${filter.from ? Prisma.sql`AND p."publishedAt" >= ${filter.from}` : Prisma.empty}
      ${filter.to ? Prisma.sql`AND p."publishedAt" < ${filter.to}` : Prisma.empty}`
}

// The Studio's words for what the variant changed; a render with no recorded choices is shown as it came out.
const describe = (keys: VariantKeys | null) => keys && Object.keys(keys).length ? describeVariant(keys) : 'As rendered'

interface Arm {
  view: Omit<ExperimentArmView, 'probabilityBest'>
  stats: SufficientStats
}

function armOf(posts: PostRow[]): Arm {
  const first = posts[0]!
  let stats = emptyStats()
  for (const post of posts) if (post.outcome !== null) stats = addObservation(stats, { value: post.outcome, source: 'post' })
  return {
    view: { renderId: first.renderId, label: first.variantLabel, description: describe(first.keys), posts: posts.length, scored: stats.posts, outcome: posteriorView(summarise(stats), stats) },
    stats,
  }
}

/** One batch's experiment, or null when fewer than two of its variants have posts. */
function experimentOf(batchId: string, posts: PostRow[]): ExperimentView | null {
  const byRender = Map.groupBy(posts, post => post.renderId)
  if (byRender.size < 2) return null
  // A fixed order (the Studio's labels), so the seeded draws meet the arms in the same order every time.
  const arms = [...byRender.values()].map(armOf)
    .sort((a, b) => a.view.label.localeCompare(b.view.label, 'en', { numeric: true }) || a.view.renderId.localeCompare(b.view.renderId))
  // Each arm's chance of being best means nothing while an arm has no outcome at all: its posterior is only the prior.
  const chances = arms.every(arm => arm.stats.posts > 0)
    ? probabilityBest(arms.map(arm => ({ key: arm.view.renderId, posterior: summarise(arm.stats).posterior })), createGenerator(seedFromText(batchId)))
    : null
  const views = arms.map((arm): ExperimentArmView => ({ ...arm.view, probabilityBest: chances?.get(arm.view.renderId) ?? null }))
  const judgement = judgeExperiment(views.map(arm => ({ label: arm.label, scored: arm.scored, probabilityBest: arm.probabilityBest })), posts[0]!.horizonHours)
  return { id: batchId, name: posts[0]!.name ?? 'Render', sourceVideoId: posts[0]!.sourceVideoId, arms: views, ...judgement }
}

/** The workspace's experiments, newest first (by their latest post), counting only the posts the filter keeps. */
export async function listExperiments(db: PrismaClient, workspaceId: string, filter: ScoreFilter = {}): Promise<ExperimentView[]> {
  const posts = await readPosts(db, workspaceId, filter)
  const experiments: { view: ExperimentView, latest: number }[] = []
  for (const [batchId, batchPosts] of Map.groupBy(posts, post => post.batchId)) {
    const view = experimentOf(batchId, batchPosts)
    if (view) experiments.push({ view, latest: batchPosts.reduce((latest, post) => Math.max(latest, post.publishedAt.getTime()), 0) })
  }
  return experiments.sort((a, b) => b.latest - a.latest || a.view.id.localeCompare(b.view.id)).map(entry => entry.view)
}
