import { z } from 'zod'

// An edit recipe: what the Studio does to one piece of footage, as data. The compiler
// (server/services/media/render/compile.ts) turns it into one ffmpeg command; the page edits it.
// This first part covers the timeline (trim, an explicit cut list, speed) and the frame (reframe).

const seconds = z.number().min(0).max(6 * 60 * 60)

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

const span = z.object({ start: seconds, end: seconds }).refine(value => value.end > value.start, 'A kept part must end after it starts.')

export const editRecipeSchema = z.object({
  version: z.literal(1).default(1),
  // The part of the footage to use; the end defaults to the end of the footage.
  trim: z.object({ start: seconds.default(0), end: seconds.optional() }).default({ start: 0 }),
  // An explicit cut list: only these parts are kept, in this order. Empty means all of the trimmed footage.
  keep: z.array(span).max(500, 'At most 500 kept parts.').default([]),
  reframe: reframeSchema.default({ mode: 'none' }),
  speed: z.number().min(0.5, 'Speed goes from 0.5× to 2×.').max(2, 'Speed goes from 0.5× to 2×.').default(1),
  // Two-pass EBU R128 normalisation; platforms play at about −14 LUFS. Null leaves the audio level alone.
  loudness: z.object({
    targetLufs: z.number().min(-30).max(-5).default(-14),
    truePeakDb: z.number().min(-9).max(0).default(-1),
    rangeLu: z.number().min(1).max(20).default(11),
  }).nullable().default({ targetLufs: -14, truePeakDb: -1, rangeLu: 11 }),
})

export type EditRecipe = z.infer<typeof editRecipeSchema>
export type EditRecipeInput = z.input<typeof editRecipeSchema>
