// Studio drafts: an edit being made is an EditRecipe row of one piece of footage, saved as the creator works.
// Saves are optimistic: each names the version it was made from, and a save from a stale version is refused (409),
// so two tabs never silently overwrite each other. A render keeps a snapshot of the draft it was made from
// (Render.recipeSnapshot), so "Edit again" opens what the render used even after the draft has moved on.
// Every query is scoped by workspaceId.
import { isDeepStrictEqual } from 'node:util'
import type { PrismaClient, Prisma } from '../../generated/prisma/client'
import { draftRecipeSchema } from '#shared/recipe'
import type { EditRecipe } from '#shared/recipe'
import type { RecipeSnapshot, RecipeSummary } from '#shared/studio'
import { conflict, notFound } from '../errors'

const recipeSelect = {
  id: true, sourceVideoId: true, name: true, presetKey: true, patternKeys: true, version: true, renderedVersion: true,
  steps: true, createdAt: true, updatedAt: true, _count: { select: { renders: true } },
} as const

type RecipeRow = Prisma.EditRecipeGetPayload<{ select: typeof recipeSelect }>

export const toJson = <T>(value: T): Prisma.InputJsonValue => JSON.parse(JSON.stringify(value))

/** A stored recipe as the Studio reads it; one saved in a form it no longer reads is said so, not guessed at. */
export function readStoredRecipe(steps: unknown): EditRecipe {
  const parsed = draftRecipeSchema.safeParse(steps)
  if (!parsed.success) throw conflict('This edit was saved in a form the Studio no longer reads. Start a new edit from a preset.')
  return parsed.data
}

function summarise(row: RecipeRow): RecipeSummary {
  return {
    id: row.id,
    sourceVideoId: row.sourceVideoId,
    name: row.name,
    presetKey: row.presetKey,
    patternKeys: row.patternKeys,
    version: row.version,
    renderedVersion: row.renderedVersion,
    renderCount: row._count.renders,
    recipe: readStoredRecipe(row.steps),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

async function assertFootage(db: PrismaClient, workspaceId: string, videoId: string): Promise<void> {
  const video = await db.video.findFirst({ where: { id: videoId, workspaceId, deletedAt: null }, select: { id: true } })
  if (!video) throw notFound('This video')
}

/** The drafts of one piece of footage, the last changed first. */
export async function listRecipes(db: PrismaClient, workspaceId: string, videoId: string): Promise<RecipeSummary[]> {
  const rows = await db.editRecipe.findMany({
    where: { workspaceId, sourceVideoId: videoId },
    orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }],
    select: recipeSelect,
    take: 100,
  })
  // A row saved in a form the Studio no longer reads is left out of the list rather than breaking it.
  return rows.flatMap((row) => {
    try {
      return [summarise(row)]
    }
    catch {
      return []
    }
  })
}

export async function getRecipe(db: PrismaClient, workspaceId: string, recipeId: string): Promise<RecipeSummary> {
  const row = await db.editRecipe.findFirst({ where: { id: recipeId, workspaceId }, select: recipeSelect })
  if (!row) throw notFound('This draft')
  return summarise(row)
}

export interface NewRecipe {
  workspaceId: string
  userId: string
  videoId: string
  name: string
  recipe: EditRecipe
  presetKey?: string | null
  patternKeys?: string[]
  /** The filming script it was made from (Scripts → Send to the Studio). */
  scriptId?: string | null
}

export async function createRecipe(db: PrismaClient, input: NewRecipe): Promise<RecipeSummary> {
  await assertFootage(db, input.workspaceId, input.videoId)
  const row = await db.editRecipe.create({
    data: {
      workspaceId: input.workspaceId, createdById: input.userId, sourceVideoId: input.videoId, name: input.name,
      steps: toJson(input.recipe), presetKey: input.presetKey ?? null, patternKeys: input.patternKeys ?? [],
      scriptId: input.scriptId ?? null,
    },
    select: recipeSelect,
  })
  return summarise(row)
}

const staleMessage = (current: number, yours: number) =>
  `This draft was changed in another tab or by someone else (it is at version ${current}; yours was made from version ${yours}). Load the newer one, or keep yours as a copy.`

/**
 * Saves a draft made from `version`: refused (409) when the stored one has moved on since. A save that changes
 * nothing keeps the version, so a second tab that only looked is not told it is stale.
 */
export async function updateRecipe(db: PrismaClient, workspaceId: string, recipeId: string, input: {
  version: number
  name?: string
  recipe?: EditRecipe
  patternKeys?: string[]
}): Promise<RecipeSummary> {
  return db.$transaction(async (tx) => {
    const row = await tx.editRecipe.findFirst({ where: { id: recipeId, workspaceId }, select: { version: true, name: true, steps: true, patternKeys: true } })
    if (!row) throw notFound('This draft')
    if (row.version !== input.version) throw conflict(staleMessage(row.version, input.version))
    const next = {
      name: input.name ?? row.name,
      steps: input.recipe ? toJson(input.recipe) : row.steps as Prisma.InputJsonValue,
      patternKeys: input.patternKeys ?? row.patternKeys,
    }
    const unchanged = isDeepStrictEqual(next, { name: row.name, steps: row.steps, patternKeys: row.patternKeys })
    if (!unchanged) {
      // Conditional on the version read: a save that raced this one between the read and here is refused too.
      const { count } = await tx.editRecipe.updateMany({ where: { id: recipeId, workspaceId, version: input.version }, data: { ...next, version: { increment: 1 } } })
      if (count === 0) {
        const current = await tx.editRecipe.findFirst({ where: { id: recipeId, workspaceId }, select: { version: true } })
        if (!current) throw notFound('This draft')
        throw conflict(staleMessage(current.version, input.version))
      }
    }
    return summarise(await tx.editRecipe.findFirstOrThrow({ where: { id: recipeId, workspaceId }, select: recipeSelect }))
  })
}

/** Deletes a draft; its renders stay, with the snapshot of what they were made from. */
export async function deleteRecipe(db: PrismaClient, workspaceId: string, recipeId: string): Promise<{ deleted: true }> {
  const { count } = await db.editRecipe.deleteMany({ where: { id: recipeId, workspaceId } })
  if (count === 0) throw notFound('This draft')
  return { deleted: true }
}

// "(copy)" after a name at the length limit still fits it.
const suffixed = (name: string, suffix: string) => `${name.slice(0, 120 - suffix.length).trimEnd()}${suffix}`
const copyName = (name: string) => suffixed(name, ' (copy)')

/**
 * The draft a render was made from, to edit again or to copy. "Edit again" opens the render's own draft while it
 * still holds what the render used; once the draft has changed (or is gone), a new draft "… (as rendered)" is made
 * from the render's snapshot, so nothing in the changed one is overwritten. "Duplicate" always makes a new draft, named "… (copy)".
 */
export async function draftFromRender(db: PrismaClient, input: { workspaceId: string, userId: string, renderId: string, as: 'edit' | 'copy' }): Promise<{ recipe: RecipeSummary, created: boolean }> {
  const { workspaceId } = input
  const render = await db.render.findFirst({
    where: { id: input.renderId, workspaceId },
    select: {
      sourceVideoId: true, recipeSnapshot: true, params: true,
      recipe: { select: { id: true, name: true, steps: true, version: true, presetKey: true, patternKeys: true } },
    },
  })
  if (!render) throw notFound('This render')
  const snapshot = render.recipeSnapshot as RecipeSnapshot | null
  // Renders made before drafts existed had a recipe row of their own, never edited: version 1 is what they used.
  const source = snapshot ?? (render.recipe
    ? { name: render.recipe.name, version: 1, presetKey: render.recipe.presetKey, patternKeys: render.recipe.patternKeys, recipe: render.recipe.steps }
    : { name: 'An edit', version: null, presetKey: null, patternKeys: [], recipe: (render.params as { recipe?: unknown } | null)?.recipe })
  if (input.as === 'edit' && render.recipe && render.recipe.version === source.version) {
    return { recipe: await getRecipe(db, workspaceId, render.recipe.id), created: false }
  }
  const recipe = await createRecipe(db, {
    workspaceId, userId: input.userId, videoId: render.sourceVideoId,
    // A new draft beside the changed one: its name tells the two apart.
    name: input.as === 'copy' ? copyName(source.name) : suffixed(source.name, ' (as rendered)'),
    recipe: readStoredRecipe(source.recipe), presetKey: source.presetKey, patternKeys: source.patternKeys,
  })
  return { recipe, created: true }
}

/**
 * Inside the render's transaction: the draft takes what is being rendered (a new version when that differs from what
 * is stored) and is marked rendered at that version. Refused when the page's version is stale.
 */
export async function saveDraftForRender(tx: Prisma.TransactionClient, input: {
  workspaceId: string
  recipeId: string
  videoId: string
  version?: number
  name: string
  recipe: EditRecipe
  patternKeys: string[]
}): Promise<{ id: string, version: number, presetKey: string | null }> {
  const where = { id: input.recipeId, workspaceId: input.workspaceId, sourceVideoId: input.videoId }
  const draft = await tx.editRecipe.findFirst({ where, select: { version: true, name: true, steps: true, patternKeys: true, presetKey: true } })
  if (!draft) throw notFound('This draft')
  if (input.version !== undefined && draft.version !== input.version) throw conflict(staleMessage(draft.version, input.version))
  const next = { name: input.name, steps: toJson(input.recipe), patternKeys: input.patternKeys }
  const changed = !isDeepStrictEqual(next, { name: draft.name, steps: draft.steps, patternKeys: draft.patternKeys })
  const version = changed ? draft.version + 1 : draft.version
  const { count } = await tx.editRecipe.updateMany({
    where: { ...where, version: draft.version },
    data: { ...(changed ? next : {}), version, renderedVersion: version },
  })
  if (count === 0) throw conflict(staleMessage(draft.version + 1, draft.version))
  return { id: input.recipeId, version, presetKey: draft.presetKey }
}
