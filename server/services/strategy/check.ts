// What the model wrote, held to our rows before anything is stored: every cited pattern key must be one of the
// workspace's patterns (else the claim, hook or experiment goes, and the key is reported), every cited video must be
// one of its videos, figures leave the prose (prose.ts), and the evidence a person reads is ours (evidence.ts).
import { platforms } from '#shared/recipe'
import type { EvidenceVideo, PatternEvidenceFigures, StrategyBasis, StrategyContent, StrategyDropped } from '#shared/strategy'
import type { StrategyBrandInput, StrategyDraft } from '../ai/prompts/strategy'
import { resolveProse, scrubHook, scrubProse, tokenKeys } from './prose'

// Enough for a week's plan on a phone; a model that writes more is cut, not refused.
const LIMITS = { pillars: 6, hooks: 10, experiments: 6, claims: 12, videosPerClaim: 5 } as const
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Video ids a draft cites that look like ids at all (anything else is unknown without asking the database). */
export function citedVideoIds(draft: StrategyDraft): string[] {
  return [...new Set(draft.claims.flatMap(claim => claim.videoIds).filter(id => uuid.test(id)).map(id => id.toLowerCase()))]
}

export interface CheckContext {
  brand: StrategyBrandInput
  /** Every pattern of the workspace, with its evidence. */
  patterns: PatternEvidenceFigures[]
  rankedBy: string
  /** The cited videos that are in the workspace (not deleted), by id. */
  videos: Map<string, EvidenceVideo>
  now: Date
}

const clampInt = (value: number, min: number, max: number) => Math.min(max, Math.max(min, Math.round(Number.isFinite(value) ? value : min)))

export function checkDraft(draft: StrategyDraft, context: CheckContext): { content: StrategyContent, basis: StrategyBasis } {
  const known = new Map(context.patterns.map(pattern => [pattern.key, pattern]))
  const names = { brand: context.brand.name, labels: new Map(context.patterns.map(pattern => [pattern.key, pattern.label])) }
  const unknownKeys = new Set<string>()
  const unknownVideos = new Set<string>()
  const cited = new Set<string>()
  const dropped: StrategyDropped = { unknownPatternKeys: [], unknownVideoIds: [], claims: 0, hooks: 0, experiments: 0, figuresRemoved: 0 }

  const isKnown = (key: string) => {
    if (known.has(key)) {
      cited.add(key)
      return true
    }
    unknownKeys.add(key)
    return false
  }
  const prose = (text: string) => {
    const resolved = resolveProse(text, names)
    dropped.figuresRemoved += resolved.removed
    for (const key of resolved.unknown) unknownKeys.add(key)
    for (const key of tokenKeys(text)) if (known.has(key)) cited.add(key)
    return resolved.text
  }
  const plain = (text: string) => {
    const scrubbed = scrubProse(text)
    dropped.figuresRemoved += scrubbed.removed
    return scrubbed.text
  }

  const brandPillars = new Map(context.brand.pillars.map(pillar => [pillar.toLowerCase(), pillar]))
  const pillars = draft.pillars.slice(0, LIMITS.pillars).map(pillar => ({
    // The brand's own pillar names are its words, kept as they are; any other name is model prose.
    name: brandPillars.get(pillar.name.trim().toLowerCase()) ?? plain(pillar.name),
    description: prose(pillar.description),
    patternKeys: [...new Set(pillar.patternKeys)].filter(isKnown),
  })).filter(pillar => pillar.name)

  // Only the brand's platforms when it named some; one line per platform.
  const allowed = context.brand.platforms.length ? context.brand.platforms : platforms
  const seenPlatforms = new Set<string>()
  const cadence = draft.cadence.filter((line) => {
    if (!allowed.includes(line.platform) || seenPlatforms.has(line.platform)) return false
    seenPlatforms.add(line.platform)
    return true
  }).map(line => ({ platform: line.platform, postsPerWeek: clampInt(line.postsPerWeek, 0, 21), rationale: prose(line.rationale) }))

  const seenHooks = new Set<string>()
  const hooks = draft.hooks.flatMap((hook) => {
    if (!isKnown(hook.patternKey)) {
      dropped.hooks += 1
      return []
    }
    const resolved = resolveProse(hook.line, names, scrubHook)
    dropped.figuresRemoved += resolved.removed
    for (const key of resolved.unknown) unknownKeys.add(key)
    if (!resolved.text || seenHooks.has(resolved.text)) return []
    seenHooks.add(resolved.text)
    return [{ line: resolved.text, patternKey: hook.patternKey }]
  }).slice(0, LIMITS.hooks)

  const experiments = draft.experiments.flatMap((experiment) => {
    const against = experiment.againstKey && experiment.againstKey !== experiment.patternKey ? experiment.againstKey : null
    if (!isKnown(experiment.patternKey) || (against !== null && !isKnown(against))) {
      dropped.experiments += 1
      return []
    }
    return [{
      name: prose(experiment.name) || `“${known.get(experiment.patternKey)!.label}”${against ? ` or “${known.get(against)!.label}”` : ', or not'}`,
      patternKey: experiment.patternKey,
      againstKey: against,
      metric: experiment.metric,
      postsEach: clampInt(experiment.postsEach, 1, 20),
      rationale: prose(experiment.rationale),
    }]
  }).slice(0, LIMITS.experiments)

  const claims = draft.claims.flatMap((claim) => {
    if (!isKnown(claim.patternKey)) {
      dropped.claims += 1
      return []
    }
    const videos = [...new Set(claim.videoIds.map(id => id.toLowerCase()))].flatMap((id) => {
      const video = context.videos.get(id)
      if (!video) unknownVideos.add(id)
      return video ? [video] : []
    }).slice(0, LIMITS.videosPerClaim)
    return [{ text: prose(claim.text) || `“${known.get(claim.patternKey)!.label}”`, patternKey: claim.patternKey, videos }]
  }).slice(0, LIMITS.claims)

  dropped.unknownPatternKeys = [...unknownKeys].sort()
  dropped.unknownVideoIds = [...unknownVideos].sort()
  return {
    content: { summary: prose(draft.summary), pillars, cadence, hooks, experiments, claims },
    basis: {
      // In rank order, as the evidence list reads best first.
      patterns: context.patterns.filter(pattern => cited.has(pattern.key)),
      rankedBy: context.rankedBy,
      computedAt: context.now.toISOString(),
      dropped,
    },
  }
}
