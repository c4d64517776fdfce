// The normalised performance of reference videos: how far a video travelled beyond its poster's audience, made
// comparable across ages and platforms. Pure: the patterns route and the video page feed it rows, tests feed it numbers.
//
// The formula, and why:
//   raw   = ln((views + 1) / followers) − ln(ageFactor(days))
//   score = raw − median(raw of the workspace's scored references on the same platform)
//
// - Views per follower, not views: a creator with 2M followers gets 200K views without trying; what a pattern can
//   teach is reach beyond the audience. The log makes it a ratio scale (×2 is +0.69 whoever posts) and tames the
//   heavy tail of viral videos, so one outlier does not decide a mean. (+1 keeps a video with 0 views finite.)
// - Age: numbers read a day after posting are not yet what they will be. If daily views fall off like 1/(1 + t), the
//   usual decay of attention to online content, cumulative views grow like ln(1 + days); ageFactor = ln(1 + days) / ln(31)
//   estimates the share of the 30-day total already reached, and dividing by it puts every video at "30 days".
//   Past 30 days the factor stays 1: short-form feeds stop distributing a video within weeks, so the log curve's slow
//   growth beyond that would overstate what an old video still gains. Under a day, views move too fast to say: no score.
//   A video whose posting date is unknown is counted as settled (factor 1), and the note says so.
// - Platform: TikTok's feed shows videos to non-followers far more than Instagram's does, so raw ratios differ by
//   platform before any pattern enters. Subtracting the median of the same platform's references (our own rows, no
//   invented constants) compares each video with its peers; a platform with one reference scores it 0 (nothing to
//   compare with). References without a platform form their own group.
// - No score without views or followers (or with 0 followers): we never invent one.
import type { PerformanceScore } from '#shared/references'

const DAY_MS = 24 * 60 * 60 * 1000
const SETTLED_DAYS = 30

export interface PerformanceNumbers {
  platform: string | null
  views: number | null
  followers: number | null
  postedAt: Date | null
  observedAt: Date
}

/** The share of its 30-day views a video has after `days` (1 from 30 days on). */
export function ageFactor(days: number): number {
  return Math.min(1, Math.log1p(days) / Math.log1p(SETTLED_DAYS))
}

export type RawScore = { value: number, ageDays: number | null, note: string | null } | { value: null, ageDays: number | null, note: string }

/** The age-adjusted log views per follower of one video, before the platform's median is taken off. */
export function rawScore(numbers: PerformanceNumbers): RawScore {
  const ageDays = numbers.postedAt ? (numbers.observedAt.getTime() - numbers.postedAt.getTime()) / DAY_MS : null
  if (numbers.views === null) return { value: null, ageDays, note: 'No score: the views are missing.' }
  if (numbers.followers === null) return { value: null, ageDays, note: 'No score: the poster\'s follower count is missing.' }
  if (numbers.followers <= 0) return { value: null, ageDays, note: 'No score: with 0 followers there is nothing to compare the views with.' }
  if (ageDays !== null && ageDays < 1) return { value: null, ageDays, note: 'No score yet: the numbers were read less than a day after posting, while they still change fast. Read them again later.' }
  const base = Math.log((numbers.views + 1) / numbers.followers)
  if (ageDays === null) return { value: base, ageDays, note: 'Posting date unknown: counted as a settled video (30 days or more).' }
  return { value: base - Math.log(ageFactor(ageDays)), ageDays, note: null }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** Every reference's score, each against the median of the scored references on its platform. */
export function normalisedScores<Key>(items: { key: Key, numbers: PerformanceNumbers }[]): Map<Key, PerformanceScore> {
  const raws = items.map(item => ({ ...item, raw: rawScore(item.numbers) }))
  const byPlatform = new Map<string | null, number[]>()
  for (const { numbers, raw } of raws) {
    if (raw.value === null) continue
    byPlatform.set(numbers.platform, [...(byPlatform.get(numbers.platform) ?? []), raw.value])
  }
  const scores = new Map<Key, PerformanceScore>()
  for (const { key, numbers, raw } of raws) {
    const peers = byPlatform.get(numbers.platform) ?? []
    scores.set(key, {
      value: raw.value === null ? null : raw.value - median(peers),
      note: raw.note,
      ageDays: raw.ageDays,
      platformPeers: raw.value === null ? 0 : peers.length,
    })
  }
  return scores
}

/** The mean of a group's scores, or null for an empty group. */
export function mean(values: number[]): number | null {
  return values.length ? values.reduce((sum, value) => sum + value, 0) / values.length : null
}
