// Scripts: generated in batches by the `ai.scripts` job (one generate() call per script, so the cache serves every
// script whose input did not change), read, and edited with an optimistic version (a stale edit is refused with 409,
// as Studio drafts are). Every query is scoped by workspaceId.
import { randomUUID } from 'node:crypto'
import type { Prisma, PrismaClient } from '../../generated/prisma/client'
import { scriptNotesSchema, retime, shotSchema, type ScriptDetail, type ScriptList, type ScriptNotes, type ScriptShot, type ScriptSummary, type UpdateScriptInput } from '#shared/scripts'
import type { AiProvenanceView } from '#shared/ai'
import type { PlatformKey } from '#shared/recipe'
import { scriptPrompt } from '../ai/prompts/script'
import { generate, type AiContext } from '../ai/generate'
import { conflict, notFound } from '../errors'
import type { JobEngine } from '../jobs/engine'
import { workspaceExploration } from '../analytics/decisions'
import { planBatch } from './inputs'

export const SCRIPTS_QUEUE = 'ai.scripts'

const summarySelect = {
  id: true, title: true, status: true, hook: true, batchId: true, notes: true, targetDurationSec: true, shots: true,
  patternKeys: true, provenance: true, version: true, createdAt: true, updatedAt: true,
} as const
const detailSelect = { ...summarySelect, callToAction: true, strategyId: true, editRecipes: { select: { id: true, sourceVideoId: true, name: true }, orderBy: { createdAt: 'desc' as const } } } as const

type SummaryRow = Prisma.ScriptGetPayload<{ select: typeof summarySelect }>
type DetailRow = Prisma.ScriptGetPayload<{ select: typeof detailSelect }>

const toJson = <T>(value: T): Prisma.InputJsonValue => JSON.parse(JSON.stringify(value))

function readNotes(notes: unknown): ScriptNotes {
  const parsed = scriptNotesSchema.safeParse(notes ?? {})
  return parsed.success ? parsed.data : { patterns: [], decisions: [] }
}

/** Stored shots as the page reads them; a shot saved in an older shape keeps what it can (a missing field is empty). */
export function readShots(shots: unknown): ScriptShot[] {
  if (!Array.isArray(shots)) return []
  return shots.flatMap((shot) => {
    const value = shot as Record<string, unknown>
    const parsed = shotSchema.safeParse({ onScreenText: '', broll: '', ...value, spoken: value.spoken ?? value.voiceover ?? '' })
    return parsed.success ? [parsed.data] : []
  })
}

function readProvenance(value: unknown): AiProvenanceView | null {
  const stored = value as Partial<AiProvenanceView> | null
  if (!stored?.provider || !stored.model) return null
  return { provider: stored.provider, model: stored.model, promptVersion: stored.promptVersion ?? '', cacheHit: Boolean(stored.cacheHit), at: stored.at ?? '' }
}

function summarise(row: SummaryRow): ScriptSummary {
  const notes = readNotes(row.notes)
  // Patterns named in the notes are explained; a key without an explanation still shows.
  const explained = new Map(notes.patterns.map(pattern => [pattern.key, pattern]))
  return {
    id: row.id,
    title: row.title,
    status: row.status,
    hook: row.hook,
    batchId: row.batchId,
    slot: notes.slot ?? null,
    pillar: notes.pillar ?? null,
    platform: (notes.platform ?? null) as PlatformKey | null,
    targetDurationSec: row.targetDurationSec,
    shotCount: Array.isArray(row.shots) ? row.shots.length : 0,
    patterns: row.patternKeys.map(key => explained.get(key) ?? { key, label: key, how: '' }),
    decisions: notes.decisions,
    provenance: readProvenance(row.provenance),
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

function detail(row: DetailRow): ScriptDetail {
  return {
    ...summarise(row),
    shots: readShots(row.shots),
    callToAction: row.callToAction ?? '',
    strategyId: row.strategyId,
    recipes: row.editRecipes.map(recipe => ({ id: recipe.id, videoId: recipe.sourceVideoId, name: recipe.name })),
  }
}

/** The workspace's scripts (newest batch first, in slot order), the batches being written and the last one that failed. */
export async function listScripts(db: PrismaClient, workspaceId: string, filter: { batchId?: string, status?: ScriptSummary['status'] } = {}): Promise<ScriptList> {
  const [rows, running, failed, exploration] = await Promise.all([
    db.script.findMany({
      where: { workspaceId, ...(filter.batchId ? { batchId: filter.batchId } : {}), ...(filter.status ? { status: filter.status } : {}) },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      select: summarySelect,
      take: 200,
    }),
    db.jobRun.findMany({ where: { workspaceId, queue: SCRIPTS_QUEUE, state: { in: ['queued', 'running'] } }, orderBy: { createdAt: 'desc' }, select: { id: true, result: true } }),
    db.jobRun.findFirst({ where: { workspaceId, queue: SCRIPTS_QUEUE, state: 'failed' }, orderBy: { createdAt: 'desc' }, select: { id: true, error: true, result: true, finishedAt: true, createdAt: true } }),
    workspaceExploration(db, workspaceId),
  ])
  const scripts = rows.map(summarise)
  // A batch's scripts stay together, in the order they were planned; batches newest first.
  const batchOrder = new Map<string, number>()
  scripts.forEach((script, index) => batchOrder.set(script.batchId ?? script.id, Math.min(batchOrder.get(script.batchId ?? script.id) ?? index, index)))
  scripts.sort((a, b) => batchOrder.get(a.batchId ?? a.id)! - batchOrder.get(b.batchId ?? b.id)! || (a.slot ?? 0) - (b.slot ?? 0))
  let lastFailure: ScriptList['lastFailure'] = null
  const newestBatchAt = rows[0]?.createdAt
  // A failure older than the newest script was dealt with by a later batch.
  if (failed && (!newestBatchAt || (failed.finishedAt ?? failed.createdAt) > newestBatchAt)) {
    const result = (failed.result ?? {}) as { summary?: string, reason?: string | null, localAvailable?: boolean }
    lastFailure = {
      batchId: failed.id,
      message: result.summary ?? 'The batch stopped before every script was written. Try again, or use the local generator.',
      reason: result.reason ?? null,
      localAvailable: result.localAvailable ?? true,
      at: (failed.finishedAt ?? failed.createdAt).toISOString(),
    }
  }
  return {
    scripts,
    running: running.map(run => ({ batchId: run.id, jobId: run.id, count: null })),
    lastFailure,
    exploration,
  }
}

export async function getScript(db: PrismaClient, workspaceId: string, scriptId: string): Promise<ScriptDetail> {
  const row = await db.script.findFirst({ where: { id: scriptId, workspaceId }, select: detailSelect })
  if (!row) throw notFound('This script')
  return detail(row)
}

const staleMessage = (current: number, yours: number) =>
  `This script was changed in another tab or by someone else (it is at version ${current}; yours was made from version ${yours}). Reload to see the newer one; copy your changes first if you need them.`

/** Saves an edit made from `version`: refused (409) when the stored script has moved on. Shots are retimed back to back. */
export async function updateScript(db: PrismaClient, workspaceId: string, scriptId: string, input: UpdateScriptInput & { version: number }): Promise<ScriptDetail> {
  const data: Prisma.ScriptUpdateManyMutationInput = {}
  if (input.title !== undefined) data.title = input.title
  if (input.hook !== undefined) data.hook = input.hook
  if (input.callToAction !== undefined) data.callToAction = input.callToAction
  if (input.targetDurationSec !== undefined) data.targetDurationSec = input.targetDurationSec
  if (input.status !== undefined) data.status = input.status
  if (input.shots !== undefined) data.shots = toJson(retime(input.shots))
  const { count } = await db.script.updateMany({ where: { id: scriptId, workspaceId, version: input.version }, data: { ...data, version: { increment: 1 } } })
  if (count === 0) {
    const current = await db.script.findFirst({ where: { id: scriptId, workspaceId }, select: { version: true } })
    if (!current) throw notFound('This script')
    throw conflict(staleMessage(current.version, input.version))
  }
  return getScript(db, workspaceId, scriptId)
}

/** Queues a batch; the job's id is the batch's id, so the page follows one and lists the other. */
export async function startBatch(engine: Pick<JobEngine, 'send'>, input: { workspaceId: string, userId: string, count: number, platform?: PlatformKey, targetDurationSec?: number, exploration?: number, local: boolean }): Promise<{ batchId: string, jobId: string, count: number }> {
  const batchId = randomUUID()
  // The day is fixed when the batch is asked for, so a retry after midnight draws the same patterns (inputs.ts).
  await engine.send(SCRIPTS_QUEUE, { ...input, batchId, day: new Date().toISOString().slice(0, 10) }, { id: batchId })
  return { batchId, jobId: batchId, count: input.count }
}

export interface BatchJobData {
  workspaceId: string
  userId: string
  batchId: string
  count: number
  platform?: PlatformKey
  targetDurationSec?: number
  exploration?: number
  day?: string
  local: boolean
}

/**
 * Writes a batch, one script after another, each saved as soon as it is written. Idempotent: a retry skips the slots
 * already saved, and the cache answers the ones written before a failure at no cost.
 */
export async function runBatch(context: AiContext, data: BatchJobData, options: { progress?: (stage: string, percent: number) => Promise<void> | void, signal?: AbortSignal } = {}): Promise<{ written: number }> {
  const { db } = context
  const plan = await planBatch(db, data.workspaceId, data)
  const saved = await db.script.findMany({ where: { workspaceId: data.workspaceId, batchId: data.batchId }, select: { notes: true } })
  const done = new Set(saved.map(row => readNotes(row.notes).slot))
  let written = 0
  for (const input of plan.inputs) {
    await options.progress?.(`writing script ${input.slot + 1} of ${plan.inputs.length}`, Math.round((input.slot / plan.inputs.length) * 100))
    if (done.has(input.slot)) continue
    const { output, provenance } = await generate(context, { prompt: scriptPrompt, input, workspaceId: data.workspaceId, userId: data.userId, signal: options.signal, forceLocal: data.local })
    // Only patterns that were offered may be named: a key the model made up is dropped.
    const offered = new Set(input.patterns.map(pattern => pattern.key))
    const patterns = output.patterns.filter(pattern => offered.has(pattern.key))
    const notes: ScriptNotes = { slot: input.slot, pillar: input.pillar.name, platform: input.platform, patterns, decisions: plan.decisions[input.slot] ?? [] }
    await db.script.create({
      data: {
        workspaceId: data.workspaceId,
        createdById: data.userId,
        strategyId: plan.strategyId,
        batchId: data.batchId,
        title: output.title,
        hook: output.hook,
        shots: toJson(retime(output.shots)),
        callToAction: output.callToAction || null,
        targetDurationSec: output.targetDurationSec,
        patternKeys: patterns.map(pattern => pattern.key),
        notes: toJson(notes),
        provenance: toJson(provenance),
      },
    })
    written++
  }
  await options.progress?.(`${plan.inputs.length} scripts written`, 100)
  return { written }
}

/** Every script of a batch, in slot order (404 when the workspace has none in it). */
export async function batchScripts(db: PrismaClient, workspaceId: string, batchId: string): Promise<ScriptDetail[]> {
  const rows = await db.script.findMany({ where: { workspaceId, batchId }, select: detailSelect, orderBy: { createdAt: 'asc' } })
  if (!rows.length) throw notFound('This batch')
  return rows.map(detail).sort((a, b) => (a.slot ?? 0) - (b.slot ?? 0))
}
