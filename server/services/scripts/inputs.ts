// What each script of a batch is written from: the brand profile, the pillar (the active strategy's, else the brand's),
// a hook line the strategy wants tested, and the chosen patterns with the figures measured on the workspace's videos.
// Every figure here is computed from our rows; the prompt and the local templates only read them.
import { z } from 'zod'
import type { PrismaClient } from '../../generated/prisma/client'
import type { PlatformKey } from '#shared/recipe'
import { platforms } from '#shared/recipe'
import type { ScriptPlan, ScriptPromptInput, ScriptPromptPattern } from '../ai/prompts/script'

// The strategy's content as far as scripts read it; anything else it holds is left alone.
const strategyContent = z.object({
  pillars: z.array(z.object({ name: z.string().min(1), description: z.string().default(''), patternKeys: z.array(z.string()).default([]) })).default([]),
  hooks: z.array(z.object({ line: z.string().min(1), patternKey: z.string().nullable().optional() })).default([]),
})

// Pattern families a script can follow; one pattern of each (the best) is chosen. Measured families first.
const families: { name: string, matches: (key: string, kind: string) => boolean }[] = [
  { name: 'first cut', matches: key => key.startsWith('hook.first_cut') },
  { name: 'opening cuts', matches: key => key.startsWith('hook.cuts_3s') },
  { name: 'shot length', matches: key => key.startsWith('pacing.median_shot') },
  { name: 'pace', matches: key => key.startsWith('pacing.cuts_per_min') },
  { name: 'length', matches: key => key.startsWith('duration=') },
  { name: 'frame', matches: key => key.startsWith('format.aspect') },
  // The AI's reading of the videos (hook type, format, call to action), where a provider added it.
  { name: 'hook type', matches: (key, kind) => kind === 'hook' && !key.startsWith('hook.first_cut') && !key.startsWith('hook.cuts_3s') },
  { name: 'format', matches: (key, kind) => kind === 'format' && !key.startsWith('format.aspect') },
  { name: 'call to action', matches: (_key, kind) => kind === 'cta' },
]
const MAX_PATTERNS = 6

function median(values: number[]): number | null {
  if (!values.length) return null
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

const figureWords: Record<string, (value: number) => string> = {
  firstCutSeconds: value => `first cut at ${value.toFixed(1)} s`,
  hookCutCount: value => `${Math.round(value)} cuts in the first 3 s`,
  cutsPerMinute: value => `${value.toFixed(1)} cuts a minute`,
  medianShotSeconds: value => `shots of ${value.toFixed(1)} s at the median`,
  durationSeconds: value => `${Math.round(value)} s long`,
  silenceRatio: value => `${Math.round(value * 100)} % silence`,
  integratedLufs: value => `${value.toFixed(1)} LUFS`,
}

export interface ChosenPattern extends ScriptPromptPattern {
  /** Medians of the measured values behind it, by name (firstCutSeconds…). */
  medians: Record<string, number>
}

/** The workspace's patterns with their measured medians; the ones the strategy cites first, then the most common. */
export async function choosePatterns(db: PrismaClient, workspaceId: string, cited: string[]): Promise<ChosenPattern[]> {
  const rows = await db.pattern.findMany({
    where: { workspaceId },
    select: { key: true, label: true, kind: true, evidence: { where: { workspaceId, videoId: { not: null }, video: { deletedAt: null } }, select: { videoId: true, value: true } } },
    orderBy: { key: 'asc' },
  })
  const analysed = new Set(rows.flatMap(row => row.evidence.map(evidence => evidence.videoId)))
  // A pattern a third of the analysed videos show (at least one) is common enough to follow; a cited one always is.
  const floor = Math.max(1, Math.ceil(analysed.size / 3))
  const candidates = rows.map((row) => {
    const videos = new Set(row.evidence.map(evidence => evidence.videoId))
    const values: Record<string, number[]> = {}
    for (const evidence of row.evidence) {
      for (const [name, value] of Object.entries((evidence.value ?? {}) as Record<string, unknown>)) {
        if (typeof value === 'number' && Number.isFinite(value)) (values[name] ??= []).push(value)
      }
    }
    const medians = Object.fromEntries(Object.entries(values).map(([name, list]) => [name, median(list)!]))
    const figures = Object.entries(medians).flatMap(([name, value]) => figureWords[name] ? [`${figureWords[name](value)} (median of ${values[name]!.length} video${values[name]!.length === 1 ? '' : 's'})`] : [])
    return { key: row.key, label: row.label, kind: row.kind, figures, videoCount: videos.size, medians }
  }).filter(pattern => cited.includes(pattern.key) || pattern.videoCount >= floor)
  const rank = (pattern: ChosenPattern) => (cited.includes(pattern.key) ? 1_000_000 : 0) + pattern.videoCount
  const chosen: ChosenPattern[] = []
  for (const family of families) {
    const best = candidates.filter(pattern => family.matches(pattern.key, pattern.kind)).sort((a, b) => rank(b) - rank(a) || a.key.localeCompare(b.key))[0]
    if (best && chosen.length < MAX_PATTERNS) chosen.push(best)
  }
  return chosen
}

/** The shot-list targets the chosen patterns set, from their measured medians. */
export function planOf(patterns: ChosenPattern[]): ScriptPlan {
  const find = (prefix: string) => patterns.find(pattern => pattern.key.startsWith(prefix))
  const firstCut = find('hook.first_cut')
  const slowOpening = firstCut?.key === 'hook.first_cut>3s'
  const firstCutSec = firstCut?.medians.firstCutSeconds
  const shot = find('pacing.median_shot')?.medians.medianShotSeconds
  const pace = find('pacing.cuts_per_min')?.medians.cutsPerMinute
  const hookCuts = find('hook.cuts_3s')?.medians.hookCutCount
  return {
    firstShotSec: firstCut && !slowOpening && firstCutSec !== undefined ? Math.round(Math.max(0.3, firstCutSec) * 10) / 10 : null,
    minFirstShotSec: slowOpening ? Math.round(Math.max(3, firstCutSec ?? 3) * 10) / 10 : null,
    hookCutsIn3s: hookCuts !== undefined ? Math.round(hookCuts) : null,
    shotSec: shot !== undefined ? Math.round(shot * 10) / 10 : pace ? Math.round((60 / pace) * 10) / 10 : null,
  }
}

export interface BatchPlan {
  strategyId: string | null
  inputs: ScriptPromptInput[]
}

/** One prompt input per script of a batch; slot i takes pillar i (round the list) and the strategy's hook i, if any. */
export async function planBatch(db: PrismaClient, workspaceId: string, request: { count: number, platform?: PlatformKey, targetDurationSec?: number }): Promise<BatchPlan> {
  const [brand, strategy] = await Promise.all([
    db.brandProfile.findFirst({ where: { workspaceId }, orderBy: { createdAt: 'asc' } }),
    db.strategy.findFirst({ where: { workspaceId, status: 'active' }, orderBy: { createdAt: 'desc' }, select: { id: true, content: true } }),
  ])
  const content = strategy ? strategyContent.safeParse(strategy.content) : null
  const strategyPillars = content?.success ? content.data.pillars : []
  const hooks = content?.success ? content.data.hooks : []
  const pillars = strategyPillars.length
    ? strategyPillars
    : (brand?.pillars.length ? brand.pillars : [brand?.niche || '[your topic]']).map(name => ({ name, description: '', patternKeys: [] as string[] }))
  const cited = [...strategyPillars.flatMap(pillar => pillar.patternKeys), ...hooks.flatMap(hook => hook.patternKey ? [hook.patternKey] : [])]
  const patterns = await choosePatterns(db, workspaceId, cited)
  const plan = planOf(patterns)
  const measuredLength = patterns.find(pattern => pattern.key.startsWith('duration='))?.medians.durationSeconds
  const targetDurationSec = request.targetDurationSec ?? (measuredLength ? Math.min(180, Math.max(5, Math.round(measuredLength))) : 30)
  const platform: PlatformKey = request.platform ?? brand?.platforms.find((value): value is PlatformKey => (platforms as readonly string[]).includes(value)) ?? 'instagram'
  const inputs = Array.from({ length: request.count }, (_, slot): ScriptPromptInput => {
    const pillar = pillars[slot % pillars.length]!
    return {
      brand: { name: brand?.name ?? '', niche: brand?.niche ?? '', audience: brand?.audience ?? '', voice: brand?.voice ?? '', defaultCta: brand?.defaultCta ?? '' },
      pillar: { name: pillar.name, description: pillar.description },
      hookToTest: hooks[slot]?.line ?? null,
      patterns: patterns.map(({ medians: _medians, ...pattern }) => pattern),
      plan,
      slot,
      platform,
      targetDurationSec,
    }
  })
  return { strategyId: strategy && content?.success ? strategy.id : null, inputs }
}
