// The workspace's patterns with the evidence a strategy shows beside its claims: the Patterns ranking
// (server/services/patterns/patterns.ts), computed from our rows only: the videos that show each pattern, and the
// reference performance of the videos with it against those without.
import type { PatternEvidenceFigures } from '#shared/strategy'
import type { PrismaClient } from '../../generated/prisma/client'
import { listPatterns } from '../patterns/patterns'

export const RANKED_BY = 'reference performance: each reference video\'s views per follower, adjusted for its age and compared with the usual on its platform, averaged over the videos with the pattern and over those without it'
const MEASURE = 'mean reference score (the log of views per follower against the usual on the video\'s platform; 0 is usual)'
// Titles shown per pattern: enough to recognise them, few enough for a phone.
const VIDEOS_PER_PATTERN = 8

export interface RankedPatterns { rankedBy: string, patterns: PatternEvidenceFigures[] }

/**
 * Every pattern of the workspace with its evidence, in the Patterns page's order (solid comparisons first, by how
 * much better the videos with it did; then weak ones; then patterns without numbers). A pattern no video shows any
 * more is still listed, so a claim citing it resolves to its empty evidence rather than to nothing.
 */
export async function rankPatterns(db: PrismaClient, workspaceId: string): Promise<RankedPatterns> {
  const view = await listPatterns(db, workspaceId)
  return {
    rankedBy: RANKED_BY,
    patterns: view.patterns.map((pattern): PatternEvidenceFigures => {
      // A video read by the AI and measured by the analysis is listed once, best scored first.
      const videos = [...new Map(pattern.videos.map(video => [video.id, video])).values()]
        .sort((a, b) => (b.score ?? -Infinity) - (a.score ?? -Infinity) || a.title.localeCompare(b.title))
      return {
        key: pattern.key,
        label: pattern.label,
        kind: pattern.kind,
        videoCount: pattern.n,
        n: { with: pattern.performance.with.n, without: pattern.performance.without.n },
        measure: MEASURE,
        with: pattern.performance.with.mean,
        without: pattern.performance.without.mean,
        weak: pattern.performance.weak,
        videos: videos.slice(0, VIDEOS_PER_PATTERN).map(video => ({ id: video.id, title: video.title })),
      }
    }),
  }
}
