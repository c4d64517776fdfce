// The decisions the learning loop makes for the rest of the app (script patterns, strategy pillars, Studio variations):
// which of a family of patterns to use, slot by slot, by Thompson sampling over the patterns' posteriors (thompson.ts
// over scores.ts's arms), and the figures that make each choice checkable ("your posts with it: ×1.8 views, n 6").
// The words and types the pages share are in #shared/decisions. Pure apart from `workspaceExploration` and
// `outcomeWords`: a seed and the posteriors give the same decisions (tests).
import type { PrismaClient } from '../../generated/prisma/client'
import { outcomeMetricLabels, outcomeMetrics, type OutcomeMetricKey } from '#shared/analytics'
import type { PosteriorFigures } from '#shared/decisions'
import { summarise, type SufficientStats } from './posterior'
import { chooseArm, createGenerator, DEFAULT_EXPLORATION, EXPLORATION_MAX, EXPLORATION_MIN, planChoices, seedFromText, type Arm } from './thompson'

export type DecisionArm = Arm<string> & { stats: SufficientStats }

export interface SlotDecision {
  key: string
  role: 'exploit' | 'explore'
}

export interface FamilyDecision {
  /** Per slot, in order. */
  slots: SlotDecision[]
  /** The pattern with the best posterior mean, or null while none leads. */
  best: string | null
  exploit: number
  explore: number
}

/** Whether any post or scored reference stands behind the arm (else its posterior is the prior). */
export const hasEvidence = (arm: { stats: SufficientStats } | undefined) => Boolean(arm && arm.stats.posts + arm.stats.references > 0)

/** The workspace's exploration setting, bounded as thompson.ts requires; a per-request override wins. */
export async function workspaceExploration(db: PrismaClient, workspaceId: string, override?: number): Promise<number> {
  if (override !== undefined) return clampExploration(override)
  const row = await db.workspace.findUnique({ where: { id: workspaceId }, select: { exploration: true } })
  return clampExploration(row?.exploration ?? DEFAULT_EXPLORATION)
}

const clampExploration = (value: number) => Number.isFinite(value) ? Math.min(EXPLORATION_MAX, Math.max(EXPLORATION_MIN, value)) : DEFAULT_EXPLORATION

/** The words for the workspace's outcome ("views"), for "×1.8 views". */
export async function outcomeWords(db: PrismaClient, workspaceId: string): Promise<string> {
  const row = await db.workspace.findUnique({ where: { id: workspaceId }, select: { outcomeMetric: true } })
  const metric = (outcomeMetrics as readonly string[]).includes(row?.outcomeMetric ?? '') ? row!.outcomeMetric as OutcomeMetricKey : 'views'
  return outcomeMetricLabels[metric].toLowerCase()
}

/** `count` slots chosen among `arms` by Thompson sampling, each marked exploit (the best-mean arm) or explore. */
export function decideSlots(arms: readonly DecisionArm[], count: number, seedText: string, exploration: number): FamilyDecision {
  // Sorted by key, so the same posteriors in another order give the same draws.
  const sorted = [...arms].sort((a, b) => a.key.localeCompare(b.key))
  const plan = planChoices(sorted, count, createGenerator(seedFromText(seedText)), exploration)
  return {
    slots: plan.choices.map(key => ({ key, role: key === plan.best ? 'exploit' : 'explore' })),
    best: plan.best,
    exploit: plan.exploit,
    explore: plan.explore,
  }
}

export function evidenceFigures(arm: DecisionArm, role: SlotDecision['role'], metric: string): PosteriorFigures {
  const summary = summarise(arm.stats)
  return {
    role,
    mean: round4(summary.mean),
    lower80: round4(summary.interval80.lower),
    upper80: round4(summary.interval80.upper),
    posts: summary.posts,
    references: summary.references,
    metric,
  }
}

// Four decimals: a stored figure reads the same as the one computed (×1.95 stays ×1.9, not ×2.0).
const round4 = (value: number) => Math.round(value * 10_000) / 10_000

/**
 * The arms in the order of one Thompson draw (each arm's mean drawn from its posterior, highest first): a ranking that
 * mostly puts the best first and sometimes lifts an uncertain arm, for choices that take the top few of a list.
 */
export function drawOrder(arms: readonly DecisionArm[], seedText: string, exploration: number): string[] {
  if (!arms.length) return []
  const sorted = [...arms].sort((a, b) => a.key.localeCompare(b.key))
  const { draws } = chooseArm(sorted, createGenerator(seedFromText(seedText)), exploration)
  return sorted.map((arm, index) => ({ key: arm.key, draw: draws[index]! })).sort((a, b) => b.draw - a.draw || a.key.localeCompare(b.key)).map(item => item.key)
}
