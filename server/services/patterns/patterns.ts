// Every pattern bucket of a workspace with its evidence, and how the reference videos that show it performed against
// those that do not. The figures come from our rows only: the references' numbers (ReferencePerformance) and the
// evidence that filed each video under a bucket.
import type { PrismaClient } from '../../generated/prisma/client'
import type { AiProviderName } from '#shared/ai'
import { WEAK_BELOW, type PatternEvidenceSource, type PatternSummary, type PatternsView } from '#shared/patterns'
import { referenceScores } from '../references/performance'
import { mean } from './performance'

const shownSources: PatternEvidenceSource[] = ['analysis', 'semantic']

// The tiers of the ranking: comparisons with enough videos on both sides first, then weak ones, then none.
function tier(pattern: PatternSummary): number {
  if (pattern.performance.difference === null) return 2
  return pattern.performance.weak ? 1 : 0
}

export async function listPatterns(db: PrismaClient, workspaceId: string): Promise<PatternsView> {
  const [patterns, evidence, scored] = await Promise.all([
    db.pattern.findMany({ where: { workspaceId }, select: { id: true, key: true, kind: true, label: true } }),
    db.patternEvidence.findMany({
      where: { workspaceId, source: { in: shownSources }, video: { workspaceId, deletedAt: null } },
      select: {
        patternId: true, source: true, value: true, note: true,
        video: { select: { id: true, title: true, kind: true } },
        reading: { select: { provider: true, model: true, promptVersion: true, createdAt: true } },
      },
      orderBy: { createdAt: 'asc' },
    }),
    referenceScores(db, workspaceId),
  ])
  const scoreOf = (videoId: string) => scored.get(videoId)?.score.value ?? null
  // Who each source examined: a video never analysed is neither with nor without a measured pattern.
  const examined = new Map<PatternEvidenceSource, Set<string>>(shownSources.map(source => [source, new Set()]))
  for (const item of evidence) examined.get(item.source as PatternEvidenceSource)!.add(item.video!.id)

  const summaries = patterns.map((pattern): PatternSummary => {
    const own = evidence.filter(item => item.patternId === pattern.id)
    const sources = shownSources.filter(source => own.some(item => item.source === source))
    const having = new Set(own.map(item => item.video!.id))
    const eligible = new Set(sources.flatMap(source => [...examined.get(source)!]))
    const withScores = [...having].map(scoreOf).filter(score => score !== null)
    const withoutScores = [...eligible].filter(id => !having.has(id)).map(scoreOf).filter(score => score !== null)
    const withMean = mean(withScores)
    const withoutMean = mean(withoutScores)
    return {
      id: pattern.id,
      key: pattern.key,
      kind: pattern.kind,
      label: pattern.label,
      n: having.size,
      sources,
      videos: own.map(item => ({
        id: item.video!.id,
        title: item.video!.title,
        kind: item.video!.kind,
        source: item.source as PatternEvidenceSource,
        value: item.value as Record<string, unknown> | null,
        note: item.note,
        reading: item.source === 'semantic' && item.reading
          ? { provider: item.reading.provider as AiProviderName, model: item.reading.model, promptVersion: item.reading.promptVersion, at: item.reading.createdAt.toISOString() }
          : null,
        score: scoreOf(item.video!.id),
      })),
      performance: {
        with: { n: withScores.length, mean: withMean },
        without: { n: withoutScores.length, mean: withoutMean },
        difference: withMean === null || withoutMean === null ? null : withMean - withoutMean,
        weak: withScores.length < WEAK_BELOW || withoutScores.length < WEAK_BELOW,
      },
    }
  })
  summaries.sort((a, b) => tier(a) - tier(b)
    || (b.performance.difference ?? 0) - (a.performance.difference ?? 0)
    || b.n - a.n
    || a.label.localeCompare(b.label))
  const scoredReferences = [...scored.values()].filter(entry => entry.score.value !== null).length
  return { rankedBy: 'reference-performance', scoredReferences, patterns: summaries }
}
