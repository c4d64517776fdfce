// The Studio's renders: a recipe applied to one piece of footage, expanded into its variants, each a Render row
// rendered by a media.render job. The worker makes a quick preview first (the page can play a draft early), then
// the full render, stores both with a thumbnail, and checks the file against every platform's constraints.
// Every query is scoped by workspaceId; media is handed out as short-lived signed URLs.
import { randomUUID } from 'node:crypto'
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { PrismaClient } from '../../generated/prisma/client'
import { Prisma } from '../../generated/prisma/client'
import { checkRenderEverywhere } from '#shared/platforms'
import { platformNames } from '#shared/platforms/keys'
import type { PlatformCheck } from '#shared/platforms'
import { editRecipeSchema, expandVariations, usesApproximateWordTiming, VariationError } from '#shared/recipe'
import { cueAfterClip } from '#shared/srt'
import type { EditRecipe, VariantKeys } from '#shared/recipe'
import type { RecipeSnapshot, RenderStage, RenderStatus, RenderSummary } from '#shared/studio'
import { CLAIM_LEASE_MS, pause, removeStaleScratch, scratchFolderName } from '../jobs/claims'
import { cancelJob } from '../jobs/control'
import type { JobEngine } from '../jobs/engine'
import { withoutRetry } from '../jobs/permanent'
import { storageFullRefusal, workspaceUsedBytes } from '../library/usage'
import { isDiskFull, RENDER_DISK_FULL_MESSAGE } from '../media/disk-full'
import type { MediaTools } from '../media/ffmpeg'
import { renderRecipe, renderThumbnail } from '../media/render/pipeline'
import type { RenderMeasurements } from '../media/render/pipeline'
import { renderFileKey, renderPrefix } from '../media/storage/keys'
import { MediaNotFoundError, type MediaStore } from '../media/storage/types'
import { badRequest, conflict, notFound, ServiceError } from '../errors'
import { failureWithDetail, publicFailure } from '../media/failure'
import { saveDraftForRender } from './recipes'

export const RENDER_QUEUE = 'media.render'

export interface RenderJobData {
  workspaceId: string
  renderId: string
}

/** How the Studio reaches the job engine: queue a render job under a chosen id, and stop one. */
export interface StudioJobs {
  send: (data: RenderJobData, options: { id: string }) => Promise<unknown>
  cancel: (jobId: string) => Promise<void>
}

/** The job engine as the Studio uses it; canceling also records it in JobRun, for the Jobs page. Tests name their own queue. */
export function studioJobs(db: PrismaClient, engine: JobEngine, workspaceId: string, queue = RENDER_QUEUE): StudioJobs {
  return {
    send: (data, options) => engine.send(queue, data, options),
    async cancel(jobId) {
      await cancelJob(db, engine, jobId, workspaceId).catch((error: unknown) => {
        // Already finished, or never tracked: the Render row is what the Studio shows, and it says canceled.
        if (!(error instanceof ServiceError && (error.statusCode === 409 || error.statusCode === 404))) throw error
      })
    },
  }
}

/** What a Render row's `params` holds: the alternatives it took, and its own recipe. */
export interface RenderParams {
  keys: VariantKeys
  recipe: EditRecipe
}

// Long enough to watch a long render without the player losing its source; short enough that a leaked link dies.
const MEDIA_URL_SECONDS = 60 * 60

const toJson = <T>(value: T): Prisma.InputJsonValue => JSON.parse(JSON.stringify(value))

const summarySelect = {
  id: true, recipeId: true, sourceVideoId: true, variantLabel: true, params: true, status: true, progress: true, jobId: true,
  platform: true, checks: true, storageKey: true, previewKey: true, thumbnailKey: true, durationMs: true, width: true,
  height: true, sizeBytes: true, error: true, createdAt: true, finishedAt: true, recipeSnapshot: true, recipe: { select: { name: true } },
} as const

type RenderRow = Prisma.RenderGetPayload<{ select: typeof summarySelect }>

/** "Launch week teaser" and "B" → "launch-week-teaser-B.mp4". */
function downloadNameOf(recipeName: string | null, label: string): string {
  const base = (recipeName ?? 'render').normalize('NFKD').replace(/[^\w\s-]/g, '').trim().replace(/[\s_-]+/g, '-').slice(0, 60).replace(/-+$/, '')
  return `${base || 'render'}-${label}.mp4`
}

async function summarise(store: MediaStore, row: RenderRow): Promise<RenderSummary> {
  const sign = (key: string | null, downloadName?: string) =>
    key ? store.signedUrl(key, { expiresInSeconds: MEDIA_URL_SECONDS, downloadName }) : Promise.resolve(null)
  const params = row.params as Partial<RenderParams> | null
  const snapshot = row.recipeSnapshot as RecipeSnapshot | null
  // Renders made before drafts had a recipe row each; the snapshot's name is the one the edit had then.
  const recipeName = snapshot?.name ?? row.recipe?.name ?? null
  const [previewUrl, outputUrl, downloadUrl, thumbnailUrl] = await Promise.all([
    sign(row.previewKey),
    sign(row.storageKey),
    sign(row.storageKey, downloadNameOf(recipeName, row.variantLabel)),
    sign(row.thumbnailKey),
  ])
  return {
    id: row.id,
    recipeId: row.recipeId,
    recipeName,
    batchId: snapshot?.batchId ?? row.recipeId ?? row.id,
    approximateWordTiming: usesApproximateWordTiming(params?.recipe),
    sourceVideoId: row.sourceVideoId,
    variantLabel: row.variantLabel,
    keys: params?.keys ?? {},
    status: row.status as RenderStatus,
    progress: row.progress,
    jobId: row.jobId,
    platform: row.platform,
    checks: (row.checks as PlatformCheck[] | null) ?? null,
    previewUrl,
    outputUrl,
    downloadUrl,
    thumbnailUrl,
    durationMs: row.durationMs,
    width: row.width,
    height: row.height,
    sizeBytes: row.sizeBytes === null ? null : Number(row.sizeBytes),
    error: row.error,
    createdAt: row.createdAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
  }
}

export interface StudioDependencies {
  db: PrismaClient
  store: MediaStore
}

// Statuses whose footage file is stored and readable; analysing is a re-analysis of a stored video.
const renderableStatuses = new Set(['uploaded', 'analysing', 'ready'])

/** The recipe's assets must be this workspace's, of the right kind. */
async function assertAssets(db: PrismaClient, workspaceId: string, recipe: EditRecipe): Promise<void> {
  const wanted = [
    recipe.music && { id: recipe.music.assetId, kind: 'music' as const, what: 'The music track' },
    recipe.watermark && { id: recipe.watermark.assetId, kind: 'logo' as const, what: 'The logo' },
  ].filter(item => !!item)
  for (const asset of wanted) {
    const found = await db.studioAsset.findFirst({ where: { id: asset.id, workspaceId }, select: { kind: true } })
    if (!found) throw badRequest(`${asset.what} in this edit is not among this workspace's Studio assets (it may have been deleted). Pick another or upload it again.`)
    if (found.kind !== asset.kind) throw badRequest(`${asset.what} in this edit is a ${found.kind === 'logo' ? 'logo' : 'music track'}. Pick a ${asset.kind === 'logo' ? 'logo' : 'music track'} there.`)
  }
}

/** Saves the recipe, makes one Render per variant and queues a media.render job for each. */
/** Refuses new renders once the workspace's stored bytes reach its quota; a render's size is known only when it ends. */
async function assertStorageLeft(db: PrismaClient, workspaceId: string, quotaBytes: number): Promise<void> {
  const refusal = storageFullRefusal(await workspaceUsedBytes(db, workspaceId), quotaBytes)
  if (refusal) throw conflict(refusal)
}

export async function createRenders(deps: StudioDependencies & { jobs: StudioJobs, workspaceQuotaBytes: number }, input: {
  workspaceId: string
  userId: string
  videoId: string
  name: string
  recipe: EditRecipe
  patternKeys?: string[]
  /** The draft being rendered, and the version the page holds. */
  recipeId?: string
  version?: number
}): Promise<{ recipeId: string, version: number, renders: RenderSummary[] }> {
  const { db } = deps
  const { workspaceId, recipe } = input
  const video = await db.video.findFirst({ where: { id: input.videoId, workspaceId, deletedAt: null }, select: { kind: true, status: true, storageKey: true, durationMs: true } })
  if (!video) throw notFound('This video')
  // A reference may be anyone's video, kept to learn from: an editor says it is their own by making it footage.
  if (video.kind === 'reference') throw conflict('This is a reference video, kept to learn from. Use it as footage (in the Studio or the Library) to edit it.')
  if (video.status === 'uploading' || !video.storageKey) throw conflict('This video is still uploading. Render it once the upload has finished.')
  if (!renderableStatuses.has(video.status)) throw conflict('This video could not be read when it was analysed. Upload it again (or another export of it) to render it.')
  if (video.durationMs !== null && recipe.trim.start * 1000 >= video.durationMs) {
    throw badRequest(`The trim starts at ${recipe.trim.start} s, but the video is only ${(video.durationMs / 1000).toFixed(1)} s long. Move the start earlier.`)
  }
  // A caption the clip never reaches would be dropped without a word; one that only runs past the end ends with it.
  const lateCue = video.durationMs === null
    ? null
    : recipe.captions?.cues
        .map((cue, index) => cueAfterClip(cue, `Caption ${index + 1}`, video.durationMs! / 1000)).find(Boolean)
  if (lateCue) throw badRequest(`${lateCue} Move it earlier or remove it.`)
  let variants
  try {
    variants = expandVariations(recipe)
  }
  catch (error) {
    if (error instanceof VariationError) throw badRequest(error.message)
    throw error
  }
  await assertAssets(db, workspaceId, recipe)
  await assertStorageLeft(db, workspaceId, deps.workspaceQuotaBytes)

  const patternKeys = input.patternKeys ?? []
  const rows = await db.$transaction(async (tx) => {
    // Rendering a draft saves it as rendered; without one, the edit is saved as a recipe of its own.
    const saved = input.recipeId
      ? await saveDraftForRender(tx, { workspaceId, recipeId: input.recipeId, videoId: input.videoId, version: input.version, name: input.name, recipe, patternKeys })
      : await tx.editRecipe.create({
          data: { workspaceId, createdById: input.userId, sourceVideoId: input.videoId, name: input.name, steps: toJson(recipe), patternKeys, renderedVersion: 1 },
          select: { id: true, version: true, presetKey: true },
        })
    // What "Edit again" opens, whatever the draft becomes.
    const snapshot: RecipeSnapshot = { batchId: randomUUID(), name: input.name, version: saved.version, presetKey: saved.presetKey, patternKeys, recipe }
    const renders = []
    for (const variant of variants) {
      renders.push(await tx.render.create({
        data: {
          workspaceId,
          sourceVideoId: input.videoId,
          recipeId: saved.id,
          variantLabel: variant.label,
          params: toJson({ keys: variant.keys, recipe: variant.recipe } satisfies RenderParams),
          recipeSnapshot: toJson(snapshot),
          platform: variant.recipe.platform,
          // The job id is chosen here and kept on the row, so the page can follow the job from the start.
          jobId: randomUUID(),
        },
        select: summarySelect,
      }))
    }
    return { recipeId: saved.id, version: saved.version, renders }
  })

  for (const row of rows.renders) {
    try {
      await deps.jobs.send({ workspaceId, renderId: row.id }, { id: row.jobId! })
    }
    catch (error) {
      const message = 'This variant could not be queued for rendering. Render the edit again in a moment.'
      await db.render.update({ where: { id: row.id }, data: { status: 'failed', error: message, finishedAt: new Date() } })
      Object.assign(row, { status: 'failed', error: message })
      console.error(`[studio] could not queue render ${row.id}: ${(error as Error).message}`)
    }
  }
  return { recipeId: rows.recipeId, version: rows.version, renders: await Promise.all(rows.renders.map(row => summarise(deps.store, row))) }
}

export async function listRenders(deps: StudioDependencies, workspaceId: string, filter: { videoId?: string } = {}): Promise<RenderSummary[]> {
  const rows = await deps.db.render.findMany({
    where: { workspaceId, ...(filter.videoId ? { sourceVideoId: filter.videoId } : {}) },
    orderBy: [{ createdAt: 'desc' }, { variantLabel: 'asc' }],
    select: summarySelect,
    take: 200,
  })
  return Promise.all(rows.map(row => summarise(deps.store, row)))
}

export async function getRender(deps: StudioDependencies, workspaceId: string, renderId: string): Promise<RenderSummary> {
  const row = await deps.db.render.findFirst({ where: { id: renderId, workspaceId }, select: summarySelect })
  if (!row) throw notFound('This render')
  return summarise(deps.store, row)
}

/** Stops a waiting or running render: its job is canceled, the worker kills ffmpeg, and its files are removed. */
export async function cancelRender(deps: StudioDependencies & { jobs: StudioJobs }, workspaceId: string, renderId: string): Promise<RenderSummary> {
  const { db } = deps
  const render = await db.render.findFirst({ where: { id: renderId, workspaceId }, select: { id: true, status: true, jobId: true } })
  if (!render) throw notFound('This render')
  const { count } = await db.render.updateMany({
    where: { id: render.id, workspaceId, status: { in: ['queued', 'running'] } },
    data: { status: 'canceled', finishedAt: new Date(), error: null, previewKey: null, storageKey: null, thumbnailKey: null },
  })
  if (count === 0) throw conflict(`Only waiting or running renders can be canceled; this one has ${render.status === 'succeeded' ? 'finished' : render.status === 'failed' ? 'failed' : 'already been canceled'}.`)
  if (render.jobId) await deps.jobs.cancel(render.jobId)
  // A running worker notices within a second, kills ffmpeg and removes what it stored; this covers a waiting one.
  await deps.store.deletePrefix(renderPrefix(workspaceId, render.id))
  return getRender(deps, workspaceId, render.id)
}

/** Renders a failed or canceled variant again: the same row, with a new job. */
export async function retryRender(deps: StudioDependencies & { jobs: StudioJobs, workspaceQuotaBytes: number }, workspaceId: string, renderId: string): Promise<RenderSummary> {
  const { db } = deps
  await assertStorageLeft(db, workspaceId, deps.workspaceQuotaBytes)
  const jobId = randomUUID()
  const { count } = await db.render.updateMany({
    where: { id: renderId, workspaceId, status: { in: ['failed', 'canceled'] } },
    data: { status: 'queued', jobId, claim: null, claimedAt: null, progress: 0, error: null, startedAt: null, finishedAt: null, previewKey: null, storageKey: null, thumbnailKey: null, checks: Prisma.DbNull },
  })
  if (count === 0) {
    const render = await db.render.findFirst({ where: { id: renderId, workspaceId }, select: { status: true } })
    if (!render) throw notFound('This render')
    throw conflict(`Only failed or canceled renders can be rendered again; this one is ${render.status === 'succeeded' ? 'finished' : 'still under way'}.`)
  }
  try {
    await deps.jobs.send({ workspaceId, renderId }, { id: jobId })
  }
  catch (error) {
    await db.render.updateMany({ where: { id: renderId, workspaceId, jobId }, data: { status: 'failed', error: 'This variant could not be queued for rendering. Try again in a moment.', finishedAt: new Date() } })
    console.error(`[studio] could not queue render ${renderId}: ${(error as Error).message}`)
  }
  return getRender(deps, workspaceId, renderId)
}

/** A render a post still waits to publish cannot go: the answer names those posts (when, where), for the calendar. */
async function refuseWhileScheduled(db: PrismaClient, workspaceId: string, renderId: string): Promise<void> {
  const posts = await db.post.findMany({
    where: { workspaceId, renderId, status: { in: ['draft', 'scheduled', 'publishing', 'processing'] } },
    select: { groupId: true, status: true, scheduledAt: true, socialAccount: { select: { platform: true } }, workspace: { select: { timeZone: true } } },
    orderBy: { scheduledAt: 'asc' },
  })
  if (!posts.length) return
  const zone = posts[0]!.workspace.timeZone
  const when = (at: Date | null) => at ? new Intl.DateTimeFormat('en-GB', { timeZone: zone, dateStyle: 'medium', timeStyle: 'short' }).format(at) : 'no time yet'
  const groups = new Map<string, { when: string, status: string, platforms: string[] }>()
  for (const post of posts) {
    const key = post.groupId ?? `${post.scheduledAt?.toISOString()}`
    const group = groups.get(key) ?? { when: when(post.scheduledAt), status: post.status, platforms: [] }
    group.platforms.push(platformNames[post.socialAccount.platform])
    groups.set(key, group)
  }
  const list = [...groups.values()].slice(0, 5).map(group => `${group.status === 'draft' ? 'a draft' : 'a post'} for ${group.when} (${group.platforms.join(', ')})`)
  const more = groups.size > 5 ? ` and ${groups.size - 5} more` : ''
  throw new ServiceError(409, `This render is used by ${list.join('; ')}${more}. Delete those posts or pick another render for them in the Calendar first.`, {
    posts: [...groups.entries()].map(([groupId, group]) => ({ groupId, ...group })),
  })
}

/** Deletes a render, its stored files and its row; one still running is canceled first. */
export async function deleteRender(deps: StudioDependencies & { jobs: StudioJobs }, workspaceId: string, renderId: string): Promise<{ removedObjects: number }> {
  const { db } = deps
  const render = await db.render.findFirst({ where: { id: renderId, workspaceId }, select: { id: true, status: true, jobId: true } })
  if (!render) throw notFound('This render')
  await refuseWhileScheduled(db, workspaceId, render.id)
  if ((render.status === 'queued' || render.status === 'running') && render.jobId) await deps.jobs.cancel(render.jobId)
  await db.render.delete({ where: { id: render.id } })
  // After the row: a worker still running finds no row, stops, and removes what it stored.
  return { removedObjects: await deps.store.deletePrefix(renderPrefix(workspaceId, render.id)) }
}

// ───────────────────────── the worker's side ─────────────────────────

export interface RenderWorkerDependencies extends StudioDependencies {
  tools: MediaTools
  scratchDir: string
}

export interface RunRenderOptions {
  /** Stage and fraction (0..1) of the whole job. */
  onProgress?: (stage: RenderStage, fraction: number) => void
  /** The job's signal: aborted when the worker shuts down or the job expires (not a cancel; that is the row). */
  signal?: AbortSignal
  /** Whether this is the job's last attempt: a failure then is final. Asked when the failure happens. */
  final?: boolean | (() => boolean)
  /** How often the row is read to see whether someone canceled it, and the claim renewed. */
  cancelCheckMs?: number
  /** Names this attempt (the job id and its attempt). The row is claimed with it; another attempt leaves it alone. */
  attempt?: string
  /** How long a claim holds without being renewed: past it, its attempt counts as dead and another may take over. */
  claimLeaseMs?: number
}

/** The render was given up on (jobs.reconcile, through the queue's onFinalFailure): it says so, in words. */
export async function failRender(db: PrismaClient, data: RenderJobData, reason: string): Promise<void> {
  await db.render.updateMany({
    where: { id: data.renderId, workspaceId: data.workspaceId, status: { in: ['queued', 'running'] } },
    data: { status: 'failed', error: `${reason} Render it again to retry.`, finishedAt: new Date(), claim: null, previewKey: null, storageKey: null, thumbnailKey: null },
  })
}

/** A failure retrying cannot fix (the footage or an asset is gone, the recipe cannot be compiled). */
export class RenderInputError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'RenderInputError'
  }
}

// Failures another attempt would meet again: a full disk, footage or an asset that is gone, a recipe this clip cannot
// take. Not a failed probe of the footage: it passed one at upload, so a failure now is more likely a timeout under load.
function isPermanentRenderFailure(error: unknown): boolean {
  return error instanceof RenderInputError || (error instanceof Error && error.name === 'RecipeError') || isDiskFull(error)
}

// The preview is the first quarter of the bar; the full render (its measuring is reused) the rest.
const PREVIEW_SHARE = 0.25
const STORING_SHARE = 0.05

function readableFailure(error: unknown, interrupted: boolean): string {
  if (isDiskFull(error)) return RENDER_DISK_FULL_MESSAGE
  if (interrupted) return 'The render was interrupted: its worker stopped or it ran past its time limit.'
  if (error instanceof Error && error.name === 'RecipeError') return `This edit cannot be rendered: ${error.message}. Change the edit and render it again.`
  // Members read this; paths and ffmpeg's log go to the Jobs page (failureWithDetail) and the server log.
  return publicFailure(error, 'Rendering failed: ffmpeg could not render this edit. Render it again; if it keeps failing, an admin can see why on the Jobs page.')
}

type RunOutcome = { status: 'succeeded' | 'skipped' | 'canceled' }

/**
 * Renders one Render row: preview, full render, thumbnail, checks. Idempotent: a retry starts over with the same
 * storage keys (a dead attempt's files are removed first); a finished, failed or canceled render is skipped.
 * The row is claimed by this attempt: an overlapping delivery of the same render waits while another attempt's
 * claim is alive, and never touches that attempt's files.
 */
export async function runRender(deps: RenderWorkerDependencies, data: RenderJobData, options: RunRenderOptions = {}): Promise<RunOutcome> {
  const { db, store } = deps
  const attempt = options.attempt ?? randomUUID()
  const leaseMs = options.claimLeaseMs ?? CLAIM_LEASE_MS
  const render = await db.render.findFirst({
    where: { id: data.renderId, workspaceId: data.workspaceId },
    include: { sourceVideo: { select: { workspaceId: true, storageKey: true, deletedAt: true } } },
  })
  if (!render || !['queued', 'running'].includes(render.status)) return { status: 'skipped' }

  // Claims the row: queued, or running under no live claim (its attempt died). Otherwise another attempt is at
  // work: wait for it to finish or to die, checking as often as it renews.
  for (;;) {
    const claimed = await db.render.updateMany({
      where: {
        id: render.id, workspaceId: data.workspaceId,
        OR: [
          { status: 'queued' },
          { status: 'running', OR: [{ claim: null }, { claim: attempt }, { claimedAt: null }, { claimedAt: { lt: new Date(Date.now() - leaseMs) } }] },
        ],
      },
      data: { status: 'running', claim: attempt, claimedAt: new Date(), startedAt: new Date(), finishedAt: null, progress: 0, error: null, previewKey: null, storageKey: null, thumbnailKey: null, checks: Prisma.DbNull },
    })
    if (claimed.count === 1) break
    const row = await db.render.findFirst({ where: { id: render.id, workspaceId: data.workspaceId }, select: { status: true } })
    if (!row || !['queued', 'running'].includes(row.status) || options.signal?.aborted) return { status: 'skipped' }
    await pause(Math.min(1000, leaseMs / 4), options.signal)
  }

  const prefix = renderPrefix(data.workspaceId, render.id)
  const canceled = new AbortController()
  // Set when another attempt took the row over: this one stops and leaves the row and the files to it.
  let superseded = false
  const signal = options.signal ? AbortSignal.any([canceled.signal, options.signal]) : canceled.signal
  let lastWrite = 0
  let reported = 0
  const report = (stage: RenderStage, fraction: number) => {
    // Never backwards: the bar moves on through the stages.
    reported = Math.max(reported, Math.min(1, fraction))
    options.onProgress?.(stage, reported)
    const now = Date.now()
    if (now - lastWrite < 500 && reported < 1) return
    lastWrite = now
    void db.render.updateMany({ where: { id: render.id, status: 'running', claim: attempt }, data: { progress: reported } }).catch(() => {})
  }
  // Renews the claim, and looks whether someone canceled the render from the page (the worker may be another process).
  let checking = false
  const watcher = setInterval(() => {
    if (checking) return
    checking = true
    db.render.updateMany({ where: { id: render.id, status: 'running', claim: attempt }, data: { claimedAt: new Date() } })
      .then(async ({ count }) => {
        if (count === 1) return
        const row = await db.render.findFirst({ where: { id: render.id, workspaceId: data.workspaceId }, select: { status: true, claim: true } })
        if (row && row.claim !== attempt && row.status === 'running') superseded = true
        if (!row || row.status === 'canceled' || superseded) canceled.abort()
      })
      .catch(() => {})
      .finally(() => {
        checking = false
      })
  }, options.cancelCheckMs ?? 1000)
  watcher.unref()

  const workDir = join(deps.scratchDir, scratchFolderName('render', render.id, attempt))
  let release: (() => Promise<void>) | undefined
  try {
    // A dead attempt's files go first, so a retry never leaves two of anything.
    await store.deletePrefix(prefix)
    await mkdir(workDir, { recursive: true })
    await removeStaleScratch(deps.scratchDir, 'render', render.id, scratchFolderName('render', render.id, attempt))

    const video = render.sourceVideo
    if (video.workspaceId !== data.workspaceId || video.deletedAt || !video.storageKey) throw new RenderInputError('The footage of this render was deleted. Pick other footage in the Studio.')
    const parsed = editRecipeSchema.safeParse((render.params as Partial<RenderParams> | null)?.recipe)
    if (!parsed.success) throw new RenderInputError('This render\'s recipe is no longer valid. Make the edit again in the Studio.')
    const recipe = parsed.data

    const locals: Array<{ release: () => Promise<void> }> = []
    release = async () => {
      for (const local of locals) await local.release().catch(() => {})
    }
    // A row whose file is gone from storage (removed by hand, a bucket emptied) is gone for every attempt.
    const open = async (key: string, missing: string) => {
      const local = await store.openLocal(key, workDir).catch((error: unknown) => {
        throw error instanceof MediaNotFoundError ? new RenderInputError(missing, { cause: error }) : error
      })
      locals.push(local)
      return { path: local.path }
    }
    const assetPath = async (assetId: string, kind: 'music' | 'logo') => {
      const what = kind === 'music' ? 'music track' : 'logo'
      const asset = await db.studioAsset.findFirst({ where: { id: assetId, workspaceId: data.workspaceId, kind }, select: { storageKey: true } })
      if (!asset) throw new RenderInputError(`The ${what} of this edit was deleted. Pick another in the Studio and render again.`)
      return open(asset.storageKey, `The ${what} of this edit is missing from storage. Upload it again in the Studio, pick it, and render again.`)
    }
    const input = (await open(video.storageKey, 'The footage\'s file is missing from storage. Upload the video again, then render the edit from it.')).path
    const assets = {
      ...(recipe.music ? { music: await assetPath(recipe.music.assetId, 'music') } : {}),
      ...(recipe.watermark ? { logo: await assetPath(recipe.watermark.assetId, 'logo') } : {}),
    }

    const preview = await renderRecipe({
      tools: deps.tools, input, recipe, assets, preview: true, scratchDir: workDir, signal,
      output: join(workDir, 'preview.mp4'),
      onProgress: (stage, fraction) => report(stage === 'measuring' ? 'measuring' : 'preview', fraction * PREVIEW_SHARE),
    })
    const previewKey = renderFileKey(data.workspaceId, render.id, 'preview.mp4')
    if (superseded) return { status: 'skipped' }
    // Every file's bytes count towards the workspace quota.
    const previewBytes = (await store.putFile(previewKey, preview.output, { contentType: 'video/mp4' })).sizeBytes
    await rm(preview.output, { force: true })
    if (!await markIfClaimed(db, render.id, attempt, { previewKey })) return await stopCanceled()
    report('preview', PREVIEW_SHARE)

    const full = await renderRecipe({
      tools: deps.tools, input, recipe, assets, scratchDir: workDir, signal,
      measurements: preview.measurements satisfies RenderMeasurements,
      output: join(workDir, 'output.mp4'),
      onProgress: (stage, fraction) => report(stage === 'measuring' ? 'measuring' : 'rendering', PREVIEW_SHARE + fraction * (1 - PREVIEW_SHARE - STORING_SHARE)),
    })
    report('storing', 1 - STORING_SHARE)
    const thumbnail = await renderThumbnail(deps.tools, full.output, join(workDir, 'thumbnail.jpg'), Math.min(1.5, full.durationSeconds / 2))
    const storageKey = renderFileKey(data.workspaceId, render.id, 'output.mp4')
    const thumbnailKey = renderFileKey(data.workspaceId, render.id, 'thumbnail.jpg')
    if (superseded) return { status: 'skipped' }
    const outputBytes = (await store.putFile(storageKey, full.output, { contentType: 'video/mp4' })).sizeBytes
    const thumbnailBytes = (await store.putFile(thumbnailKey, thumbnail, { contentType: 'image/jpeg' })).sizeBytes
    const checks = checkRenderEverywhere({
      durationSeconds: full.durationSeconds, width: full.width, height: full.height, fps: full.fps,
      sizeBytes: full.sizeBytes, videoCodec: full.videoCodec, audioSampleRate: full.audioSampleRate,
    })
    const finished = await markIfClaimed(db, render.id, attempt, {
      status: 'succeeded', progress: 1, finishedAt: new Date(), storageKey, thumbnailKey, checks: toJson(checks),
      durationMs: Math.round(full.durationSeconds * 1000), width: full.width, height: full.height, sizeBytes: BigInt(full.sizeBytes),
      storedBytes: BigInt(previewBytes + outputBytes + thumbnailBytes),
    })
    if (!finished) return await stopCanceled()
    options.onProgress?.('storing', 1)
    return { status: 'succeeded' }
  }
  catch (error) {
    if (superseded) return { status: 'skipped' }
    if (canceled.signal.aborted) return await stopCanceled()
    const interrupted = options.signal?.aborted === true
    const last = typeof options.final === 'function' ? options.final() : options.final !== false
    // A full disk is not fixed by trying again half a minute later: the user is told at once, and retries once space is freed.
    const permanent = isPermanentRenderFailure(error)
    const final = last || permanent
    const message = readableFailure(error, interrupted)
    // The scratch files go before the row says failed: a member who reads "disk full" and frees space finds this
    // attempt's partial preview gone too, and a render started at once has the room.
    await release?.()
    release = undefined
    await rm(workDir, { recursive: true, force: true })
    const { count } = await db.render.updateMany({
      where: { id: render.id, status: 'running', claim: attempt },
      data: final
        ? { status: 'failed', error: message, finishedAt: new Date(), claim: null, previewKey: null, storageKey: null, thumbnailKey: null }
        : { status: 'queued', error: `${message} Trying again shortly.`, progress: 0, claim: null, previewKey: null, storageKey: null, thumbnailKey: null },
    }).catch(() => ({ count: 0 }))
    // Only this attempt's own files: when the row is no longer its own, they belong to the attempt that holds it.
    if (count === 1) await store.deletePrefix(prefix).catch(() => {})
    // The Jobs page shows the readable message with the detail after it. No retry once the row says failed for good;
    // a row this attempt could not settle is left to the retry (or to jobs.reconcile), which settles it.
    const failure = failureWithDetail(message, error)
    throw permanent && count === 1 ? withoutRetry(failure) : failure
  }
  finally {
    clearInterval(watcher)
    await release?.()
    await rm(workDir, { recursive: true, force: true })
  }

  /** Canceled (or deleted) meanwhile: nothing of it stays in storage. Taken over by another attempt: nothing is touched. */
  async function stopCanceled(): Promise<RunOutcome> {
    const row = await db.render.findFirst({ where: { id: render!.id }, select: { status: true, claim: true } })
    if (row && row.claim !== attempt && ['queued', 'running', 'succeeded'].includes(row.status)) return { status: 'skipped' }
    await store.deletePrefix(prefix).catch(() => {})
    await db.render.updateMany({
      where: { id: render!.id, status: { in: ['queued', 'running'] } },
      data: { status: 'canceled', finishedAt: new Date() },
    }).catch(() => {})
    return { status: 'canceled' }
  }
}

async function markIfClaimed(db: PrismaClient, renderId: string, attempt: string, data: Prisma.RenderUpdateManyMutationInput): Promise<boolean> {
  const { count } = await db.render.updateMany({ where: { id: renderId, status: 'running', claim: attempt }, data })
  return count === 1
}
