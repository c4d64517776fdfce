// The AI's reading of a video: built from its latest analysis (and transcript, when one exists), made by generate()
// with the workspace's provider, stored as a VideoReading with its provenance, and filed under the Library's pattern
// buckets next to the measured ones. A newer reading replaces the video's older semantic evidence; a failed one
// leaves the last good reading and its evidence as they were.
import type { Prisma, PrismaClient } from '../../generated/prisma/client'
import type { VideoFeatures, Timeline } from '#shared/analysis'
import { clipReading, readingContentSchema, semanticPatterns, type VideoReadingView } from '#shared/semantics'
import type { JobState } from '#shared/jobs'
import type { AiProviderName } from '#shared/ai'
import { generate, type AiContext } from '../ai/generate'
import { videoReadingPrompt, type ReadingWord, type VideoReadingInput } from '../ai/prompts/video-reading'
import { resolveAiConfig } from '../ai/settings'
import { conflict, notFound } from '../errors'
import { publicPart } from '../media/failure'

export const READING_QUEUE = 'ai.reading'

export interface ReadingRequest {
  workspaceId: string
  videoId: string
  userId?: string | null
  /** The person asked for the local generator (after a provider failed). */
  forceLocal?: boolean
  /** 'analysis': the automatic reading after an analysis; 'request': "Read with AI" on the video page. */
  trigger?: 'analysis' | 'request'
  signal?: AbortSignal
  onProgress?: (stage: string, percent: number) => void
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits

/** Sound between the measured silences: speech or music (the analysis does not tell them apart). */
export function soundSpans(silences: { start: number, end: number }[], durationSeconds: number): { start: number, end: number }[] {
  const spans: { start: number, end: number }[] = []
  let cursor = 0
  for (const silence of [...silences].sort((a, b) => a.start - b.start)) {
    if (silence.start - cursor >= 0.1) spans.push({ start: round(cursor), end: round(silence.start) })
    cursor = Math.max(cursor, silence.end)
  }
  if (durationSeconds - cursor >= 0.1) spans.push({ start: round(cursor), end: round(durationSeconds) })
  return spans
}

/** What the prompt is given: the measurements of the latest good analysis, the title, and the transcript's words. */
export async function readingInput(db: PrismaClient, workspaceId: string, videoId: string, withVideo: boolean) {
  const video = await db.video.findFirst({ where: { id: videoId, workspaceId, deletedAt: null }, select: { id: true, title: true, kind: true, durationMs: true, storageKey: true, mimeType: true } })
  if (!video) throw notFound('This video')
  const [analysis, transcript] = await Promise.all([
    db.videoAnalysis.findFirst({ where: { workspaceId, videoId, status: 'succeeded' }, orderBy: { createdAt: 'desc' }, select: { id: true, features: true, segments: true } }),
    db.transcript.findFirst({ where: { workspaceId, videoId }, orderBy: { createdAt: 'desc' }, select: { approximate: true, words: true } }),
  ])
  if (!analysis?.features) throw conflict('This video has not been analysed yet; it is read once its analysis has finished.')
  const features = analysis.features as unknown as VideoFeatures
  const timeline = analysis.segments as unknown as Timeline | null
  const shots = timeline?.shots ?? []
  const input: VideoReadingInput = {
    title: video.title,
    kind: video.kind,
    durationSeconds: features.durationSeconds,
    measured: {
      aspectClass: features.aspectClass,
      hasAudio: features.hasAudio,
      cutCount: features.cutCount,
      cutsPerMinute: features.cutsPerMinute,
      firstCutSeconds: features.firstCutSeconds,
      hookCutCount: features.hookCutCount,
      medianShotSeconds: features.medianShotSeconds,
      cuts: (timeline?.cuts ?? []).slice(0, 40).map(cut => round(cut.time)),
      shotSeconds: shots.slice(0, 40).map(shot => round(shot.end - shot.start)),
      soundSpans: features.hasAudio ? soundSpans(timeline?.silences ?? [], features.durationSeconds).slice(0, 30) : [],
      silenceRatio: features.silenceRatio,
      integratedLufs: features.integratedLufs,
      hookLoudnessDeltaLu: features.hookLoudnessDeltaLu,
      meanMotion: features.meanMotion,
      hookMotionRatio: features.hookMotionRatio,
      blackRatio: features.blackRatio,
    },
    transcript: transcript
      ? { approximate: transcript.approximate, words: (transcript.words as unknown as ReadingWord[]).slice(0, 400).map(word => ({ word: word.word, start: round(word.start), end: round(word.end) })) }
      : null,
    withVideo,
  }
  const media = withVideo && video.storageKey ? { storageKey: video.storageKey, mimeType: video.mimeType ?? 'video/mp4' } : undefined
  return { input, media, analysisId: analysis.id }
}

/** Files the video under the buckets the reading names; the video's older semantic evidence goes. */
async function recordSemanticPatterns(tx: Prisma.TransactionClient, workspaceId: string, videoId: string, readingId: string, analysisId: string | null, content: ReturnType<typeof clipReading>) {
  await tx.patternEvidence.deleteMany({ where: { workspaceId, videoId, source: 'semantic' } })
  for (const match of semanticPatterns(content)) {
    const pattern = await tx.pattern.upsert({
      where: { workspaceId_key: { workspaceId, key: match.key } },
      create: { workspaceId, key: match.key, kind: match.kind, label: match.label },
      update: {},
    })
    await tx.patternEvidence.create({ data: { workspaceId, patternId: pattern.id, source: 'semantic', videoId, readingId, analysisId, value: match.value, note: match.note } })
  }
}

export type ReadingOutcome = { status: 'succeeded', readingId: string, provider: string, patterns: number } | { status: 'skipped', reason: string }

/** Reads a video and stores the reading; throws generate()'s ServiceError (plain words) when the provider fails. */
export async function runReading(context: AiContext, request: ReadingRequest): Promise<ReadingOutcome> {
  const { db } = context
  const { workspaceId, videoId } = request
  const config = request.forceLocal ? null : await resolveAiConfig(db, workspaceId, context.ai, context.secrets)
  const provider = config?.provider ?? 'local'
  if (request.trigger === 'analysis' && provider === 'local') {
    // Re-analysing on the local provider never throws away what a model read before.
    const latest = await db.videoReading.findFirst({ where: { workspaceId, videoId }, orderBy: { createdAt: 'desc' }, select: { provider: true } })
    if (latest && latest.provider !== 'local') return { status: 'skipped', reason: 'kept the reading by an AI provider' }
  }
  request.onProgress?.('preparing', 5)
  // Only Gemini watches the video; the others read the measurements and the transcript.
  const { input, media, analysisId } = await readingInput(db, workspaceId, videoId, provider === 'gemini')
  request.onProgress?.(provider === 'gemini' ? 'sending the video' : 'reading', 20)
  const { output, provenance } = await generate(context, { prompt: videoReadingPrompt, input, media, workspaceId, userId: request.userId, signal: request.signal, forceLocal: request.forceLocal })
  request.onProgress?.('filing patterns', 90)
  const content = clipReading(readingContentSchema.parse(output))
  const reading = await db.$transaction(async (tx) => {
    // Deleted while it was read: nothing to file.
    const video = await tx.video.findFirst({ where: { id: videoId, workspaceId, deletedAt: null }, select: { id: true } })
    if (!video) return null
    const row = await tx.videoReading.create({
      data: { workspaceId, videoId, analysisId, provider: provenance.provider, model: provenance.model, promptVersion: provenance.promptVersion, aiCallId: provenance.aiCallId, content, createdAt: new Date(provenance.at) },
    })
    await recordSemanticPatterns(tx, workspaceId, videoId, row.id, analysisId, content)
    return row
  })
  if (!reading) return { status: 'skipped', reason: 'the video was deleted' }
  return { status: 'succeeded', readingId: reading.id, provider: provenance.provider, patterns: semanticPatterns(content).length }
}

/** The latest reading of a video with its provenance and buckets, and the reading job in flight (or last failed). */
export async function getReadingView(db: PrismaClient, workspaceId: string, videoId: string, defaultProvider: AiProviderName): Promise<VideoReadingView> {
  const video = await db.video.findFirst({ where: { id: videoId, workspaceId, deletedAt: null }, select: { id: true } })
  if (!video) throw notFound('This video')
  const [latest, run, transcripts, settings] = await Promise.all([
    db.videoReading.findFirst({
      where: { workspaceId, videoId },
      orderBy: { createdAt: 'desc' },
      include: { evidence: { where: { workspaceId, source: 'semantic' }, include: { pattern: { select: { key: true, kind: true, label: true } } }, orderBy: { createdAt: 'asc' } } },
    }),
    db.jobRun.findFirst({ where: { workspaceId, queue: READING_QUEUE, subject: { path: ['videoId'], equals: videoId } }, orderBy: { createdAt: 'desc' }, select: { id: true, state: true, error: true, createdAt: true } }),
    db.transcript.count({ where: { workspaceId, videoId } }),
    db.aiSettings.findUnique({ where: { workspaceId }, select: { provider: true } }),
  ])
  const aiCall = latest?.aiCallId ? await db.aiCall.findFirst({ where: { id: latest.aiCallId, workspaceId }, select: { cacheHit: true } }) : null
  // A job that finished before the reading shown is history; one still running, or failed since, is news.
  const current = run && (!latest || run.createdAt > latest.createdAt || run.state === 'queued' || run.state === 'running') ? run : null
  return {
    reading: latest && {
      id: latest.id,
      content: readingContentSchema.parse(latest.content),
      provenance: { provider: latest.provider as AiProviderName, model: latest.model, promptVersion: latest.promptVersion, at: latest.createdAt.toISOString(), cacheHit: aiCall?.cacheHit ?? false },
      analysisId: latest.analysisId,
      patterns: latest.evidence.map(item => ({ key: item.pattern.key, kind: item.pattern.kind, label: item.pattern.label, note: item.note })),
    },
    job: current && current.state !== 'succeeded' ? { id: current.id, state: current.state as JobState, error: publicPart(current.error) } : null,
    hasTranscript: transcripts > 0,
    workspaceProvider: (settings?.provider as AiProviderName | undefined) ?? defaultProvider,
  }
}

/** Before "Read with AI" queues a job: the video must be there and analysed; a reading already on its way is reused. */
export async function readingToQueue(db: PrismaClient, workspaceId: string, videoId: string): Promise<{ jobId: string } | null> {
  const video = await db.video.findFirst({ where: { id: videoId, workspaceId, deletedAt: null }, select: { id: true } })
  if (!video) throw notFound('This video')
  const analysed = await db.videoAnalysis.count({ where: { workspaceId, videoId, status: 'succeeded' } })
  if (analysed === 0) throw conflict('This video has not been analysed yet; it can be read once its analysis has finished.')
  const inFlight = await db.jobRun.findFirst({ where: { workspaceId, queue: READING_QUEUE, state: { in: ['queued', 'running'] }, subject: { path: ['videoId'], equals: videoId } }, select: { id: true } })
  return inFlight ? { jobId: inFlight.id } : null
}
