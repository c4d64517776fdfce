// What each script of a batch is written from: the brand profile, the pillar (the active strategy's, else the brand's),
// a hook line the strategy wants tested, and the chosen patterns with the figures measured on the workspace's videos.
// Every figure here is computed from our rows; the prompt and the local templates only read them.
import { z } from 'zod'
import type { PrismaClient } from '../../generated/prisma/client'
import type { PlatformKey } from '#shared/recipe'
import { platforms } from '#shared/recipe'
import type { ScriptDecision } from '#shared/scripts'
import type { ScriptPlan, ScriptPromptInput, ScriptPromptPattern } from '../ai/prompts/script'
import { decideSlots, evidenceFigures, hasEvidence, outcomeWords, workspaceExploration, type DecisionArm, type FamilyDecision } from '../analytics/decisions'
import { summarise } from '../analytics/posterior'
import { patternArms } from '../analytics/scores'

// The strategy's content as far as scripts read it; anything else it holds is left alone.
const strategyContent = z.object({
  pillars: z.array(z.object({ name: z.string().min(1), description: z.string().default(''), patternKeys: z.array(z.string()).default([]) })).default([]),
  hooks: z.array(z.object({ line: z.string().min(1), patternKey: z.string().nullable().optional() })).default([]),
})

// Pattern families a script can follow; one pattern of each is chosen per script. Measured families first.
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

const plural = (count: number, noun: string) => count ? `${count} ${noun}${count === 1 ? '' : 's'}` : ''

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

export interface PatternChoices {
  /** Per slot of the batch, the patterns it follows (at most one per family). */
  slots: ChosenPattern[][]
  /** Per slot, the families whose pattern was decided by the outcomes (Thompson sampling); empty without evidence. */
  decisions: ScriptDecision[][]
}

export interface ChoiceOptions {
  count: number
  /** The text the draws are seeded from: the same text and outcomes give the same choices. */
  seedText: string
  exploration: number
  /** The outcome's words ("views"), for the evidence figures. */
  metric: string
}

/**
 * The patterns each script of a batch follows, one per family. Without outcomes (no scored post or reference behind
 * any pattern of a family) every slot takes the family's pattern the strategy cites, else its most common one, as
 * before. With them, each slot draws its pattern by Thompson sampling over the family's posteriors, so the batch mostly
 * follows the best pattern so far and tests the uncertain ones in proportion to their chance of being better.
 */
export async function choosePatterns(db: PrismaClient, workspaceId: string, cited: string[], options: ChoiceOptions): Promise<PatternChoices> {
  const [rows, arms] = await Promise.all([
    db.pattern.findMany({
      where: { workspaceId },
      // The videos that show each pattern, and the published posts linked to it (a render's own length, say).
      select: { key: true, label: true, kind: true, evidence: { where: { workspaceId, OR: [{ videoId: { not: null }, video: { deletedAt: null } }, { source: 'metrics', postId: { not: null } }] }, select: { videoId: true, postId: true, value: true } } },
      orderBy: { key: 'asc' },
    }),
    patternArms(db, workspaceId),
  ])
  const analysed = new Set(rows.flatMap(row => row.evidence.flatMap(evidence => evidence.videoId ?? [])))
  // A pattern a third of the analysed videos show (at least one) is common enough to follow; a cited one always is,
  // and so is one with outcomes behind it (posts linked to it count even when no analysed video shows it).
  const floor = Math.max(1, Math.ceil(analysed.size / 3))
  const candidates = rows.map((row) => {
    const videos = new Set(row.evidence.flatMap(evidence => evidence.videoId ?? []))
    const values: Record<string, { videos: number[], posts: number[] }> = {}
    for (const evidence of row.evidence) {
      const value = (evidence.value ?? {}) as Record<string, unknown>
      // A post's link that copies its source video's evidence (value.from) would count that video twice.
      if (!evidence.videoId && 'from' in value) continue
      for (const [name, number] of Object.entries(value)) {
        if (typeof number === 'number' && Number.isFinite(number)) (values[name] ??= { videos: [], posts: [] })[evidence.videoId ? 'videos' : 'posts'].push(number)
      }
    }
    const medians = Object.fromEntries(Object.entries(values).map(([name, list]) => [name, median([...list.videos, ...list.posts])!]))
    const basis = (list: { videos: number[], posts: number[] }) => [plural(list.videos.length, 'video'), plural(list.posts.length, 'post')].filter(Boolean).join(' and ')
    const figures = Object.entries(medians).flatMap(([name, value]) => figureWords[name] ? [`${figureWords[name](value)} (median of ${basis(values[name]!)})`] : [])
    return { key: row.key, label: row.label, kind: row.kind, figures, videoCount: videos.size, medians }
  }).filter(pattern => cited.includes(pattern.key) || pattern.videoCount >= floor || hasEvidence(arms.get(pattern.key)))
  const rank = (pattern: ChosenPattern) => (cited.includes(pattern.key) ? 1_000_000 : 0) + pattern.videoCount
  const slots: ChosenPattern[][] = Array.from({ length: options.count }, () => [])
  const decisions: ScriptDecision[][] = Array.from({ length: options.count }, () => [])
  let familiesChosen = 0
  for (const family of families) {
    const members = candidates.filter(pattern => family.matches(pattern.key, pattern.kind)).sort((a, b) => rank(b) - rank(a) || a.key.localeCompare(b.key))
    if (!members.length || familiesChosen >= MAX_PATTERNS) continue
    familiesChosen++
    const familyArms = members.flatMap(pattern => arms.get(pattern.key) ?? [])
    if (!familyArms.some(hasEvidence)) {
      for (const slot of slots) slot.push(members[0]!)
      continue
    }
    const decided = decideFamily(familyArms, members.find(pattern => cited.includes(pattern.key))?.key ?? null, options, family.name)
    const byKey = new Map(members.map(pattern => [pattern.key, pattern]))
    const best = decided.best ? byKey.get(decided.best)! : null
    decided.slots.forEach((choice, index) => {
      const arm = arms.get(choice.key)!
      const pattern = byKey.get(choice.key)!
      const evidence = evidenceFigures(arm, choice.role, options.metric)
      // A pattern no post shows yet is followed as a test without a citation: there is nothing of the creator's to cite.
      slots[index]!.push(hasEvidence(arm) ? { ...pattern, evidence } : pattern)
      decisions[index]!.push({
        family: family.name, key: pattern.key, label: pattern.label, role: choice.role, figures: evidence,
        best: best ? { key: best.key, label: best.label, figures: evidenceFigures(arms.get(best.key)!, 'exploit', options.metric) } : null,
      })
    })
  }
  return { slots, decisions }
}

// A pattern the active strategy cites stays on every slot unless the outcomes say otherwise: the strategy picked it on
// purpose (and its pillars were drawn by the same sampling), so a rival that merely looks better on a few posts does
// not override it. "Otherwise" is a leader whose whole 80 % interval lies above the cited pattern's mean: then the
// family is sampled like any other, and the cited pattern still wins the slots its posterior earns.
function decideFamily(arms: DecisionArm[], citedKey: string | null, options: ChoiceOptions, familyName: string): FamilyDecision {
  const sampled = decideSlots(arms, options.count, `${options.seedText}:${familyName}`, options.exploration)
  if (!citedKey) return sampled
  const cited = summarise(arms.find(arm => arm.key === citedKey)!.stats)
  const leader = sampled.best ? arms.find(arm => arm.key === sampled.best)! : null
  if (leader && leader.key !== citedKey && summarise(leader.stats).interval80.lower > cited.mean) return sampled
  const role = sampled.best === citedKey ? 'exploit' : 'explore'
  return { ...sampled, slots: sampled.slots.map(() => ({ key: citedKey, role })), exploit: role === 'exploit' ? options.count : 0, explore: role === 'exploit' ? 0 : options.count }
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
  /** Per slot, the families decided by the outcomes (stored in the script's notes for the batch's balance). */
  decisions: ScriptDecision[][]
}

export interface BatchRequest {
  count: number
  platform?: PlatformKey
  targetDurationSec?: number
  /** This batch's exploration (0–3), instead of the workspace's. */
  exploration?: number
  /** The day the batch was asked for (YYYY-MM-DD, UTC): with the request it seeds the draws, so a retry draws the same. */
  day?: string
}

/** One prompt input per script of a batch; slot i takes pillar i (round the list) and the strategy's hook i, if any. */
export async function planBatch(db: PrismaClient, workspaceId: string, request: BatchRequest): Promise<BatchPlan> {
  const [brand, strategy, exploration, metric] = await Promise.all([
    db.brandProfile.findFirst({ where: { workspaceId }, orderBy: { createdAt: 'asc' } }),
    db.strategy.findFirst({ where: { workspaceId, status: 'active' }, orderBy: { createdAt: 'desc' }, select: { id: true, content: true } }),
    workspaceExploration(db, workspaceId, request.exploration),
    outcomeWords(db, workspaceId),
  ])
  const content = strategy ? strategyContent.safeParse(strategy.content) : null
  const strategyPillars = content?.success ? content.data.pillars : []
  const hooks = content?.success ? content.data.hooks : []
  const pillars = strategyPillars.length
    ? strategyPillars
    : (brand?.pillars.length ? brand.pillars : [brand?.niche || '[your topic]']).map(name => ({ name, description: '', patternKeys: [] as string[] }))
  const cited = [...strategyPillars.flatMap(pillar => pillar.patternKeys), ...hooks.flatMap(hook => hook.patternKey ? [hook.patternKey] : [])]
  const seedText = [workspaceId, request.day ?? new Date().toISOString().slice(0, 10), request.count, request.platform ?? '', request.targetDurationSec ?? ''].join(':')
  const choices = await choosePatterns(db, workspaceId, cited, { count: request.count, seedText, exploration, metric })
  const platform: PlatformKey = request.platform ?? brand?.platforms.find((value): value is PlatformKey => (platforms as readonly string[]).includes(value)) ?? 'instagram'
  const inputs = Array.from({ length: request.count }, (_, slot): ScriptPromptInput => {
    const pillar = pillars[slot % pillars.length]!
    const patterns = choices.slots[slot]!
    const measuredLength = patterns.find(pattern => pattern.key.startsWith('duration='))?.medians.durationSeconds
    const targetDurationSec = request.targetDurationSec ?? (measuredLength ? Math.min(180, Math.max(5, Math.round(measuredLength))) : 30)
    return {
      brand: { name: brand?.name ?? '', niche: brand?.niche ?? '', audience: brand?.audience ?? '', voice: brand?.voice ?? '', defaultCta: brand?.defaultCta ?? '' },
      pillar: { name: pillar.name, description: pillar.description },
      hookToTest: hooks[slot]?.line ?? null,
      patterns: patterns.map(({ medians: _medians, ...pattern }) => pattern),
      plan: planOf(patterns),
      slot,
      platform,
      targetDurationSec,
    }
  })
  return { strategyId: strategy && content?.success ? strategy.id : null, inputs, decisions: choices.decisions }
}
