// Reference videos' public numbers: saved from the video page, imported by CSV, read back with each video's
// normalised score. Only references carry numbers; every query is scoped by workspaceId.
import type { PrismaClient } from '../../generated/prisma/client'
import type { z } from 'zod'
import { countFields, type ImportPreview, type ImportResult, type PerformanceScore, type referencePerformanceInput, type ReferencePerformanceView } from '#shared/references'
import { recordAudit } from '../audit'
import { badRequest, conflict, notFound } from '../errors'
import { normalisedScores } from '../patterns/performance'
import { matchRows, parseReferenceCsv, templateCsv } from './csv'
import { readDate } from './dates'

type Output = z.output<typeof referencePerformanceInput>

const toNumber = (value: bigint | null) => value === null ? null : Number(value)
const toBig = (value: number | null | undefined) => value === null || value === undefined ? value : BigInt(value)

async function zoneOf(db: PrismaClient, workspaceId: string): Promise<string> {
  return (await db.workspace.findUnique({ where: { id: workspaceId }, select: { timeZone: true } }))?.timeZone ?? 'UTC'
}

async function referenceOf(db: PrismaClient, workspaceId: string, videoId: string) {
  const video = await db.video.findFirst({ where: { id: videoId, workspaceId, deletedAt: null }, select: { id: true, kind: true, title: true } })
  if (!video) throw notFound('This video')
  return video
}

/** Every reference's numbers and score, keyed by video id (deleted videos and footage left out). */
export async function referenceScores(db: PrismaClient, workspaceId: string) {
  const rows = await db.referencePerformance.findMany({ where: { workspaceId, video: { workspaceId, deletedAt: null, kind: 'reference' } } })
  const scores = normalisedScores(rows.map(row => ({
    key: row.videoId,
    numbers: { platform: row.platform, views: toNumber(row.views), followers: toNumber(row.followers), postedAt: row.postedAt, observedAt: row.observedAt },
  })))
  return new Map(rows.map(row => [row.videoId, { row, score: scores.get(row.videoId)! }]))
}

function view(row: Awaited<ReturnType<PrismaClient['referencePerformance']['findFirstOrThrow']>>, score: PerformanceScore): ReferencePerformanceView {
  return {
    platform: row.platform,
    views: toNumber(row.views),
    likes: toNumber(row.likes),
    comments: toNumber(row.comments),
    shares: toNumber(row.shares),
    saves: toNumber(row.saves),
    followers: toNumber(row.followers),
    postedAt: row.postedAt?.toISOString() ?? null,
    observedAt: row.observedAt.toISOString(),
    source: row.source,
    updatedAt: row.updatedAt.toISOString(),
    score,
  }
}

/** One video's numbers with its score, or null when it has none. */
export async function getPerformance(db: PrismaClient, workspaceId: string, videoId: string): Promise<ReferencePerformanceView | null> {
  const found = (await referenceScores(db, workspaceId)).get(videoId)
  return found ? view(found.row, found.score) : null
}

/** Saves the numbers typed on a reference's page (all of them: a field left empty is cleared). */
export async function savePerformance(db: PrismaClient, workspaceId: string, videoId: string, input: Output, now = new Date()): Promise<ReferencePerformanceView> {
  const video = await referenceOf(db, workspaceId, videoId)
  if (video.kind !== 'reference') throw conflict('Only reference videos carry public numbers; this one is footage. Mark it as a reference first if it is someone\'s published video.')
  const zone = await zoneOf(db, workspaceId)
  const posted = readDate(input.postedAt, zone, now, 'posting date')
  const observed = readDate(input.observedAt, zone, now, 'date the numbers were read')
  const issues = [
    ...(posted.ok ? [] : [{ path: ['postedAt'], message: `Posted on: ${posted.message}` }]),
    ...(observed.ok ? [] : [{ path: ['observedAt'], message: `Numbers read on: ${observed.message}` }]),
  ]
  const postedAt = posted.ok ? posted.value : null
  const observedAt = (observed.ok ? observed.value : null) ?? now
  if (!issues.length && postedAt && postedAt > observedAt) issues.push({ path: ['postedAt'], message: 'Posted on: the posting date is after the day the numbers were read.' })
  if (issues.length) throw badRequest(issues.map(issue => issue.message).join(' '), { issues })
  const data = {
    platform: input.platform ?? null,
    ...Object.fromEntries(countFields.map(field => [field, toBig(input[field]) ?? null])),
    postedAt, observedAt, source: 'manual',
  }
  await db.referencePerformance.upsert({ where: { videoId }, create: { workspaceId, videoId, ...data }, update: data })
  return (await getPerformance(db, workspaceId, videoId))!
}

export async function deletePerformance(db: PrismaClient, workspaceId: string, videoId: string): Promise<void> {
  await referenceOf(db, workspaceId, videoId)
  await db.referencePerformance.deleteMany({ where: { workspaceId, videoId } })
}

async function libraryEntries(db: PrismaClient, workspaceId: string) {
  const videos = await db.video.findMany({
    where: { workspaceId, deletedAt: null, status: { not: 'uploading' } },
    select: { id: true, title: true, originalFilename: true, kind: true, performance: { select: { id: true } } },
  })
  return videos.map(video => ({ id: video.id, title: video.title, originalFilename: video.originalFilename, kind: video.kind, hasPerformance: Boolean(video.performance) }))
}

/** What an import would do, row by row; nothing is written. */
export async function previewImport(db: PrismaClient, workspaceId: string, csv: string, now = new Date()): Promise<ImportPreview> {
  const parsed = parseReferenceCsv(csv, await zoneOf(db, workspaceId), now)
  return matchRows(parsed, parsed.fileProblems.length ? [] : await libraryEntries(db, workspaceId))
}

/**
 * Imports the valid rows (of those the person confirmed, when `lines` is given) in one transaction. A column the CSV
 * has replaces the video's value; one it lacks, or an empty cell, keeps what was there: an import never erases numbers.
 */
export async function commitImport(db: PrismaClient, workspaceId: string, actorId: string, csv: string, lines: number[] | undefined, now = new Date()): Promise<ImportResult> {
  const preview = await previewImport(db, workspaceId, csv, now)
  if (preview.fileProblems.length) throw badRequest(preview.fileProblems.join(' '), { preview })
  const confirmed = lines ? new Set(lines) : null
  const chosen = preview.rows.filter(row => !row.problems.length && row.video && (!confirmed || confirmed.has(row.line)))
  await db.$transaction(async (tx) => {
    for (const row of chosen) {
      const { platform, postedAt, observedAt, ...counts } = row.values
      const data = {
        ...(platform ? { platform } : {}),
        ...Object.fromEntries(Object.entries(counts).map(([field, value]) => [field, toBig(value)])),
        ...(postedAt ? { postedAt: new Date(postedAt) } : {}),
        observedAt: observedAt ? new Date(observedAt) : now,
        source: 'csv',
      }
      // Scoped by workspace: the video was matched among this workspace's references just now, inside this import.
      const video = await tx.video.findFirst({ where: { id: row.video!.id, workspaceId, deletedAt: null, kind: 'reference' }, select: { id: true } })
      if (!video) continue
      await tx.referencePerformance.upsert({ where: { videoId: video.id }, create: { workspaceId, videoId: video.id, ...data }, update: data })
    }
    // Numbers of many videos replaced at once: the audit trail says who did it.
    if (chosen.length) await recordAudit(tx, { action: 'references.imported', workspaceId, actorId, targetType: 'workspace', targetId: workspaceId, metadata: { imported: chosen.length, rows: preview.rows.length } })
  })
  return { ...preview, imported: chosen.length }
}

/** The template to fill in: one row per reference, with the numbers it has already. */
export async function referenceTemplate(db: PrismaClient, workspaceId: string): Promise<string> {
  const videos = await db.video.findMany({
    where: { workspaceId, deletedAt: null, kind: 'reference' },
    orderBy: { createdAt: 'asc' },
    select: { id: true, title: true, performance: true },
  })
  return templateCsv(videos)
}
