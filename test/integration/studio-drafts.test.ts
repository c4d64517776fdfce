// Studio drafts through the API of the built app (web role: renders are queued, never rendered here): a draft is
// created, listed per footage, saved with its version (a stale one gets 409 and changes nothing), renamed and
// deleted; rendering a draft links it and keeps a snapshot, so "Edit again" opens what the render used and
// "Duplicate" copies it. Viewers read and are refused writes; another workspace sees nothing.
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import type { RecipeSummary, RenderSummary } from '#shared/studio'
import { ApiClient } from '../support/api'
import { startBuiltApp, type RunningApp } from '../support/app-server'
import { createPrisma } from '../support/scratch'

describe(`Studio drafts on ${inject('databaseKind')}`, () => {
  let app: RunningApp
  let dataDir: string
  let db: PrismaClient
  let editor: ApiClient
  let viewer: ApiClient
  let outsider: ApiClient
  let workspaceId: string
  let outsiderWorkspaceId: string
  let footageId: string
  let otherFootageId: string
  const recipes = () => `/api/workspaces/${workspaceId}/studio/recipes`
  const run = randomUUID().slice(0, 8)

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-drafts-'))
    app = await startBuiltApp({ DATA_DIR: dataDir, DATABASE_URL: inject('databaseUrl'), APP_ROLE: 'web' })
    db = createPrisma(inject('databaseUrl'))
    editor = new ApiClient(app.url)
    expect((await editor.signUp({ name: 'Eve', email: `eve-${run}@drafts.test` })).status).toBe(201)
    workspaceId = (await editor.session()).workspaces[0]!.id
    viewer = new ApiClient(app.url)
    expect((await viewer.signUp({ name: 'Vic', email: `vic-${run}@drafts.test` })).status).toBe(201)
    await db.membership.create({ data: { workspaceId, userId: (await viewer.session()).user.id, role: 'viewer' } })
    outsider = new ApiClient(app.url)
    expect((await outsider.signUp({ name: 'Oz', email: `oz-${run}@drafts.test` })).status).toBe(201)
    outsiderWorkspaceId = (await outsider.session()).workspaces[0]!.id
    const footage = { workspaceId, kind: 'footage' as const, status: 'ready' as const, sizeBytes: 1000n, durationMs: 8000, width: 1920, height: 1080, fps: 30, videoCodec: 'h264', audioCodec: 'aac' }
    footageId = (await db.video.create({ data: { ...footage, title: 'Talking head', storageKey: `ws/${workspaceId}/videos/${randomUUID()}/source.mp4` } })).id
    otherFootageId = (await db.video.create({ data: { ...footage, title: 'B-roll', storageKey: `ws/${workspaceId}/videos/${randomUUID()}/source.mp4` } })).id
  }, 120_000)

  afterAll(async () => {
    // Jobs left waiting would be taken by the built apps of other test files (they work every queue) and fail there.
    const left = await db?.render.findMany({ where: { workspaceId, status: 'queued' }, select: { id: true } }) ?? []
    for (const render of left) await editor.post(`/api/workspaces/${workspaceId}/studio/renders/${render.id}/cancel`)
    await db?.$disconnect()
    await app?.stop()
    await rm(dataDir, { recursive: true, force: true })
  })

  const presetRecipe = { hook: { text: 'Three knife mistakes' }, captions: { style: 'highlight', cues: [] }, reframe: { mode: 'crop', aspect: '9:16' } }

  it('creates drafts of a piece of footage, lists them last changed first, and keeps captions without cues for later', async () => {
    const first = await editor.post<RecipeSummary>(recipes(), { videoId: footageId, name: 'Knife tips', recipe: presetRecipe, presetKey: 'fast-hook-captions', patternKeys: ['hook.first_cut<=1s'] })
    expect(first.status, JSON.stringify(first.body)).toBe(201)
    expect(first.body).toMatchObject({ name: 'Knife tips', presetKey: 'fast-hook-captions', version: 1, renderedVersion: null, sourceVideoId: footageId, patternKeys: ['hook.first_cut<=1s'] })
    expect(first.body.recipe.captions).toEqual({ style: 'highlight', position: 'bottom', cues: [] })
    const second = await editor.post<RecipeSummary>(recipes(), { videoId: footageId, name: 'Knife tips, calmer', recipe: {} })
    expect(second.status).toBe(201)
    await editor.post(recipes(), { videoId: otherFootageId, name: 'B-roll cut', recipe: {} })

    const names = async (videoId = footageId) => ((await editor.get<{ recipes: RecipeSummary[] }>(`${recipes()}?videoId=${videoId}`)).body.recipes).map(recipe => recipe.name)
    expect(await names()).toEqual(['Knife tips, calmer', 'Knife tips'])
    // A save moves a draft to the top.
    expect((await editor.patch(`${recipes()}/${first.body.id}`, { version: 1, recipe: { ...presetRecipe, hook: { text: 'Four knife mistakes' } } })).status).toBe(200)
    expect(await names()).toEqual(['Knife tips', 'Knife tips, calmer'])
    expect(await names(otherFootageId)).toEqual(['B-roll cut'])
    expect((await editor.get<RecipeSummary>(`${recipes()}/${first.body.id}`)).body.recipe.hook?.text).toBe('Four knife mistakes')
  })

  it('refuses a save made from a stale version with 409, and changes nothing', async () => {
    const draft = (await editor.post<RecipeSummary>(recipes(), { videoId: footageId, name: 'Two tabs', recipe: presetRecipe })).body
    // Tab one saves; tab two still holds version 1.
    const one = await editor.patch<RecipeSummary>(`${recipes()}/${draft.id}`, { version: 1, recipe: { ...presetRecipe, hook: { text: 'From tab one' } } })
    expect(one.status).toBe(200)
    expect(one.body.version).toBe(2)
    const two = await editor.patch(`${recipes()}/${draft.id}`, { version: 1, recipe: { ...presetRecipe, hook: { text: 'From tab two' } } })
    expect(two.status).toBe(409)
    expect(two.body.statusMessage).toMatch(/changed in another tab or by someone else \(it is at version 2; yours was made from version 1\)\. Load the newer one/)
    const stored = await db.editRecipe.findUniqueOrThrow({ where: { id: draft.id } })
    expect(stored.version).toBe(2)
    expect((stored.steps as { hook: { text: string } }).hook.text).toBe('From tab one')
    // A save that changes nothing keeps the version, so a tab that only looked is not made stale.
    expect((await editor.patch<RecipeSummary>(`${recipes()}/${draft.id}`, { version: 2, recipe: { ...presetRecipe, hook: { text: 'From tab one' } } })).body.version).toBe(2)
    const renamed = await editor.patch<RecipeSummary>(`${recipes()}/${draft.id}`, { version: 2, name: 'Two tabs, renamed' })
    expect(renamed.body).toMatchObject({ name: 'Two tabs, renamed', version: 3 })
    expect(renamed.body.recipe.hook?.text).toBe('From tab one')
  })

  it('names what is wrong with a draft, and refuses footage of another workspace', async () => {
    const draft = (await editor.post<RecipeSummary>(recipes(), { videoId: footageId, name: 'Checked', recipe: {} })).body
    const long = await editor.patch(`${recipes()}/${draft.id}`, { version: 1, recipe: { hook: { text: 'x'.repeat(500) } } })
    expect(long.status).toBe(400)
    expect(long.body.statusMessage).toMatch(/Hook text: at most 120 characters \(this one has 500\)/)
    expect((await editor.patch(`${recipes()}/${draft.id}`, { version: 1, name: '' })).status).toBe(400)
    const outsiderFootage = await db.video.create({ data: { workspaceId: outsiderWorkspaceId, kind: 'footage', status: 'ready', title: 'Theirs', storageKey: `ws/${outsiderWorkspaceId}/videos/${randomUUID()}/source.mp4` } })
    expect((await editor.post(recipes(), { videoId: outsiderFootage.id, name: 'Not mine', recipe: {} })).status).toBe(404)
    expect((await editor.get(`${recipes()}?videoId=${outsiderFootage.id}`)).body).toEqual({ recipes: [] })
  })

  it('links a render to its draft with a snapshot: "Edit again" opens what it used, "Duplicate" copies it', async () => {
    const captions = { style: 'highlight', cues: [{ start: 0, end: 2, text: 'Sharp knives cut cleaner' }] }
    const draft = (await editor.post<RecipeSummary>(recipes(), { videoId: footageId, name: 'Rendered draft', recipe: { ...presetRecipe, captions } })).body
    const rendered = await editor.post<{ recipeId: string, version: number, renders: RenderSummary[] }>(`/api/workspaces/${workspaceId}/studio/renders`, {
      videoId: footageId, name: 'Rendered draft', recipe: { ...presetRecipe, captions }, recipeId: draft.id, version: 1,
    })
    expect(rendered.status, JSON.stringify(rendered.body)).toBe(201)
    expect(rendered.body).toMatchObject({ recipeId: draft.id, version: 1 })
    const [render] = rendered.body.renders
    expect(render).toMatchObject({ recipeId: draft.id, recipeName: 'Rendered draft', approximateWordTiming: true })
    expect((await editor.get<RecipeSummary>(`${recipes()}/${draft.id}`)).body).toMatchObject({ version: 1, renderedVersion: 1, renderCount: 1 })

    // While the draft is as rendered, "Edit again" opens the draft itself.
    const same = await editor.post<RecipeSummary>(`${recipes()}/from-render`, { renderId: render!.id, as: 'edit' })
    expect(same.status).toBe(200)
    expect(same.body.id).toBe(draft.id)

    // The draft moves on, and is renamed; the render keeps its name and what it used.
    const changed = { ...presetRecipe, captions: { ...captions, cues: [{ start: 0, end: 2, text: 'Sharper knives cut cleaner' }] } }
    expect((await editor.patch(`${recipes()}/${draft.id}`, { version: 1, name: 'Renamed draft', recipe: changed })).status).toBe(200)
    expect((await editor.get<RenderSummary>(`/api/workspaces/${workspaceId}/studio/renders/${render!.id}`)).body.recipeName).toBe('Rendered draft')
    const again = await editor.post<RecipeSummary>(`${recipes()}/from-render`, { renderId: render!.id, as: 'edit' })
    expect(again.status).toBe(201)
    expect(again.body.id).not.toBe(draft.id)
    expect(again.body).toMatchObject({ name: 'Rendered draft (as rendered)', sourceVideoId: footageId, version: 1 })
    expect(again.body.recipe.captions?.cues[0]?.text).toBe('Sharp knives cut cleaner')
    // Nothing of the changed draft was overwritten.
    expect((await editor.get<RecipeSummary>(`${recipes()}/${draft.id}`)).body.recipe.captions?.cues[0]?.text).toBe('Sharper knives cut cleaner')

    const copy = await editor.post<RecipeSummary>(`${recipes()}/from-render`, { renderId: render!.id, as: 'copy' })
    expect(copy.status).toBe(201)
    expect(copy.body).toMatchObject({ name: 'Rendered draft (copy)', version: 1, renderedVersion: null })
    expect(copy.body.recipe.captions?.cues[0]?.text).toBe('Sharp knives cut cleaner')

    // Rendering from a stale version is refused, and makes no render.
    const before = await db.render.count({ where: { workspaceId } })
    const stale = await editor.post(`/api/workspaces/${workspaceId}/studio/renders`, { videoId: footageId, name: 'Renamed draft', recipe: changed, recipeId: draft.id, version: 1 })
    expect(stale.status).toBe(409)
    expect(stale.body.statusMessage).toMatch(/changed in another tab/)
    expect(await db.render.count({ where: { workspaceId } })).toBe(before)

    // A deleted draft leaves its renders, and "Edit again" still opens what they used.
    expect((await editor.delete(`${recipes()}/${draft.id}`)).status).toBe(200)
    expect((await editor.get(`${recipes()}/${draft.id}`)).status).toBe(404)
    const afterDelete = await editor.post<RecipeSummary>(`${recipes()}/from-render`, { renderId: render!.id, as: 'edit' })
    expect(afterDelete.status).toBe(201)
    expect(afterDelete.body.recipe.captions?.cues[0]?.text).toBe('Sharp knives cut cleaner')
  })

  it('lets a viewer read drafts and refuses every change', async () => {
    const draft = (await editor.post<RecipeSummary>(recipes(), { videoId: footageId, name: 'Look only', recipe: {} })).body
    expect((await viewer.get<{ recipes: RecipeSummary[] }>(`${recipes()}?videoId=${footageId}`)).body.recipes.map(recipe => recipe.id)).toContain(draft.id)
    expect((await viewer.get(`${recipes()}/${draft.id}`)).status).toBe(200)
    const refusals = [
      await viewer.post(recipes(), { videoId: footageId, name: 'Mine', recipe: {} }),
      await viewer.patch(`${recipes()}/${draft.id}`, { version: 1, name: 'Changed' }),
      await viewer.delete(`${recipes()}/${draft.id}`),
      await viewer.post(`${recipes()}/from-render`, { renderId: randomUUID(), as: 'copy' }),
    ]
    expect(refusals.map(response => response.status)).toEqual([403, 403, 403, 403])
    expect(await db.editRecipe.findUniqueOrThrow({ where: { id: draft.id } })).toMatchObject({ name: 'Look only', version: 1 })
  })

  it('shows another workspace nothing: its own path finds no draft, this one refuses it', async () => {
    const draft = (await editor.post<RecipeSummary>(recipes(), { videoId: footageId, name: 'Private', recipe: {} })).body
    const theirs = `/api/workspaces/${outsiderWorkspaceId}/studio/recipes`
    expect((await outsider.get(`${theirs}/${draft.id}`)).status).toBe(404)
    expect((await outsider.patch(`${theirs}/${draft.id}`, { version: 1, name: 'Taken' })).status).toBe(404)
    expect((await outsider.delete(`${theirs}/${draft.id}`)).status).toBe(404)
    expect((await outsider.get(`${theirs}?videoId=${footageId}`)).body).toEqual({ recipes: [] })
    expect([403, 404]).toContain((await outsider.get(`${recipes()}/${draft.id}`)).status)
    expect(await db.editRecipe.findUniqueOrThrow({ where: { id: draft.id } })).toMatchObject({ name: 'Private', version: 1 })
  })
})
