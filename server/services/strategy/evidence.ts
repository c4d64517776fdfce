// The workspace's patterns with the evidence a strategy shows beside its claims, computed from our rows: the videos
// that show each pattern and the reference performance of the videos with it against those without.
// Reference performance here is views per follower (a reference video's public numbers), compared by median.
import type { PatternEvidenceFigures } from '#shared/strategy'
import type { PrismaClient } from '../../generated/prisma/client'

export const RANKED_BY = 'median views per follower of your reference videos, with the pattern against without it'
const MEASURE = 'median views per follower'
// Titles shown per pattern: enough to recognise them, few enough for a phone.
const VIDEOS_PER_PATTERN = 8

function median(values: number[]): number | null {
  if (!values.length) return null
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** Views per follower of each video that has both numbers (followers above zero). */
export async function viewsPerFollower(db: PrismaClient, workspaceId: string): Promise<Map<string, number>> {
  const rows = await db.referencePerformance.findMany({
    where: { workspaceId, views: { not: null }, followers: { gt: 0 }, video: { deletedAt: null } },
    select: { videoId: true, views: true, followers: true },
  })
  return new Map(rows.map(row => [row.videoId, Number(row.views) / Number(row.followers)]))
}

export interface RankedPatterns { rankedBy: string, patterns: PatternEvidenceFigures[] }

/**
 * Every pattern of the workspace with its evidence, best first: patterns whose videos with and without it both have
 * numbers, by the ratio of their medians; then the rest by how many videos show them (a pattern no video shows any
 * more comes last, still known, so a claim citing it resolves to its empty evidence).
 */
export async function rankPatterns(db: PrismaClient, workspaceId: string): Promise<RankedPatterns> {
  const [patterns, performance] = await Promise.all([
    db.pattern.findMany({
      where: { workspaceId },
      select: {
        key: true, label: true, kind: true,
        evidence: { where: { workspaceId, videoId: { not: null }, video: { deletedAt: null } }, select: { video: { select: { id: true, title: true } } } },
      },
      orderBy: { key: 'asc' },
    }),
    viewsPerFollower(db, workspaceId),
  ])
  // The population compared: analysed videos (those that show at least one pattern).
  const analysed = new Set(patterns.flatMap(pattern => pattern.evidence.map(evidence => evidence.video!.id)))
  const figures = patterns.map((pattern): PatternEvidenceFigures => {
    const videos = new Map(pattern.evidence.map(evidence => [evidence.video!.id, evidence.video!]))
    const withValues = [...videos.keys()].flatMap(id => performance.has(id) ? [performance.get(id)!] : [])
    const withoutValues = [...analysed].filter(id => !videos.has(id)).flatMap(id => performance.has(id) ? [performance.get(id)!] : [])
    const listed = [...videos.values()].sort((a, b) => (performance.get(b.id) ?? -1) - (performance.get(a.id) ?? -1) || a.title.localeCompare(b.title))
    return {
      key: pattern.key,
      label: pattern.label,
      kind: pattern.kind,
      videoCount: videos.size,
      n: { with: withValues.length, without: withoutValues.length },
      measure: MEASURE,
      with: median(withValues),
      without: median(withoutValues),
      videos: listed.slice(0, VIDEOS_PER_PATTERN).map(video => ({ id: video.id, title: video.title })),
    }
  })
  const score = (pattern: PatternEvidenceFigures) => pattern.with !== null && pattern.without !== null && pattern.without > 0 ? pattern.with / pattern.without : null
  figures.sort((a, b) => {
    const scoreA = score(a)
    const scoreB = score(b)
    if (scoreA !== null && scoreB !== null) return scoreB - scoreA || b.n.with - a.n.with || a.key.localeCompare(b.key)
    if (scoreA !== null) return -1
    if (scoreB !== null) return 1
    return b.videoCount - a.videoCount || a.key.localeCompare(b.key)
  })
  return { rankedBy: RANKED_BY, patterns: figures }
}
