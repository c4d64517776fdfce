// The Analytics page's numbers as one CSV, no database: four blocks, each with its own header and a blank line between
// (a spreadsheet shows them one under the other): every snapshot of every post (a post without one still gets a row),
// each post's outcome, the pattern scores with their intervals and n, the experiments' arms with P(best). Every cell
// a spreadsheet could read as a formula is escaped as the calendar's export does.
import { stringify } from 'csv-stringify/sync'
import type { AnalyticsView } from '#shared/analytics'
import { escapeFormula } from '../schedule/csv-format'

type Cell = string | number | boolean | null | undefined

// Numbers and booleans are written as they are (a negative effect stays a number); only text can carry a formula.
const cellText = (cell: Cell) => (cell === null || cell === undefined ? '' : typeof cell === 'string' ? escapeFormula(cell) : String(cell))

function block(header: string[], rows: Cell[][]): string {
  return stringify([header, ...rows.map(row => row.map(cellText))])
}

const snapshotHeader = ['post_id', 'platform', 'account', 'published_at', 'caption', 'gone_upstream', 'captured_at', 'age_hours', 'views', 'likes', 'comments', 'shares', 'saves', 'watch_time_sec']
const outcomeHeader = ['post_id', 'platform', 'account', 'published_at', 'metric', 'horizon_hours', 'log_value', 'baseline', 'baseline_posts', 'outcome', 'reason']
const patternHeader = ['pattern', 'kind', 'key', 'enough_data', 'posts', 'references', 'effect_mean', 'effect_80_lower', 'effect_80_upper', 'effect_95_lower', 'effect_95_upper', 'score_mean', 'score_80_lower', 'score_80_upper', 'score_95_lower', 'score_95_upper']
const armHeader = ['experiment', 'status', 'verdict', 'arm', 'description', 'posts', 'scored', 'probability_best', 'outcome_mean', 'outcome_80_lower', 'outcome_80_upper', 'outcome_95_lower', 'outcome_95_upper']

export function analyticsCsv(view: AnalyticsView): string {
  const snapshots = view.posts.flatMap((post) => {
    const about: Cell[] = [post.id, post.platform, post.accountName, post.publishedAt, post.title ? `${post.title}: ${post.caption}` : post.caption, post.gone]
    if (!post.snapshots.length) return [[...about, '', '', '', '', '', '', '', '']]
    return post.snapshots.map(point => [...about, point.capturedAt, point.ageHours, point.views, point.likes, point.comments, point.shares, point.saves, point.watchTimeSec])
  })
  const outcomes = view.posts.filter(post => post.outcome).map(post => [
    post.id, post.platform, post.accountName, post.publishedAt, post.outcome!.metric, post.outcome!.horizonHours, post.outcome!.logValue,
    post.outcome!.baseline, post.outcome!.baselinePosts, post.outcome!.outcome, post.outcome!.reason,
  ])
  const patterns = view.patterns.map(pattern => [
    pattern.label, pattern.kind, pattern.key, pattern.enough, pattern.effect.posts, pattern.effect.references,
    pattern.effect.mean, pattern.effect.interval80.lower, pattern.effect.interval80.upper, pattern.effect.interval95.lower, pattern.effect.interval95.upper,
    pattern.score.mean, pattern.score.interval80.lower, pattern.score.interval80.upper, pattern.score.interval95.lower, pattern.score.interval95.upper,
  ])
  const arms = view.experiments.flatMap(experiment => experiment.arms.map(arm => [
    experiment.name, experiment.status, experiment.verdict, arm.label, arm.description, arm.posts, arm.scored, arm.probabilityBest,
    arm.outcome.mean, arm.outcome.interval80.lower, arm.outcome.interval80.upper, arm.outcome.interval95.lower, arm.outcome.interval95.upper,
  ]))
  // The byte-order mark makes Excel read the file as UTF-8 (captions with accents and emoji).
  return `\uFEFF${[block(snapshotHeader, snapshots), block(outcomeHeader, outcomes), block(patternHeader, patterns), block(armHeader, arms)].join('\n')}`
}

/** "analytics-2026-06-01-to-2026-06-30.csv", "analytics-all.csv": the filter's days, nothing a person typed. */
export function analyticsCsvName(query: { from?: string, to?: string }): string {
  return `analytics-${query.from || query.to ? `${query.from ?? 'start'}-to-${query.to ?? 'today'}` : 'all'}.csv`
}
