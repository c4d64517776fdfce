import { z } from 'zod'
import { platforms, type PlatformKey } from './recipe'

// The learning loop's settings and the Analytics page's route (server/services/analytics): what a post's outcome is,
// the pattern scores with their credible intervals, the experiments, and every number behind the charts. Every figure
// is measured (a MetricSnapshot) or computed from our rows; where there is too little, the view says so instead.

// ── Settings (workspace) ──

/** What a post's outcome measures: its views, or a ratio of two counts (saves per view…), at the horizon. */
export const outcomeMetrics = ['views', 'saves_per_view', 'shares_per_view', 'likes_per_view', 'comments_per_view', 'watch_time_per_view'] as const
export type OutcomeMetricKey = typeof outcomeMetrics[number]
export const outcomeMetricLabels: Record<OutcomeMetricKey, string> = {
  views: 'Views',
  saves_per_view: 'Saves per view',
  shares_per_view: 'Shares per view',
  likes_per_view: 'Likes per view',
  comments_per_view: 'Comments per view',
  watch_time_per_view: 'Watch time per view',
}
/** The ages (hours after publishing) an outcome can be read at: a day, two (the default), three, a week. */
export const outcomeHorizons = [24, 48, 72, 168] as const
export type OutcomeHorizon = typeof outcomeHorizons[number]
export const EXPLORATION_RANGE = { min: 0, max: 3, step: 0.25, default: 1 } as const

export const learningSettingsSchema = z.object({
  outcomeMetric: z.enum(outcomeMetrics),
  outcomeHorizonHours: z.union(outcomeHorizons.map(hours => z.literal(hours)) as [z.ZodLiteral<24>, z.ZodLiteral<48>, z.ZodLiteral<72>, z.ZodLiteral<168>], { error: `The horizon is one of ${outcomeHorizons.join(', ')} hours.` }),
  exploration: z.number({ error: 'Exploration is a number from 0 to 3.' }).min(EXPLORATION_RANGE.min, 'Exploration goes from 0 (always the best so far) to 3.').max(EXPLORATION_RANGE.max, 'Exploration goes from 0 to 3 (mostly testing).'),
})
export type LearningSettings = z.infer<typeof learningSettingsSchema>

// ── Scores ──

export interface IntervalView { lower: number, upper: number }

/** A posterior over an outcome in log units (0 = the account's usual post; +0.69 = twice its views). */
export interface PosteriorView {
  mean: number
  interval80: IntervalView
  interval95: IntervalView
  /** Observations behind it: the workspace's posts, and reference videos (each weighing a quarter of a post). */
  posts: number
  references: number
}

/** Below this many posts with and without a pattern, its effect is shown as "not enough data". */
export const ENOUGH_POSTS = 3

export interface PatternScoreView {
  id: string
  key: string
  kind: string
  label: string
  /** The outcome of posts (and references) with the pattern. */
  score: PosteriorView
  /** score − the posterior of those without it: what the pattern adds. */
  effect: PosteriorView
  /** Enough posts on both sides (ENOUGH_POSTS) to speak of an effect; otherwise the page says "not enough data". */
  enough: boolean
  /** The posts behind it (newest first, at most 20), for "see the evidence". */
  evidence: { postId: string, caption: string, platform: PlatformKey, publishedAt: string, outcome: number }[]
}

// ── The page's route ──

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'A date is written YYYY-MM-DD.')
export const analyticsQuery = z.object({
  platform: z.enum(platforms).optional(),
  accountId: z.uuid('Choose an account from the list.').optional(),
  // Posts published on or after `from` and on or before `to` (days in the workspace's time zone).
  from: day.optional(),
  to: day.optional(),
}).refine(query => !query.from || !query.to || query.from <= query.to, { message: 'The first day is after the last.', path: ['from'] })
export type AnalyticsQuery = z.infer<typeof analyticsQuery>

// ── Experiments ──

/** One arm of an experiment: a variant of one render batch (Studio "A", "B"…) and the posts that published it. */
export interface ExperimentArmView {
  renderId: string
  label: string
  /** What sets it apart, in the Studio's words ("Hook: 'Stop dulling your knife' · Captions: bold"). */
  description: string
  /** Published posts of this variant, and those of them with an outcome yet. */
  posts: number
  scored: number
  outcome: PosteriorView
  /** The posterior probability that this arm has the best outcome (seeded draws); null while an arm has no outcome. */
  probabilityBest: number | null
}

export interface ExperimentView {
  /** The render batch (RecipeSnapshot.batchId). */
  id: string
  name: string
  sourceVideoId: string
  arms: ExperimentArmView[]
  /** 'leader': one arm's probability of being best is ≥ LEADER_PROBABILITY with every arm scored at least ENOUGH_POSTS
   *  times; otherwise 'too-thin', and `verdict` says what is missing ("B needs 2 more posts with 48 h numbers"). */
  status: 'leader' | 'too-thin'
  leader: string | null
  verdict: string
}
export const LEADER_PROBABILITY = 0.9

// ── The page's view (GET …/analytics) ──

/** At most this many posts (the newest) carry their snapshots in the view; the counts and trends cover every post. */
export const ANALYTICS_POST_LIMIT = 200

export interface AnalyticsSnapshotView {
  capturedAt: string
  ageHours: number
  views: number | null
  likes: number | null
  comments: number | null
  shares: number | null
  saves: number | null
  watchTimeSec: number | null
}

export interface AnalyticsOutcomeView {
  metric: OutcomeMetricKey
  horizonHours: number
  /** log(1 + value) at the horizon (or the log ratio). */
  logValue: number
  /** The median log value of the account's previous posts; null below three of them (`reason` says so). */
  baseline: number | null
  baselinePosts: number
  /** logValue − baseline: what the patterns learn from. */
  outcome: number | null
  reason: string | null
}

export interface AnalyticsPostView {
  id: string
  caption: string
  title: string | null
  permalink: string | null
  platform: PlatformKey
  accountId: string
  accountName: string
  publishedAt: string
  /** Removed on the platform since: it keeps the numbers it had. */
  gone: boolean
  snapshots: AnalyticsSnapshotView[]
  outcome: AnalyticsOutcomeView | null
}

export interface AnalyticsAccountView {
  id: string
  name: string
  platform: PlatformKey
}

export interface AnalyticsTrendView extends AnalyticsAccountView {
  /** Each post with a value at the horizon: its log value and the rolling median its outcome was measured against. */
  points: { postId: string, publishedAt: string, logValue: number, baseline: number | null, outcome: number | null }[]
  /** Daily follower counts (AccountSnapshot); a day the platform did not say is left out. */
  followers: { capturedAt: string, followers: number }[]
}

export interface AnalyticsView {
  settings: LearningSettings
  /** The workspace's zone, in which the query's days are read. */
  timeZone: string
  /** Every connected account, for the filter. */
  accounts: AnalyticsAccountView[]
  posts: AnalyticsPostView[]
  /** The posts matching the filters: published, old enough to be read at the horizon, read (the metric's value there),
   *  scored (against the account's usual level); `posts` holds the newest ANALYTICS_POST_LIMIT of them when there are more. */
  counts: { published: number, pastHorizon: number, withValue: number, scored: number, shown: number, capped: boolean }
  /** When the next post still short of the horizon reaches it (its numbers appear after the next pull); null if none is. */
  nextOutcomeAt: string | null
  trends: AnalyticsTrendView[]
  patterns: PatternScoreView[]
  experiments: ExperimentView[]
  /** The model in a paragraph, for the workspace's metric and horizon. */
  model: string
}

/** The settings PATCH: any of the three. */
export const learningSettingsPatch = learningSettingsSchema.partial().refine(patch => Object.values(patch).some(value => value !== undefined), { message: 'Send at least one setting to change.' })
export type LearningSettingsPatch = z.infer<typeof learningSettingsPatch>

/** The exploration slider's words at its landmarks (0, 1, 3) and between them. */
export function explorationWords(exploration: number): string {
  if (exploration <= 0) return 'Always use the best so far'
  if (exploration < 1) return 'Mostly the best so far, some testing'
  if (exploration === 1) return 'Balanced (Thompson sampling)'
  if (exploration < EXPLORATION_RANGE.max) return 'More testing than balanced'
  return 'Test new patterns often'
}
