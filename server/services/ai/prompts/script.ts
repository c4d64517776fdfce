// One filming script per call, so a batch whose inputs change in one place asks again only for that script and the
// cache serves the rest. The input carries the measured figures behind each chosen pattern; the local answer applies
// them literally (cut at the measured first-cut time, shots at the measured length, the hook on screen, the call to
// action last) and leaves the words to the creator as bracketed placeholders: it never invents a fact.
import { round1, scriptOutputSchema, type ScriptOutput, type ScriptPattern, type ScriptShot } from '#shared/scripts'
import type { PlatformKey } from '#shared/recipe'
import { evidenceWords, type PosteriorFigures } from '#shared/decisions'
import type { PromptTemplate } from '../types'

export interface ScriptPromptPattern {
  key: string
  label: string
  kind: string
  /** Measured, from the workspace's videos: "first cut at 0.9 s (median of 4 videos)". */
  figures: string[]
  videoCount: number
  /** The outcomes behind it, when posts (or scored references) show it, and whether this script exploits it as the
   *  best so far or tests it. Absent before any outcome: the input, and so the cache, stay as they were. */
  evidence?: PosteriorFigures
}

/** The patterns' numbers as targets for the shot list; null where no chosen pattern says. */
export interface ScriptPlan {
  /** The first shot's length (a hook pattern's measured first cut). */
  firstShotSec: number | null
  /** A slow-opening pattern: the first shot holds at least this long. */
  minFirstShotSec: number | null
  /** Cuts within the first 3 s (a rapid-fire opening). */
  hookCutsIn3s: number | null
  /** Typical shot length after the hook (the measured median shot, or 60 / cuts per minute). */
  shotSec: number | null
}

export interface ScriptPromptInput {
  brand: { name: string, niche: string, audience: string, voice: string, defaultCta: string }
  /** The content pillar (or topic) this script is about. */
  pillar: { name: string, description: string }
  /** A hook line the active strategy wants tested, when there is one. */
  hookToTest: string | null
  patterns: ScriptPromptPattern[]
  plan: ScriptPlan
  /** The script's place in its batch (0-based); scripts in a batch differ by it. */
  slot: number
  platform: PlatformKey
  targetDurationSec: number
}

const platformNames: Record<PlatformKey, string> = { instagram: 'Instagram Reels', tiktok: 'TikTok', youtube: 'YouTube Shorts', facebook: 'Facebook Reels' }

const instructions = [
  'You write filming scripts for a short-form video creator: a shot list with timings that the creator films and edits.',
  'Reply with JSON only, in the given schema. Shots run back to back from 0 s in order (atSec of each = atSec + durationSec of the one before),',
  'and their durations add up to targetDurationSec. Follow every pattern in the input literally, using its measured figures',
  '(e.g. a first cut at 0.9 s means the first shot lasts 0.9 s), and list each one you follow in `patterns` with its key, its label and',
  'how the script applies it in a few words. Use only the pattern keys given. Put the hook on screen in the first shot and the call to action in the last.',
  'Write in the brand\'s voice for its audience. Never state statistics, prices, results or facts about the creator that the input does not give:',
  'where the creator must supply a fact, write a bracketed placeholder such as "[your price]". onScreenText, spoken and broll may be empty strings.',
  'Where a pattern cites the creator\'s own results ("your posts with it: ×1.8 views"), repeat that citation, word for word, in its `how`.',
].join(' ')

/** "Your posts with it: ×1.8 views (80 %: ×1.2–×2.6, n 6); the best so far." */
function citation(evidence: PosteriorFigures): string {
  return `Your posts with it: ${evidenceWords(evidence)}; ${evidence.role === 'exploit' ? 'the best so far' : 'tested here against the best so far'}.`
}

function render(input: ScriptPromptInput): string {
  const lines = [
    `Brand: ${input.brand.name || '(unnamed)'}. Niche: ${input.brand.niche || '(not given)'}. Audience: ${input.brand.audience || '(not given)'}.`,
    `Voice: ${input.brand.voice || '(not given)'}. Usual call to action: ${input.brand.defaultCta || '(not given)'}.`,
    `Pillar: ${input.pillar.name}${input.pillar.description ? ` (${input.pillar.description})` : ''}.`,
    input.hookToTest ? `Hook to test (from the strategy): "${input.hookToTest}".` : 'No hook line is set: write one for this pillar.',
    `Platform: ${platformNames[input.platform]}. Target length: ${input.targetDurationSec} s. This is script ${input.slot + 1} of a batch: give it a different angle from the ones before.`,
    'Patterns to follow (measured on the workspace\'s videos):',
    ...input.patterns.map(pattern => `- ${pattern.key} "${pattern.label}" (${pattern.videoCount} videos): ${pattern.figures.join('; ') || 'no figures'}${pattern.evidence ? `. ${citation(pattern.evidence)}` : ''}`),
    `Timing targets: ${JSON.stringify(input.plan)}`,
  ]
  return lines.join('\n')
}

// Structures the local templates rotate through, so a batch does not hold five copies of one script. Each is a
// shape for the creator's own material, not a claim about it.
const formats = [
  { name: 'Three tips', beats: (pillar: string) => [`[Tip 1 about ${pillar}]`, `[Tip 2 about ${pillar}]`, `[Tip 3 about ${pillar}]`] },
  { name: 'Mistake and fix', beats: (pillar: string) => [`[A common mistake with ${pillar}]`, '[Why it goes wrong, in one sentence]', '[The fix: what to do instead]'] },
  { name: 'Step by step', beats: (pillar: string) => [`[Step 1 of ${pillar}]`, '[Step 2]', '[Step 3]', '[The result]'] },
  { name: 'Myth and truth', beats: (pillar: string) => [`[A myth people believe about ${pillar}]`, '[What actually holds, from your experience]', '[One example]'] },
  { name: 'Before and after', beats: (pillar: string) => [`[Before: the problem with ${pillar}]`, '[The change you made]', '[After: what is different now]'] },
]

const MAX_BODY_SHOTS = 24

/** Every shot's length: the hook shot(s), the body, and a 3 s call to action, adding up to the target. */
function placeShots(input: ScriptPromptInput, beats: number): { durations: number[], hookCount: number } {
  const { plan, targetDurationSec: total } = input
  const cta = round1(Math.min(3, total * 0.2))
  const wanted = plan.firstShotSec ?? (plan.minFirstShotSec !== null ? Math.max(plan.minFirstShotSec, 3) : 2)
  const first = round1(Math.max(0.3, Math.min(wanted, total * 0.3)))
  const durations = [first]
  // A rapid-fire opening: more short shots inside the first 3 s.
  const extraHookCuts = Math.max(0, (plan.hookCutsIn3s ?? 0) - 1)
  for (let cut = 0; cut < extraHookCuts && (cut + 2) * first <= 3; cut++) durations.push(first)
  const hookCount = durations.length
  const body = total - hookCount * first - cta
  const shotSec = Math.min(Math.max(plan.shotSec ?? body / beats, 0.8), 8)
  // As many body shots as the measured shot length gives, at least one per beat, never shorter than 0.8 s.
  // A shot list past two dozen shots is an edit, not a shoot: longer shots then carry the cut rhythm inside them.
  const count = Math.max(1, Math.min(Math.max(beats, Math.round(body / shotSec)), Math.floor(body / 0.8), MAX_BODY_SHOTS))
  for (let index = 0; index < count; index++) durations.push(round1(body / count))
  durations.push(cta)
  // Rounding lands the total on the target: the longest body shot takes the difference.
  const drift = round1(total - durations.reduce((a, b) => a + b, 0))
  const longest = durations.slice(hookCount, -1).reduce((best, value, index, all) => value > all[best]! ? index : best, 0) + hookCount
  durations[longest] = round1(durations[longest]! + drift)
  return { durations, hookCount }
}

function fmt(seconds: number): string {
  return `${round1(seconds)} s`
}

function local(input: ScriptPromptInput): ScriptOutput {
  const pillar = input.pillar.name
  const format = formats[input.slot % formats.length]!
  const beats = format.beats(pillar)
  const hook = input.hookToTest ?? `[Your one-line promise about ${pillar}]`
  const cta = input.brand.defaultCta || '[Your call to action: follow, comment or the link]'
  // The hook takes the first shot(s), the call to action the last; the body shots cycle through the format's beats.
  const { durations, hookCount } = placeShots(input, beats.length)
  const shots: Omit<ScriptShot, 'atSec'>[] = durations.map((durationSec, index) => {
    if (index < hookCount) {
      return {
        durationSec,
        shot: index === 0
          ? `Hook: you on camera, close up, speaking from the first frame; cut at ${fmt(durationSec)}${input.plan.firstShotSec === null && input.plan.minFirstShotSec === null ? ' (a default: analyse reference videos to measure yours)' : ''}`
          : `Hook, second angle (a cut at ${fmt(durationSec)} keeps the opening fast)`,
        onScreenText: index === 0 ? hook : '',
        spoken: index === 0 ? hook : '',
        broll: index === 0 ? '' : `[A close-up that shows ${pillar}]`,
      }
    }
    if (index === durations.length - 1) {
      return { durationSec, shot: 'Call to action: back on camera, facing the lens', onScreenText: cta, spoken: cta, broll: '' }
    }
    const beat = beats[(index - hookCount) % beats.length]!
    const point = (index - hookCount) % beats.length + 1
    return {
      durationSec,
      shot: `${format.name}, point ${point} of ${beats.length}: talk to camera, or over the B-roll${input.plan.shotSec && durationSec > input.plan.shotSec * 1.5 ? ` (cut inside it every ${fmt(input.plan.shotSec)}, the measured shot length)` : ''}`,
      onScreenText: `[Point ${point} in three to five words]`,
      spoken: beat,
      broll: `[Footage that shows point ${point}: hands, screen or product]`,
    }
  })
  let at = 0
  const timed = shots.map((shot) => {
    const placed = { atSec: round1(at), ...shot }
    at += shot.durationSec
    return placed
  })
  const patterns: ScriptPattern[] = input.patterns.map(pattern => ({
    key: pattern.key,
    label: pattern.label,
    how: howApplied(pattern, input, durations),
  }))
  return {
    title: `${pillar}: ${format.name.toLowerCase()} (${input.slot + 1})`.slice(0, 120),
    hook,
    targetDurationSec: input.targetDurationSec,
    shots: timed,
    callToAction: input.brand.defaultCta || '',
    patterns,
  }
}

/** How the local shot list applies one pattern, with the measured figure it came from. */
function howApplied(pattern: ScriptPromptPattern, input: ScriptPromptInput, durations: number[]): string {
  const how = measuredHow(pattern, input, durations)
  // The outcome comes first when there is one: it is why this script follows the pattern, and 240 characters may cut the rest.
  return (pattern.evidence ? `${citation(pattern.evidence)} ${how}` : how).slice(0, 240)
}

function measuredHow(pattern: ScriptPromptPattern, input: ScriptPromptInput, durations: number[]): string {
  const figure = pattern.figures[0] ? ` (${pattern.figures[0]})` : ''
  if (pattern.key.startsWith('hook.first_cut')) return `First shot lasts ${fmt(durations[0]!)}${figure}.`.slice(0, 240)
  if (pattern.key === 'hook.cuts_3s>=2') return `Cuts in the first 3 s follow the opening's pace${figure}.`.slice(0, 240)
  if (pattern.kind === 'pacing') return `Shots after the hook last about ${fmt(durations[1] ?? durations[0]!)}${figure}.`.slice(0, 240)
  if (pattern.kind === 'duration') return `Written for ${input.targetDurationSec} s${figure}.`.slice(0, 240)
  return `Followed as measured${figure}.`.slice(0, 240)
}

export const scriptPrompt: PromptTemplate<ScriptPromptInput, ScriptOutput> = {
  purpose: 'script.generate',
  // Still script-1: the instruction added for cited results only concerns inputs with evidence, which no cached answer has.
  version: 'script-1',
  schema: scriptOutputSchema,
  instructions,
  render,
  local,
}

export default scriptPrompt
