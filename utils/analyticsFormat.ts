import { formatMultiple } from '#shared/references'
import type { IntervalView, PosteriorView } from '#shared/analytics'

/** "+0.69 (×2.0)": a log effect with the multiple a creator reads. */
export function formatEffect(value: number): string {
  return `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(2)} (${formatMultiple(value)})`
}

/** "×0.61 to ×2.3": an interval as multiples. */
export function formatInterval(interval: IntervalView): string {
  return `${formatMultiple(interval.lower)} to ${formatMultiple(interval.upper)}`
}

/** "6 posts", "6 posts + 4 references". */
export function formatEvidenceCount(posterior: PosteriorView): string {
  const posts = `${posterior.posts} post${posterior.posts === 1 ? '' : 's'}`
  return posterior.references ? `${posts} + ${posterior.references} reference${posterior.references === 1 ? '' : 's'}` : posts
}

/** The scale a set of interval bars share: their 95% ends and 0, padded a little, never narrower than ±0.5. */
export function intervalDomain(intervals: IntervalView[]): { min: number, max: number } {
  const min = Math.min(-0.5, ...intervals.map(interval => interval.lower))
  const max = Math.max(0.5, ...intervals.map(interval => interval.upper))
  const pad = (max - min) * 0.05
  return { min: min - pad, max: max + pad }
}

/** "48 h", "7 days". */
export function formatHorizon(hours: number): string {
  return hours % 24 === 0 && hours >= 72 ? `${hours / 24} days` : `${hours} h`
}

/** Ten colours, one per post drawn at once (the picker allows ten). */
export const analyticsColors = ['#7c3aed', '#0891b2', '#d97706', '#16a34a', '#db2777', '#64748b', '#2563eb', '#b45309', '#0d9488', '#dc2626']
export const MAX_DRAWN_POSTS = analyticsColors.length
