import { z } from 'zod'
import { draftRecipeSchema, editRecipeSchema } from './recipe'
import type { EditRecipe, EditRecipeInput, VariantKeys, PlatformKey } from './recipe'
import type { PlatformCheck } from './platforms'

// Studio schemas and shapes shared by the pages and the routes (the recipe itself is in recipe.ts).

export const renderStatuses = ['queued', 'running', 'succeeded', 'failed', 'canceled'] as const
export type RenderStatus = typeof renderStatuses[number]

/** Where a running render is: the measuring passes, the quick preview, the full render, storing the files. */
export const renderStages = ['measuring', 'preview', 'rendering', 'storing'] as const
export type RenderStage = typeof renderStages[number]

const editName = z.string().trim().min(1, 'Name the edit.').max(120, { error: issue => `At most 120 characters (this one has ${String(issue.input).length}).` })
const patternKeys = z.array(z.string().trim().min(1).max(80)).max(30)
const draftVersion = z.number().int().min(1)

export const createRendersSchema = z.object({
  videoId: z.uuid(),
  name: editName,
  recipe: editRecipeSchema,
  // The Library patterns the recipe applies (from a preset), kept on the recipe for the learning loop.
  patternKeys: patternKeys.default([]),
  // The draft being rendered, and the version the page holds: the draft is saved as sent (409 when another tab
  // changed it meanwhile) and the renders link it. Without it, the edit is saved as a recipe of its own.
  recipeId: z.uuid().optional(),
  version: draftVersion.optional(),
})
export type CreateRendersInput = z.input<typeof createRendersSchema>

// ── Drafts (EditRecipe rows): routes under studio/recipes/ ──

export const recipeListQuery = z.object({
  videoId: z.uuid({ error: 'Say which footage the drafts are of (videoId).' }),
})

/** A new draft of the footage, from a preset (or blank). */
export const createRecipeSchema = z.object({
  videoId: z.uuid(),
  name: editName,
  recipe: draftRecipeSchema,
  presetKey: z.string().trim().min(1).max(80).nullable().default(null),
  patternKeys: patternKeys.default([]),
})

/** A draft made from a render: "Edit again" opens what it used, "Duplicate" copies it. */
export const recipeFromRenderSchema = z.object({
  renderId: z.uuid(),
  as: z.enum(['edit', 'copy'], { error: 'Say whether to edit the render again (as=edit) or copy it (as=copy).' }),
})

/** A save: `version` is the one the change was made from; only what is sent changes. */
export const updateRecipeSchema = z.object({
  version: draftVersion,
  name: editName.optional(),
  recipe: draftRecipeSchema.optional(),
  patternKeys: patternKeys.optional(),
})

export interface RecipeSummary {
  id: string
  sourceVideoId: string | null
  name: string
  presetKey: string | null
  patternKeys: string[]
  /** Raised by every save that changes it; send it back with the next save. */
  version: number
  /** The version last rendered, or null when it never was. */
  renderedVersion: number | null
  renderCount: number
  recipe: EditRecipe
  createdAt: string
  updatedAt: string
}

/** What a render keeps of the draft it was made from (Render.recipeSnapshot). */
export interface RecipeSnapshot {
  /** Shared by the variants rendered together. */
  batchId: string
  name: string
  version: number
  presetKey: string | null
  patternKeys: string[]
  recipe: EditRecipe
}

export const renderListQuery = z.object({
  videoId: z.uuid().optional(),
})

export const presetListQuery = z.object({
  // The footage the presets are for: they adapt to it (no silence removal on footage without sound, say).
  videoId: z.uuid().optional(),
})

export const studioAssetKinds = ['music', 'logo'] as const
export type StudioAssetKind = typeof studioAssetKinds[number]

export const assetListQuery = z.object({
  kind: z.enum(studioAssetKinds).optional(),
})

/** The file goes in a multipart part named `file`; what it is comes from the query, its name from here or the file. */
export const assetUploadQuery = z.object({
  kind: z.enum(studioAssetKinds, { error: 'Say whether this is a music track or a logo (kind=music or kind=logo).' }),
  name: z.string().trim().min(1).max(120).optional(),
  // The file's own name; the body is the file itself.
  filename: z.string().trim().min(1).max(255).optional(),
})

/** What the Studio takes as a music track or a logo. ffprobe decides what a file is, never its name. */
export const studioAssetLimits = {
  music: { maxBytes: 30 * 1024 * 1024, maxSeconds: 10 * 60, formats: 'MP3, M4A (AAC), WAV, OGG or FLAC' },
  logo: { maxBytes: 5 * 1024 * 1024, maxPixels: 4096, formats: 'PNG, JPEG or WebP' },
} as const

export interface StudioAssetSummary {
  id: string
  kind: StudioAssetKind
  name: string
  sizeBytes: number
  durationMs: number | null
  width: number | null
  height: number | null
  url: string
  createdAt: string
}

export interface RenderSummary {
  id: string
  recipeId: string | null
  /** The edit's name when it was rendered. */
  recipeName: string | null
  /** The variants rendered together share it. */
  batchId: string
  /** Word-by-word captions placed by estimate: no word times in its captions. */
  approximateWordTiming: boolean
  sourceVideoId: string
  variantLabel: string
  keys: VariantKeys
  status: RenderStatus
  /** 0..1 of the whole job. */
  progress: number
  jobId: string | null
  platform: PlatformKey | null
  /** Each platform's verdict on the finished file; null until it is finished. */
  checks: PlatformCheck[] | null
  previewUrl: string | null
  outputUrl: string | null
  downloadUrl: string | null
  thumbnailUrl: string | null
  durationMs: number | null
  width: number | null
  height: number | null
  sizeBytes: number | null
  error: string | null
  createdAt: string
  finishedAt: string | null
}

/** A starting point for a recipe: built in, or made from the patterns measured in the Library. */
export interface StudioPreset {
  key: string
  name: string
  description: string
  source: 'built-in' | 'patterns'
  recipe: EditRecipeInput
  /** The Library patterns it applies; send them back with the renders (createRendersSchema.patternKeys). */
  patternKeys: string[]
}
