import { z } from 'zod'
import type { AiProvenanceView, AiProviderName } from './ai'
import type { JobState } from './jobs'

// The AI's reading of one video (hook, topic, format, call to action, on-screen text, emotional arc): the schema a
// model answers in, the shape stored on VideoReading.content, and the pattern buckets a reading files the video under.
// Every field may be unknown (null) and says where its value came from: `measured` (numbers the analysis or a
// transcript holds) or `read` (a model's reading of meaning). Who read it lives on the VideoReading row.

export const hookTypes = ['question', 'bold_claim', 'how_to', 'list_teaser', 'story', 'visual_surprise', 'result_first', 'problem', 'contrarian', 'challenge', 'unknown'] as const
export type HookType = typeof hookTypes[number]

export const videoFormats = ['talking_head', 'tutorial', 'list', 'skit', 'voiceover_broll', 'vlog', 'interview', 'reaction', 'product_demo', 'slideshow', 'montage'] as const
export type VideoFormat = typeof videoFormats[number]

export const ctaTypes = ['follow', 'comment', 'like', 'share', 'save', 'link_in_bio', 'buy', 'subscribe', 'watch_next', 'none'] as const
export type CtaType = typeof ctaTypes[number]

export const readingSources = ['measured', 'read'] as const
export type ReadingSource = typeof readingSources[number]

export const hookTypeLabels: Record<HookType, string> = {
  question: 'a question',
  bold_claim: 'a bold claim',
  how_to: 'a how-to promise',
  list_teaser: 'a list teaser',
  story: 'a story opening',
  visual_surprise: 'a visual surprise',
  result_first: 'the result first',
  problem: 'a problem named',
  contrarian: 'a contrarian take',
  challenge: 'a challenge',
  unknown: 'not known',
}

export const formatLabels: Record<VideoFormat, string> = {
  talking_head: 'Talking head',
  tutorial: 'Tutorial',
  list: 'List',
  skit: 'Skit',
  voiceover_broll: 'Voice-over on B-roll',
  vlog: 'Vlog',
  interview: 'Interview',
  reaction: 'Reaction',
  product_demo: 'Product demo',
  slideshow: 'Slideshow',
  montage: 'Montage',
}

export const ctaLabels: Record<CtaType, string> = {
  follow: 'Follow',
  comment: 'Comment',
  like: 'Like',
  share: 'Share',
  save: 'Save',
  link_in_bio: 'Link in bio',
  buy: 'Buy',
  subscribe: 'Subscribe',
  watch_next: 'Watch the next one',
  none: 'No call to action',
}

// Every key is required and unknowns are null (never absent): OpenAI's strict structured outputs need it. Lengths are
// clipped after parsing (clipReading), not in the schema, since strict mode refuses maxLength.
const source = z.enum(readingSources).nullable().describe('measured: taken from the measurements or transcript given; read: your reading of the video. null when the value is null.')
const note = z.string().nullable().describe('Why, in a short plain sentence: the measured facts behind it, or why it could not be read.')

export const onScreenLineSchema = z.object({
  text: z.string(),
  start: z.number().nullable().describe('Seconds from the start, when known.'),
  end: z.number().nullable(),
})

export const readingContentSchema = z.object({
  hook: z.object({
    type: z.enum(hookTypes).nullable().describe('What the first seconds do to keep a viewer; unknown when it cannot be told.'),
    line: z.string().nullable().describe('The words said or shown in the first seconds, verbatim, when known.'),
    source,
    note,
  }),
  topic: z.object({ value: z.string().nullable().describe('What the video is about, in two to four words, e.g. "Knife skills".'), source, note }),
  format: z.object({ value: z.enum(videoFormats).nullable(), source, note }),
  callToAction: z.object({
    type: z.enum(ctaTypes).nullable().describe('none when the video asks nothing of the viewer.'),
    words: z.string().nullable().describe('The call to action as said or shown, verbatim.'),
    source,
    note,
  }),
  onScreenText: z.object({ lines: z.array(onScreenLineSchema).nullable().describe('Text shown on screen, in order.'), source, note }),
  emotionalArc: z.object({ beats: z.array(z.string()).nullable().describe('Two to four one-word beats in order, e.g. ["tension", "payoff"].'), source, note }),
})

export type ReadingContent = z.infer<typeof readingContentSchema>
export type ReadingField = keyof ReadingContent

const clip = (text: string | null, length: number) => text === null ? null : text.trim().slice(0, length) || null

/** Bounds what is stored and shown, whatever a model sent: a line is a line, an arc a few beats. */
export function clipReading(content: ReadingContent): ReadingContent {
  // Meaning (a topic, a format, a hook type) cannot be measured: whoever says so, it was read.
  const withSource = <T extends { source: ReadingSource | null, note: string | null }>(field: T, hasValue: boolean, meaning = false): T =>
    ({ ...field, note: clip(field.note, 400), source: hasValue ? (meaning ? 'read' : field.source ?? 'read') : null })
  const lines = content.onScreenText.lines?.slice(0, 30).flatMap(line => clip(line.text, 200) ? [{ ...line, text: clip(line.text, 200)! }] : []) ?? null
  const beats = content.emotionalArc.beats?.map(beat => clip(beat, 40)).filter((beat): beat is string => Boolean(beat)).slice(0, 6) ?? null
  const topic = clip(content.topic.value, 80)
  const hookLine = clip(content.hook.line, 300)
  const ctaWords = clip(content.callToAction.words, 300)
  return {
    hook: withSource({ ...content.hook, line: hookLine }, content.hook.type !== null || hookLine !== null, content.hook.type !== null && content.hook.type !== 'unknown'),
    topic: withSource({ ...content.topic, value: topic }, topic !== null, true),
    format: withSource(content.format, content.format.value !== null, true),
    callToAction: withSource({ ...content.callToAction, words: ctaWords }, content.callToAction.type !== null || ctaWords !== null, content.callToAction.type !== null),
    onScreenText: withSource({ ...content.onScreenText, lines }, lines !== null),
    emotionalArc: withSource({ ...content.emotionalArc, beats: beats?.length ? beats : null }, Boolean(beats?.length), true),
  }
}

/** "Knife skills", "knife-skills", " KNIFE_SKILLS! " → "knife-skills": one bucket per topic however it was written. */
export function topicSlug(topic: string): string {
  return topic
    .normalize('NFKD')
    .replace(/[\u0300-\u036F]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '')
}

export type SemanticPatternKind = 'hook' | 'topic' | 'format' | 'cta' | 'visual'

export interface SemanticPatternMatch {
  key: string
  kind: SemanticPatternKind
  label: string
  /** The sentence for this video on the Patterns page, e.g. 'hook: a question ("Why is your knife dull?")'. */
  note: string
  value: Record<string, string | number | boolean | null>
  field: ReadingField
}

const quoted = (text: string | null) => text ? ` (“${text.length > 80 ? `${text.slice(0, 79)}…` : text}”)` : ''

/**
 * The pattern buckets a reading files its video under. Only what was read makes a bucket: a null field, an unknown
 * hook type or a measured fact (the analysis has its own buckets for those) makes none.
 */
export function semanticPatterns(content: ReadingContent): SemanticPatternMatch[] {
  const matches: SemanticPatternMatch[] = []
  const read = (field: { source: ReadingSource | null }) => field.source === 'read'
  const { hook, topic, format, callToAction, onScreenText, emotionalArc } = content
  if (read(hook) && hook.type && hook.type !== 'unknown') {
    matches.push({ key: `hook.type=${hook.type}`, kind: 'hook', label: `Hook: ${hookTypeLabels[hook.type]}`, note: `opens with ${hookTypeLabels[hook.type]}${quoted(hook.line)}`, value: { hookType: hook.type, line: hook.line }, field: 'hook' })
  }
  const slug = topic.value ? topicSlug(topic.value) : ''
  if (read(topic) && slug) {
    matches.push({ key: `topic=${slug}`, kind: 'topic', label: `Topic: ${topic.value}`, note: `about ${topic.value}`, value: { topic: topic.value }, field: 'topic' })
  }
  if (read(format) && format.value) {
    matches.push({ key: `format=${format.value}`, kind: 'format', label: `Format: ${formatLabels[format.value]}`, note: `${formatLabels[format.value].toLowerCase()}`, value: { format: format.value }, field: 'format' })
  }
  if (read(callToAction) && callToAction.type) {
    const label = ctaLabels[callToAction.type]
    matches.push({ key: `cta.type=${callToAction.type}`, kind: 'cta', label: callToAction.type === 'none' ? label : `Call to action: ${label}`, note: callToAction.type === 'none' ? 'asks nothing of the viewer' : `asks the viewer to ${label.toLowerCase()}${quoted(callToAction.words)}`, value: { ctaType: callToAction.type, words: callToAction.words }, field: 'callToAction' })
  }
  if (read(onScreenText) && onScreenText.lines) {
    const shown = onScreenText.lines.length > 0
    matches.push({ key: `visual.on_screen_text=${shown ? 'yes' : 'no'}`, kind: 'visual', label: shown ? 'Text on screen' : 'No text on screen', note: shown ? `${onScreenText.lines.length} line${onScreenText.lines.length === 1 ? '' : 's'} of text on screen${quoted(onScreenText.lines[0]!.text)}` : 'no text on screen', value: { lines: onScreenText.lines.length }, field: 'onScreenText' })
  }
  const beats = emotionalArc.beats?.map(topicSlug).filter(Boolean) ?? []
  // Bucketed by where the arc starts and lands, so arcs told in three or four beats still meet in one bucket.
  if (read(emotionalArc) && beats.length >= 2) {
    const ends = `${beats[0]}-to-${beats.at(-1)}`
    matches.push({ key: `arc=${ends}`, kind: 'format', label: `Arc: ${emotionalArc.beats![0]} → ${emotionalArc.beats!.at(-1)}`, note: `emotional arc ${emotionalArc.beats!.join(' → ')}`, value: { arc: emotionalArc.beats!.join(' → ') }, field: 'emotionalArc' })
  }
  return matches
}

/** GET …/videos/:videoId/reading: the latest reading, who made it, and the reading job still running, if any. */
export interface VideoReadingView {
  reading: {
    id: string
    content: ReadingContent
    provenance: Omit<AiProvenanceView, 'cacheHit'> & { cacheHit: boolean }
    /** The analysis its measurements came from. */
    analysisId: string | null
    /** The pattern buckets it filed the video under. */
    patterns: { key: string, kind: string, label: string, note: string | null }[]
  } | null
  job: { id: string, state: JobState, error: string | null } | null
  /** Whether the video has a transcript (the hook line's words come from it). */
  hasTranscript: boolean
  /** The provider the next reading would use: the workspace's choice, or the server's default. */
  workspaceProvider: AiProviderName
}

export const readingRequestSchema = z.object({
  // "Use the local generator" after a provider failed.
  local: z.boolean().optional(),
}).default({})

export const NEEDS_PROVIDER = 'Not read: it needs an AI provider. Choose one in Settings → AI.'
