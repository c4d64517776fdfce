import { z } from 'zod'
import { platforms, type PlatformKey } from './platforms/keys'

// An edit recipe: what the Studio does to one piece of footage, as data. The compiler
// (server/services/media/render/compile.ts) turns it into ffmpeg commands; the Studio page edits it.
// Times in `trim`, `keep`, `opening` and caption cues are in source seconds: the compiler maps them through the
// cuts and the speed, so captions stay on their words when silences are removed. `hook` and `endCard` are in
// output seconds.

const seconds = z.number().min(0).max(6 * 60 * 60)
// The refusal says how long the text is, so a person knows how much to cut (the field keeps the text as typed).
const text = (max: number) => z.string().trim().min(1, 'The text is empty.')
  .max(max, { error: issue => `At most ${max} characters (this one has ${String(issue.input).length}).` })
const hexColour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'A colour is written #rrggbb.')

export const aspects = ['9:16', '1:1', '16:9'] as const
export type Aspect = typeof aspects[number]

/** Output frame for each aspect, at the sizes Reels, TikTok, Shorts and YouTube expect. */
export const aspectSizes: Record<Aspect, { width: number, height: number }> = {
  '9:16': { width: 1080, height: 1920 },
  '1:1': { width: 1080, height: 1080 },
  '16:9': { width: 1920, height: 1080 },
}

export const reframeSchema = z.discriminatedUnion('mode', [
  // Keep the source frame as it is.
  z.object({ mode: z.literal('none') }),
  // Crop to the aspect; `centerX` (0–1 of the source width) says where the subject is, the middle by default.
  z.object({ mode: z.literal('crop'), aspect: z.enum(aspects), centerX: z.number().min(0).max(1).default(0.5) }),
  // Fit the whole frame inside the aspect, over a blurred, filled copy of itself.
  z.object({ mode: z.literal('blur'), aspect: z.enum(aspects) }),
])
export type Reframe = z.infer<typeof reframeSchema>

export const spanSchema = z.object({ start: seconds, end: seconds }).refine(value => value.end > value.start, 'A part must end after it starts.')

/** Jump cuts where the audio is quiet, like auto-editor's audio mode. */
export const silenceSchema = z.object({
  // Audio this far below the loudest sample of the trimmed footage counts as silence: −28 dB is auto-editor's
  // default threshold of 4 % of the peak.
  thresholdDb: z.number().min(-80).max(-6).default(-28),
  // Sound kept on each side of every cut, so words are not clipped (auto-editor: --margin, 0.2 s).
  marginSeconds: z.number().min(0).max(2).default(0.2),
  // Quiet stretches shorter than this are left in (a breath between words is not a cut). 0.6 s is what
  // auto-editor's defaults cut: --min-cut-length of 6 frames plus the margin on both sides.
  minSilenceSeconds: z.number().min(0.05).max(10).default(0.6),
})
export type SilenceRemoval = z.infer<typeof silenceSchema>

export const hookPositions = ['top', 'center', 'bottom'] as const
/** A line of text over the opening seconds: the written hook. */
export const hookSchema = z.object({
  text: text(120),
  seconds: z.number().min(0.5).max(15).default(3),
  position: z.enum(hookPositions).default('top'),
})

export const captionStyles = ['clean', 'bold', 'highlight', 'boxed'] as const
export type CaptionStyle = typeof captionStyles[number]
export const captionStyleLabels: Record<CaptionStyle, string> = {
  clean: 'Clean: white, thin outline',
  bold: 'Bold: large, heavy outline',
  highlight: 'Word by word: the spoken word lights up',
  boxed: 'Boxed: text on a dark box',
}

const wordSchema = z.object({ start: seconds, end: seconds, text: text(40) })
export const captionCueSchema = z.object({
  start: seconds,
  end: seconds,
  text: text(200),
  // Word timings (source seconds) for the word-by-word style; without them the cue's time is shared by length.
  words: z.array(wordSchema).max(60).optional(),
}).refine(cue => cue.end > cue.start, 'A caption must end after it starts.')
export type CaptionCue = z.infer<typeof captionCueSchema>

export const captionsSchema = z.object({
  style: z.enum(captionStyles).default('bold'),
  position: z.enum(['bottom', 'middle', 'top']).default('bottom'),
  cues: z.array(captionCueSchema).min(1, 'Add at least one caption.').max(2000),
})

/** A track from the workspace's Studio assets, ducked under speech. */
export const musicSchema = z.object({
  assetId: z.uuid(),
  // The music's level where nobody speaks, relative to its own.
  volumeDb: z.number().min(-40).max(0).default(-12),
  // How far the music drops while someone speaks.
  duckDb: z.number().min(3).max(40).default(12),
})

/** A closing card with a call to action, after the footage. */
export const endCardSchema = z.object({
  text: text(80),
  seconds: z.number().min(1).max(8).default(2.5),
  background: hexColour.default('#111111'),
})

export const corners = ['top-left', 'top-right', 'bottom-left', 'bottom-right'] as const
/** A logo (an image from the Studio assets) in a corner for the whole video. */
export const watermarkSchema = z.object({
  assetId: z.uuid(),
  corner: z.enum(corners).default('top-right'),
  opacity: z.number().min(0.1).max(1).default(0.85),
  // Logo width as a share of the frame's width.
  widthFraction: z.number().min(0.05).max(0.4).default(0.16),
})

// The platform list lives with the platforms; the recipe names one as its render target.
export { platforms, type PlatformKey }

/**
 * What varies between the renders of one recipe. Each list holds alternatives to the recipe's own value (its hook
 * line, opening, caption style, length), which is always rendered too; the Studio renders every combination (at most
 * `maxVariants`), and each Render row records which values it took.
 */
export const variationsSchema = z.object({
  hookText: z.array(text(120)).max(4).default([]),
  // A part of the footage moved to the very start: a different opening shot.
  opening: z.array(spanSchema).max(4).default([]),
  captionStyle: z.array(z.enum(captionStyles)).max(4).default([]),
  // The longest the footage part may run, in output seconds (the end card comes on top).
  maxSeconds: z.array(z.number().min(3).max(15 * 60)).max(4).default([]),
})
export type Variations = z.infer<typeof variationsSchema>
export const maxVariants = 8

export const editRecipeSchema = z.object({
  version: z.literal(1).default(1),
  // The part of the footage to use; the end defaults to the end of the footage.
  trim: z.object({ start: seconds.default(0), end: seconds.optional() }).default({ start: 0 }),
  // An explicit cut list: only these parts are kept, in this order. Empty means all of the trimmed footage.
  keep: z.array(spanSchema).max(500, 'At most 500 kept parts.').default([]),
  silence: silenceSchema.nullable().default(null),
  // A part moved to the front (the opening shot); it is taken out of where it was.
  opening: spanSchema.nullable().default(null),
  // The longest the footage part may run, in output seconds.
  maxSeconds: z.number().min(1).max(6 * 60 * 60).nullable().default(null),
  reframe: reframeSchema.default({ mode: 'none' }),
  // 'source': the footage's own pixels, never enlarged (a 1080p crop to 9:16 is 608×1080), but at least half the
  // standard size (540×960, the smallest Reels take); renders about 3× faster than enlarging and adds no detail.
  // 'standard': always 1080×1920 (1080×1080, 1920×1080), enlarged when needed; the Instagram preset picks it.
  resolution: z.enum(['source', 'standard']).default('source'),
  speed: z.number().min(0.5, 'Speed goes from 0.5× to 2×.').max(2, 'Speed goes from 0.5× to 2×.').default(1),
  hook: hookSchema.nullable().default(null),
  captions: captionsSchema.nullable().default(null),
  music: musicSchema.nullable().default(null),
  endCard: endCardSchema.nullable().default(null),
  watermark: watermarkSchema.nullable().default(null),
  // Two-pass EBU R128 normalisation; platforms play at about −14 LUFS. Null leaves the audio level alone.
  loudness: z.object({
    targetLufs: z.number().min(-30).max(-5).default(-14),
    truePeakDb: z.number().min(-9).max(0).default(-1),
    rangeLu: z.number().min(1).max(20).default(11),
  }).nullable().default({ targetLufs: -14, truePeakDb: -1, rangeLu: 11 }),
  // The platform the render is encoded for (its output preset); null is a general H.264 file.
  platform: z.enum(platforms).nullable().default(null),
  variations: variationsSchema.default({ hookText: [], opening: [], captionStyle: [], maxSeconds: [] }),
})

/**
 * A Studio draft: the recipe as it is being made, saved as the creator works. The same rules as a recipe to render,
 * except that captions may have no cues yet (a preset leaves the timed text to the creator); rendering needs one.
 */
export const draftRecipeSchema = editRecipeSchema.extend({
  captions: captionsSchema.extend({ cues: z.array(captionCueSchema).max(2000) }).nullable().default(null),
})

/**
 * Whether the word-by-word style would have to guess when each word is said: some caption has no word times, so its
 * words share the caption's time by their length. SRT has no word times; transcription will bring them.
 */
export function wordTimingIsEstimated(captions: { cues: CaptionCue[] } | null | undefined): boolean {
  return Boolean(captions?.cues.some(cue => !cue.words?.length))
}

/** A recipe whose captions light up word by word on estimated times: "approximate timing" is said next to it. */
export function usesApproximateWordTiming(recipe: { captions: { style: CaptionStyle, cues: CaptionCue[] } | null } | null | undefined): boolean {
  return recipe?.captions?.style === 'highlight' && wordTimingIsEstimated(recipe.captions)
}

export type EditRecipe = z.infer<typeof editRecipeSchema>
export type EditRecipeInput = z.input<typeof editRecipeSchema>

/** Which value each varying dimension took in one variant; null is the recipe's own "none" (full length, as shot). */
export interface VariantKeys {
  hookText?: string
  opening?: { start: number, end: number } | null
  captionStyle?: CaptionStyle
  maxSeconds?: number | null
}

export interface Variant {
  /** "A", "B", … */
  label: string
  keys: VariantKeys
  /** The recipe of this one render: the alternatives applied, `variations` emptied. */
  recipe: EditRecipe
}

export class VariationError extends Error {}

/** The recipe's own value first, then each alternative that differs from the ones before it. */
function withMain<T>(main: T, alternatives: T[], same: (first: T, second: T) => boolean = Object.is): T[] {
  return [main, ...alternatives].filter((value, index, all) => all.findIndex(other => same(other, value)) === index)
}
const sameSpan = (first: { start: number, end: number } | null, second: { start: number, end: number } | null) =>
  first === second || (first !== null && second !== null && first.start === second.start && first.end === second.end)

/**
 * Every combination of the recipe's own version and its alternatives, each as a plain recipe. Every dimension works
 * the same way: the main version (the hook line, the caption style, the opening and the length set in the recipe) is
 * always rendered, and each alternative adds variants. No alternatives: one variant, "A".
 */
export function expandVariations(recipe: EditRecipe): Variant[] {
  const { hookText, opening, captionStyle, maxSeconds } = recipe.variations
  if (hookText.length > 0 && !recipe.hook) throw new VariationError('Hook text varies, but the recipe has no hook: add one first.')
  if (captionStyle.length > 0 && !recipe.captions) throw new VariationError('The caption style varies, but the recipe has no captions: add them first.')
  // A dimension varies when it has a value besides the main one; only varying dimensions are named in the keys.
  function dimension<K extends keyof VariantKeys>(key: K, values: VariantKeys[K][]) {
    return (keys: VariantKeys): VariantKeys[] => values.length > 1 ? values.map(value => ({ ...keys, [key]: value })) : [keys]
  }
  const dimensions = [
    dimension('hookText', recipe.hook ? withMain(recipe.hook.text, hookText) : []),
    dimension('opening', withMain(recipe.opening, opening, sameSpan)),
    dimension('captionStyle', recipe.captions ? withMain(recipe.captions.style, captionStyle) : []),
    dimension('maxSeconds', withMain(recipe.maxSeconds, maxSeconds)),
  ]
  const combinations = dimensions.reduce<VariantKeys[]>((all, expand) => all.flatMap(expand), [{}])
  if (combinations.length > maxVariants) {
    throw new VariationError(`These alternatives make ${combinations.length} variants; at most ${maxVariants} are rendered at once. Remove some alternatives.`)
  }
  const empty: Variations = { hookText: [], opening: [], captionStyle: [], maxSeconds: [] }
  return combinations.map((keys, index) => ({
    label: String.fromCharCode(65 + index),
    keys,
    recipe: {
      ...recipe,
      variations: empty,
      hook: recipe.hook && keys.hookText !== undefined ? { ...recipe.hook, text: keys.hookText } : recipe.hook,
      opening: keys.opening !== undefined ? keys.opening : recipe.opening,
      captions: recipe.captions && keys.captionStyle ? { ...recipe.captions, style: keys.captionStyle } : recipe.captions,
      maxSeconds: keys.maxSeconds !== undefined ? keys.maxSeconds : recipe.maxSeconds,
    },
  }))
}

/** What sets one variant apart, in words: the same text before rendering and on its render card. */
export function describeVariant(keys: VariantKeys): string {
  const parts = [
    keys.hookText === undefined ? null : `“${keys.hookText}”`,
    keys.captionStyle === undefined ? null : `${captionStyleLabels[keys.captionStyle].split(':')[0]!.toLowerCase()} captions`,
    keys.maxSeconds === undefined ? null : keys.maxSeconds === null ? 'full length' : `at most ${keys.maxSeconds} s`,
    keys.opening === undefined ? null : keys.opening === null ? 'opens as shot' : `opens at ${keys.opening.start} s`,
  ]
  return parts.filter(Boolean).join(', ') || 'as edited'
}
