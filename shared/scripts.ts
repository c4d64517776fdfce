import { z } from 'zod'
import type { AiProvenanceView } from './ai'
import { evidenceWords } from './decisions'
import { platforms, type PlatformKey } from './recipe'

// Filming scripts: a shot list with timings, a hook line, on-screen text, B-roll notes, the spoken lines and a call
// to action, following named patterns. The AI writes them (server/services/ai/prompts/script.ts) in batches; people
// edit them here, export them (Markdown, PDF) and send one to the Studio as a draft.

export const scriptStatuses = ['draft', 'approved', 'filmed', 'archived'] as const
export type ScriptStatus = typeof scriptStatuses[number]
export const scriptStatusLabels: Record<ScriptStatus, string> = { draft: 'Draft', approved: 'Approved', filmed: 'Filmed', archived: 'Archived' }

export const maxBatch = 10
export const defaultBatch = 5
/** The longest a short-form script may run (YouTube Shorts' three minutes). */
export const maxScriptSeconds = 180

const line = (max: number) => z.string().trim().max(max, { error: issue => `At most ${max} characters (this one has ${String(issue.input).length}).` })
const required = (max: number, what: string) => line(max).min(1, `${what} is empty.`)

/** One shot: when it starts and how long it runs (script seconds), what the camera sees, the text on screen, the words said, B-roll. */
export const shotSchema = z.object({
  atSec: z.number().min(0).max(maxScriptSeconds),
  durationSec: z.number().min(0.3, 'A shot lasts at least 0.3 s.').max(maxScriptSeconds),
  shot: required(300, 'What the camera sees'),
  onScreenText: line(120),
  spoken: line(600),
  broll: line(300),
})
export type ScriptShot = z.infer<typeof shotSchema>

/** A pattern a script follows, named and explained in a few words ("First shot cut at 0.9 s: your references' median"). */
export const scriptPatternSchema = z.object({
  key: z.string().trim().min(1).max(120),
  label: z.string().trim().min(1).max(120),
  how: z.string().trim().min(1).max(240),
})
export type ScriptPattern = z.infer<typeof scriptPatternSchema>

/** Shots in order and back to back (0.25 s of slack), adding up to about the target (2 s or 10 %, whichever is more). */
export function timingProblems(script: { shots: Pick<ScriptShot, 'atSec' | 'durationSec'>[], targetDurationSec: number, patterns?: { key: string }[] }): string[] {
  const problems: string[] = []
  const { shots } = script
  if (shots[0] && Math.abs(shots[0].atSec) > 0.25) problems.push('The first shot must start at 0 s.')
  shots.forEach((shot, index) => {
    const previous = shots[index - 1]
    if (previous && Math.abs(shot.atSec - (previous.atSec + previous.durationSec)) > 0.25) {
      problems.push(`Shot ${index + 1} starts at ${shot.atSec} s but shot ${index} ends at ${round1(previous.atSec + previous.durationSec)} s: shots run back to back, in order.`)
    }
  })
  const total = shots.reduce((sum, shot) => sum + shot.durationSec, 0)
  if (Math.abs(total - script.targetDurationSec) > Math.max(2, script.targetDurationSec * 0.1)) {
    problems.push(`The shots add up to ${round1(total)} s; the target is ${script.targetDurationSec} s.`)
  }
  // A fast-hook pattern is a promise about the first shot's length.
  const first = shots[0]?.durationSec
  const keys = new Set(script.patterns?.map(pattern => pattern.key))
  if (first !== undefined && keys.has('hook.first_cut<=1s') && first > 1.05) problems.push(`The first shot lasts ${first} s, but the pattern "first cut within 1 s" is followed: cut by 1 s.`)
  if (first !== undefined && keys.has('hook.first_cut=1-3s') && (first < 0.95 || first > 3.05)) problems.push(`The first shot lasts ${first} s, but the pattern "first cut at 1–3 s" is followed.`)
  return problems
}

export const round1 = (value: number) => Math.round(value * 10) / 10

/** What the model (or the local templates) returns for one script. */
export const scriptOutputSchema = z.object({
  title: required(120, 'The title'),
  hook: required(200, 'The hook line'),
  targetDurationSec: z.number().int().min(5).max(maxScriptSeconds),
  shots: z.array(shotSchema).min(1).max(40),
  callToAction: line(200),
  patterns: z.array(scriptPatternSchema).max(8),
}).superRefine((script, context) => {
  for (const message of timingProblems(script)) context.addIssue({ code: 'custom', message, path: ['shots'] })
})
export type ScriptOutput = z.infer<typeof scriptOutputSchema>

/** A batch to generate: how many, for which platform and length, and whether to use the local generator. */
export const createBatchSchema = z.object({
  count: z.number({ error: 'Say how many scripts, from 1 to 10.' }).int().min(1, 'At least one script.').max(maxBatch, `At most ${maxBatch} scripts in one batch.`).default(defaultBatch),
  platform: z.enum(platforms, { error: 'Choose Instagram, TikTok, YouTube or Facebook.' }).optional(),
  targetDurationSec: z.number({ error: 'Give the length in seconds.' }).int().min(5, 'At least 5 seconds.').max(maxScriptSeconds, `At most ${maxScriptSeconds} seconds.`).optional(),
  local: z.boolean().default(false),
  /** This batch's balance of exploiting the best patterns and testing others, instead of the workspace's setting. */
  exploration: z.number({ error: 'Exploration is a number from 0 to 3.' }).min(0, 'Exploration goes from 0 (always the best so far) to 3.').max(3, 'Exploration goes from 0 to 3 (mostly testing).').optional(),
})
export type CreateBatchInput = z.input<typeof createBatchSchema>

/** An edit of a script, made from `version` (a stale one is refused with 409). Shot start times are recomputed from the durations. */
export const updateScriptSchema = z.object({
  version: z.number().int().min(1),
  title: required(120, 'The title').optional(),
  hook: required(200, 'The hook line').optional(),
  callToAction: line(200).optional(),
  targetDurationSec: z.number().int().min(5, 'At least 5 seconds.').max(maxScriptSeconds, `At most ${maxScriptSeconds} seconds.`).optional(),
  status: z.enum(scriptStatuses, { error: 'Choose draft, approved, filmed or archived.' }).optional(),
  shots: z.array(shotSchema.extend({ atSec: z.number().min(0).max(maxScriptSeconds).optional() })).min(1, 'Keep at least one shot.').max(40, 'At most 40 shots.').optional(),
})
export type UpdateScriptInput = z.input<typeof updateScriptSchema>

export const sendToStudioSchema = z.object({ videoId: z.uuid('Pick a footage video.') })

export const scriptListQuery = z.object({
  batchId: z.uuid().optional(),
  status: z.enum(scriptStatuses).optional(),
})

const evidenceFiguresSchema = z.object({
  role: z.enum(['exploit', 'explore']),
  mean: z.number(),
  lower80: z.number(),
  upper80: z.number(),
  posts: z.number().int().min(0),
  references: z.number().int().min(0),
  metric: z.string(),
})

/** A family of patterns ("first cut") whose pattern for this script was drawn from the outcomes (Thompson sampling). */
export const scriptDecisionSchema = z.object({
  family: z.string(),
  key: z.string(),
  label: z.string(),
  role: z.enum(['exploit', 'explore']),
  figures: evidenceFiguresSchema,
  /** The family's best pattern so far (highest posterior mean), or null while none leads. */
  best: z.object({ key: z.string(), label: z.string(), figures: evidenceFiguresSchema }).nullable(),
})
export type ScriptDecision = z.infer<typeof scriptDecisionSchema>

/** What `Script.notes` holds besides the shot list. */
export const scriptNotesSchema = z.object({
  slot: z.number().int().min(0).optional(),
  pillar: z.string().optional(),
  platform: z.enum(platforms).optional(),
  patterns: z.array(scriptPatternSchema).default([]),
  decisions: z.array(scriptDecisionSchema).default([]),
})
export type ScriptNotes = z.infer<typeof scriptNotesSchema>

/** Shots back to back from 0 s, in the order given, each start rounded to 0.1 s. */
export function retime<T extends { durationSec: number }>(shots: T[]): (T & { atSec: number })[] {
  let at = 0
  return shots.map((shot) => {
    const placed = { ...shot, atSec: round1(at), durationSec: round1(shot.durationSec) }
    at += placed.durationSec
    return placed
  })
}

export function totalSeconds(shots: { durationSec: number }[]): number {
  return round1(shots.reduce((sum, shot) => sum + shot.durationSec, 0))
}

export interface ScriptRecipeLink { id: string, videoId: string | null, name: string }

export interface ScriptSummary {
  id: string
  title: string
  status: ScriptStatus
  hook: string
  batchId: string | null
  slot: number | null
  pillar: string | null
  platform: PlatformKey | null
  targetDurationSec: number | null
  shotCount: number
  patterns: ScriptPattern[]
  /** The families whose pattern the outcomes chose (empty before any post or reference is scored). */
  decisions: ScriptDecision[]
  provenance: AiProvenanceView | null
  version: number
  createdAt: string
  updatedAt: string
}

export interface ScriptDetail extends ScriptSummary {
  shots: ScriptShot[]
  callToAction: string
  strategyId: string | null
  /** Studio drafts made from this script. */
  recipes: ScriptRecipeLink[]
}

/** A batch being written: its job streams progress to <JobProgress>. */
export interface ScriptBatchRun {
  batchId: string
  jobId: string
  count: number | null
}

/** Why the last batch stopped, in plain words, and whether the local generator can stand in. */
export interface ScriptBatchFailure {
  batchId: string
  message: string
  reason: string | null
  localAvailable: boolean
  at: string
}

export interface ScriptList {
  scripts: ScriptSummary[]
  running: ScriptBatchRun[]
  lastFailure: ScriptBatchFailure | null
  /** The workspace's exploration (0 always the best pattern so far, 1 Thompson sampling, up to 3), set on the analytics page. */
  exploration: number
}

export interface BatchStarted { batchId: string, jobId: string, count: number }

/** What a Studio draft made from a script holds, said on the script page and in the Studio. */
export interface SentToStudio {
  recipeId: string
  videoId: string
  /** "Hook text: “…” over the first 2.5 s", one line per filled field, and what was left for the creator. */
  filled: string[]
  left: string[]
}

/** A file name from a title: letters, digits and dashes, never empty. */
export function fileNameOf(title: string, extension: string): string {
  const base = title.normalize('NFKD').replace(/[\u0300-\u036F]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60)
  return `${base || 'script'}.${extension}`
}

/** A placeholder the local templates write for the creator to fill: "[Your one-line promise about cooking]". */
export function isPlaceholder(text: string): boolean {
  return /^\[[^\]]*\]$/.test(text.trim())
}

/** The balance a batch struck between its best patterns and tests, in a sentence, with the evidence to link to. */
export interface BatchBalance {
  sentence: string
  /** The pattern the sentence names (the leader, else the first one tested): its row on the analytics page. */
  patternKey: string
}

/**
 * "3 of 5 scripts exploit your best first cut (First cut within 1 s, ×1.6 views (…)); 2 test new ones", for the first
 * family of the batch the outcomes decided; null when none was (no evidence yet: every script follows the most common).
 */
export function batchBalance(scripts: Pick<ScriptSummary, 'decisions'>[]): BatchBalance | null {
  const family = scripts.find(script => script.decisions.length)?.decisions[0]?.family
  if (!family) return null
  const chosen = scripts.flatMap(script => script.decisions.filter(decision => decision.family === family))
  const total = scripts.length
  const exploit = chosen.filter(decision => decision.role === 'exploit').length
  const best = chosen.find(decision => decision.best)?.best ?? null
  const scriptWord = (count: number) => `${count} of ${total} script${total === 1 ? '' : 's'}`
  if (!best) {
    return { sentence: `No ${family} leads yet: ${scriptWord(total - exploit)} test${total - exploit === 1 ? 's' : ''} ${family === 'length' ? 'lengths' : `${family} patterns`} to find out.`, patternKey: chosen[0]!.key }
  }
  const rest = total - exploit
  const tail = rest ? `; ${rest} test${rest === 1 ? 's' : ''} ${rest === 1 ? 'a new one' : 'new ones'}` : ''
  // A leader no post shows yet leads because every tried one did worse than the usual post.
  const figures = best.figures.posts + best.figures.references ? evidenceWords(best.figures) : 'not tried yet: the ones tried did worse than your usual post'
  return { sentence: `${scriptWord(exploit)} exploit${exploit === 1 ? 's' : ''} your best ${family} (${best.label}, ${figures})${tail}.`, patternKey: best.key }
}
