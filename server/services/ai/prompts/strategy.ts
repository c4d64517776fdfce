// strategy.generate: a content strategy from the brand profile and the workspace's top-ranked patterns.
// The model writes words and chooses; it never supplies a figure a person reads as evidence. Prose names patterns
// with {{key}} tokens and carries no numbers (the server removes any it writes: server/services/strategy/prose.ts);
// the evidence beside each claim is computed from our rows after generate() (server/services/strategy/evidence.ts).
import { z } from 'zod'
import { platforms, type PlatformKey } from '#shared/recipe'
import { strategyMetrics, type PatternEvidenceFigures } from '#shared/strategy'
import type { PromptTemplate } from '../types'

export interface StrategyBrandInput {
  name: string
  niche: string
  audience: string
  voice: string
  goals: { metric: string, target: string, by: string }[]
  pillars: string[]
  platforms: PlatformKey[]
  cadence: string
  defaultCta: string
}

/** A ranked pattern as the prompt sees it: our figures, and a few of its videos for claims to cite. */
export type StrategyPatternInput = PatternEvidenceFigures

export interface StrategyPromptInput {
  brand: StrategyBrandInput
  patterns: StrategyPatternInput[]
  /** How the patterns were ranked, in words. */
  rankedBy: string
}

const prose = (what: string) => z.string().describe(`${what}. Plain words with no numbers, percentages or multipliers; name patterns as {{pattern key}} and the brand as {{brand}}.`)

export const strategyOutputSchema = z.object({
  summary: prose('Two or three sentences: what the plan is and why'),
  pillars: z.array(z.object({
    name: z.string().describe('A content pillar: a topic the brand keeps coming back to.'),
    description: prose('What goes in this pillar'),
    patternKeys: z.array(z.string()).describe('Keys of the ranked patterns this pillar leans on.'),
  })),
  cadence: z.array(z.object({
    platform: z.enum(platforms),
    postsPerWeek: z.number().int().describe('Posts a week on this platform.'),
    rationale: prose('Why this cadence'),
  })),
  hooks: z.array(z.object({
    line: z.string().describe('An opening line to test on camera. It may count things ("three mistakes"); it states no statistics.'),
    patternKey: z.string().describe('The ranked pattern this hook puts to work.'),
  })),
  experiments: z.array(z.object({
    name: prose('A short name for the test'),
    patternKey: z.string().describe('The pattern being tested.'),
    againstKey: z.string().nullable().describe('The pattern it is tested against, or null to test it against its absence.'),
    metric: z.enum(strategyMetrics),
    postsEach: z.number().int().describe('Posts on each side of the test.'),
    rationale: prose('What the test would tell us'),
  })),
  claims: z.array(z.object({
    text: prose('One finding the plan rests on, in words only; the figures are shown beside it from the data'),
    patternKey: z.string().describe('The pattern that is the evidence for this claim.'),
    videoIds: z.array(z.string()).describe('Ids of videos from that pattern\'s list that illustrate it; may be empty.'),
  })),
})

export type StrategyDraft = z.output<typeof strategyOutputSchema>

const instructions = [
  'You are the strategist of a short-form video creator. From the brand profile and the ranked patterns in the input, write a content strategy.',
  'The patterns were measured in the creator\'s own library; their figures (n, and the mean reference score of the videos with and without each: the log of views per follower against the usual on the platform, so higher is better and 0 is usual; weak means few videos) are already shown to the creator beside your words.',
  'So never write a number, percentage or multiplier in prose fields (summary, descriptions, rationales, claims): describe direction in words ("more views per follower", "fewer") and let the figures speak.',
  'Name a pattern in prose as {{key}} with its exact key from the input, and the brand as {{brand}}.',
  'Cite only pattern keys from the input and only video ids listed under the cited pattern. A claim must follow from its pattern\'s figures: do not claim a pattern does better when its figures say otherwise, and do not claim anything about patterns without figures beyond that they appear.',
  'Pillars follow the brand\'s own pillars when it has some. Give a cadence for each of the brand\'s platforms. Hooks are lines to test, each naming the pattern it uses.',
  'Experiments test one pattern against another of the same family, or against its absence, with a metric and how many posts each side gets.',
  'Respond with JSON matching the schema.',
].join('\n')

function render(input: StrategyPromptInput): string {
  return JSON.stringify({ brand: input.brand, rankedBy: input.rankedBy, patterns: input.patterns }, null, 2)
}

// ── The local provider's answer: the brand profile, the ranked patterns and templates, nothing it did not measure ──

const hookTemplates: [RegExp, (topic: string, audience: string) => string][] = [
  [/^hook\.first_cut<=/, topic => `Open on the finished ${topic} result, cut away within the first second, then show how it was done.`],
  [/^hook\.cuts_3s/, topic => `Three quick shots before the first word: the ${topic} problem, the mess, the fix.`],
  [/^hook\.first_cut=/, topic => `Say the promise in one sentence, then cut to the first step of the ${topic}.`],
  [/^hook\.first_cut>/, (topic, audience) => `One steady shot to camera: name the one ${topic} mistake ${audience} keep making.`],
  [/^audio\.hook_louder/, topic => `Start with the loudest moment of the ${topic}, then rewind to how it began.`],
  [/^audio\.hook_quieter/, topic => `Start quiet and close: whisper the one ${topic} tip you wish you had known.`],
  [/^visual\.hook_motion=higher/, topic => `Move in the opening: walk into frame mid-${topic}, hands already at work.`],
  [/^visual\.hook_motion=lower/, topic => `A still, close opening shot of the ${topic} result, held while you ask the question.`],
  [/^pacing\./, topic => `A new angle every time the point moves on: ${topic} in quick steps.`],
  [/^duration=/, topic => `One ${topic} idea, start to finish, no detours.`],
]

function hookLine(pattern: StrategyPatternInput, topic: string, audience: string): string {
  const template = hookTemplates.find(([match]) => match.test(pattern.key))
  return template ? template[1](topic, audience) : `A ${topic} video built around “${pattern.label}”.`
}

/** The family a pattern belongs to, so alternatives of one measurement are tested against each other. */
export function patternFamily(key: string): string {
  return key.split(/<=|>=|=|<|>/)[0]!
}

function hasFigures(pattern: StrategyPatternInput): boolean {
  return pattern.with !== null && pattern.without !== null && pattern.n.with > 0 && pattern.n.without > 0
}

// Scores are logs of views per follower, so a difference is a ratio: within a tenth either way reads as "about as many".
const SAME_WITHIN = Math.log(1.1)

function direction(pattern: StrategyPatternInput): 'more' | 'fewer' | 'about as many' {
  const difference = pattern.with! - pattern.without!
  return difference > SAME_WITHIN ? 'more' : difference < -SAME_WITHIN ? 'fewer' : 'about as many'
}

/** A number of posts a week read from the brand's own words ("3 reels a week", "daily"); null when it says none. */
export function postsPerWeekFrom(cadence: string): number | null {
  const text = cadence.toLowerCase()
  if (/\bdaily\b|every day|a day\b/.test(text)) {
    const perDay = Number(/(\d+)\s*(?:\w+\s+)?(?:a|per)\s+day/.exec(text)?.[1] ?? 1)
    return Math.min(21, perDay * 7)
  }
  const weekly = /(\d+)/.exec(text)
  if (!weekly) return null
  const count = Number(weekly[1])
  if (/month/.test(text)) return Math.max(1, Math.round(count / 4))
  return Math.min(21, count)
}

// A creator who says nothing about cadence is planned at five a week: what the product is built around.
const DEFAULT_POSTS_PER_WEEK = 5
// Small enough to finish in a week or two at that pace; the page says to read it as a hint and repeat it.
const LOCAL_POSTS_EACH = 3

function local(input: StrategyPromptInput): StrategyDraft {
  const { brand } = input
  const topic = brand.niche || 'your topic'
  const audience = brand.audience || 'viewers'
  const measured = input.patterns.filter(hasFigures)
  const winners = measured.filter(pattern => direction(pattern) === 'more')
  const lead = (winners.length ? winners : input.patterns).slice(0, 3)

  const summary = lead.length
    ? `A plan for {{brand}}${brand.niche ? ` about ${brand.niche}` : ''}${brand.audience ? ` for ${brand.audience}` : ''}. It leans on ${lead.map(pattern => `{{${pattern.key}}}`).join(', ')}, ${winners.length ? 'the patterns whose videos did best in your reference numbers' : 'the patterns found most often in your library (none has reference numbers that rank it yet)'}, and tests each one before it becomes a habit.`
    : `A plan for {{brand}} from the brand profile alone: no analysed video has given a pattern yet. Analyse your videos and enter their numbers, and the next version can lean on evidence.`

  const pillarNames = brand.pillars.length ? brand.pillars : [brand.niche || 'Your core topic']
  const pillars = pillarNames.slice(0, 6).map((name, index) => {
    const keys = lead.length ? [lead[index % lead.length]!.key] : []
    return {
      name,
      description: keys.length
        ? `Videos about ${name.toLowerCase()}, made with {{${keys[0]}}}.`
        : `Videos about ${name.toLowerCase()}.${brand.pillars.length ? '' : ' Add your content pillars in Settings, Brand, to split the plan by topic.'}`,
      patternKeys: keys,
    }
  })

  const stated = postsPerWeekFrom(brand.cadence)
  const cadence = brand.platforms.map(platform => ({
    platform,
    postsPerWeek: stated ?? DEFAULT_POSTS_PER_WEEK,
    rationale: stated !== null
      ? 'The cadence you set in your brand profile, kept the same on each platform so tests compare like with like.'
      : 'No cadence in your brand profile yet: a steady weekday rhythm that leaves room to test every hook.',
  }))

  const hookSources = [...lead, ...input.patterns.filter(pattern => pattern.kind === 'hook' && !lead.includes(pattern))].slice(0, 5)
  const hooks = hookSources.map(pattern => ({ line: hookLine(pattern, topic, audience), patternKey: pattern.key }))

  const experiments = lead.map((pattern) => {
    const alternative = input.patterns.find(other => other.key !== pattern.key && patternFamily(other.key) === patternFamily(pattern.key))
    return {
      name: alternative ? `{{${pattern.key}}} or {{${alternative.key}}}` : `{{${pattern.key}}}, or not`,
      patternKey: pattern.key,
      againstKey: alternative?.key ?? null,
      metric: 'views_per_follower' as const,
      postsEach: LOCAL_POSTS_EACH,
      rationale: `Alternate the two on the same kind of ${topic} video and compare views per follower; a handful of posts each is a hint, so repeat it before you settle.`,
    }
  })

  const claims = input.patterns.slice(0, 6).map(pattern => ({
    text: hasFigures(pattern)
      ? `Videos with {{${pattern.key}}} got ${direction(pattern)} views per follower than those without it, in the reference numbers you entered${pattern.weak ? '; with so few videos on one side, read it as a hint' : ''}.`
      : pattern.n.with === 0
        ? `{{${pattern.key}}} shows up in your library, but none of the videos with it has reference numbers yet: enter their views and followers to rank it.`
        : `Every video with reference numbers has {{${pattern.key}}}, so there is nothing to compare it with yet: enter the numbers of videos without it.`,
    patternKey: pattern.key,
    videoIds: pattern.videos.slice(0, 3).map(video => video.id),
  }))

  return { summary, pillars, cadence, hooks, experiments, claims }
}

export const strategyPrompt: PromptTemplate<StrategyPromptInput, StrategyDraft> = {
  purpose: 'strategy.generate',
  version: 'strategy-2',
  schema: strategyOutputSchema,
  instructions,
  render,
  local,
}

export default strategyPrompt
