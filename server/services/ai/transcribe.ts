// Captions from speech: a footage's words with their times, stored as a Transcript and costed in the ledger.
// Whisper (whisper-1, word times) with an OpenAI key; Gemini with a Gemini key (coarser times); with no key, PocketSphinx
// on this server (a draft); otherwise the script's spoken lines laid over the speech the analysis measured (approximate).
// The same file (its sha256), method and model give the stored transcript again: no second call, a cache-hit ledger row.
import { randomUUID } from 'node:crypto'
import { mkdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { calcPrice } from '@pydantic/genai-prices'
import { defaultModels } from '#shared/ai'
import { formatDuration } from '#shared/library'
import { methodOf, OFFLINE_MODEL, punctuateWords, SCRIPT_ALIGNMENT_MODEL, transcriptNote } from '#shared/transcript'
import type { TranscribeMethod, TranscriptSummary, TranscriptWord } from '#shared/transcript'
import type { PrismaClient, Transcript } from '../../generated/prisma/client'
import type { ServerConfig } from '../config/env'
import { notFound, ServiceError } from '../errors'
import type { MediaTools } from '../media/ffmpeg'
import type { MediaStore } from '../media/storage/types'
import type { SecretBox } from '../security/secrets'
import { estimateCost, monthSpend, recordCall } from './ledger'
import { transcribeWithGemini } from './providers/gemini'
import { transcribeWithOpenAi, type Transcription } from './providers/openai'
import { resolveAiConfig, type AiConfig } from './settings'
import { alignToSpeech, speechSpans, wordsOf, type Span } from './speech/align'
import { extractAudio, MAX_UPLOAD_AUDIO_SECONDS, OPENAI_AUDIO_LIMIT_BYTES } from './speech/audio'
import { findOfflineRecogniser, recogniseOffline, type OfflineRecogniser } from './speech/pocketsphinx'
import type { AiProviderName } from './types'

export const TRANSCRIBE_VERSION = 'transcribe-1'
const WHISPER = 'whisper-1'
// whisper-1 is billed by the minute. genai-prices' bundled data lists it (input_audio_hours) but its calcPrice
// cannot price audio hours, so the hourly price is read from its entry; $0.36 an hour ($0.006 a minute) if missing.
const WHISPER_FALLBACK_USD_PER_HOUR = 0.36
// OpenAI-compatible servers that have no speech-to-text: `auto` does not send audio there.
const NO_TRANSCRIPTION = /api\.x\.ai|openrouter\.ai|:11434/

export interface TranscribeDependencies {
  db: PrismaClient
  store: MediaStore
  tools: MediaTools
  scratchDir: string
  ai: ServerConfig['ai']
  secrets: SecretBox
  /** Finds PocketSphinx; tests replace it to act as a server without it. */
  offline?: () => Promise<OfflineRecogniser | null>
  timeoutMs?: number
}

export interface TranscribeRequestData {
  workspaceId: string
  videoId: string
  userId?: string | null
  /** The draft asking: its linked script gives the spoken lines for `script`. */
  recipeId?: string | null
  method: 'auto' | TranscribeMethod
  text?: string | null
}

interface Access {
  apiKey: string
  baseUrl: string | null
  model: string
}

interface Plan {
  method: TranscribeMethod
  provider: AiProviderName
  model: string
  video: { id: string, storageKey: string, sha256: string | null, durationSeconds: number }
  access?: Access
  budgetUsd: number | null
  offline?: OfflineRecogniser
  script?: { words: string[], spans: Span[] }
  /** The same file already heard by the same model. */
  cached?: Transcript
}

const plain = (status: number, message: string, reason: string) => new ServiceError(status, message, { reason })

function openAiAccess(config: AiConfig, env: ServerConfig['ai']): Access | null {
  if (config.provider === 'openai' && (config.apiKey || config.baseUrl)) return { apiKey: config.apiKey ?? 'no-key', baseUrl: config.baseUrl, model: WHISPER }
  if (env.openai.apiKey) return { apiKey: env.openai.apiKey, baseUrl: env.openai.baseUrl ?? null, model: WHISPER }
  return null
}

function geminiAccess(config: AiConfig, env: ServerConfig['ai']): Access | null {
  if (config.provider === 'gemini' && config.apiKey) return { apiKey: config.apiKey, baseUrl: config.baseUrl, model: config.model }
  if (env.geminiApiKey) return { apiKey: env.geminiApiKey, baseUrl: null, model: defaultModels.gemini }
  return null
}

// "[Your one-line promise]": a note the local script templates leave for the creator, never words said.
const PLACEHOLDER = /^\[[^\]]*\]$/

/** The script's spoken lines: each shot's `spoken` (or `voiceover`) text, in order, placeholders left out. */
export function spokenLinesOf(shots: unknown): { text: string, placeholders: number } {
  if (!Array.isArray(shots)) return { text: '', placeholders: 0 }
  const lines = shots.map((shot) => {
    const record = (shot ?? {}) as Record<string, unknown>
    const line = typeof record.spoken === 'string' ? record.spoken : typeof record.voiceover === 'string' ? record.voiceover : ''
    return line.trim()
  }).filter(Boolean)
  return { text: lines.filter(line => !PLACEHOLDER.test(line)).join('\n'), placeholders: lines.filter(line => PLACEHOLDER.test(line)).length }
}

async function scriptText(db: PrismaClient, data: TranscribeRequestData): Promise<{ text: string, placeholders: number }> {
  if (data.text?.trim()) return { text: data.text, placeholders: 0 }
  if (!data.recipeId) return { text: '', placeholders: 0 }
  const recipe = await db.editRecipe.findFirst({ where: { id: data.recipeId, workspaceId: data.workspaceId }, select: { script: { select: { shots: true } } } })
  return spokenLinesOf(recipe?.script?.shots)
}

async function measuredSpeech(db: PrismaClient, data: TranscribeRequestData, durationSeconds: number): Promise<Span[]> {
  const analysis = await db.videoAnalysis.findFirst({
    where: { workspaceId: data.workspaceId, videoId: data.videoId, status: 'succeeded' },
    orderBy: { createdAt: 'desc' },
    select: { segments: true, features: true },
  })
  if (!analysis) throw plain(409, 'Timing a script needs the speech this footage\'s analysis measures, and it has none yet. Analyse it in the Library first, then transcribe again.', 'no_analysis')
  const features = (analysis.features ?? {}) as { durationSeconds?: number, hasAudio?: boolean }
  if (features.hasAudio === false) throw plain(422, 'This footage has no sound, so there is no speech to time captions to. Type the captions, or import an SRT file.', 'no_audio')
  const silences = ((analysis.segments ?? {}) as { silences?: Span[] }).silences ?? []
  return speechSpans(silences, features.durationSeconds ?? durationSeconds)
}

/** The newest transcript of the same file (this footage, or another upload with the same sha256) by the same model. */
function findCached(db: PrismaClient, workspaceId: string, video: Plan['video'], provider: AiProviderName, model: string): Promise<Transcript | null> {
  return db.transcript.findFirst({
    where: {
      workspaceId, provider, model, approximate: false,
      OR: [{ videoId: video.id }, ...(video.sha256 ? [{ video: { sha256: video.sha256, workspaceId } }] : [])],
    },
    orderBy: { createdAt: 'desc' },
  })
}

/**
 * Decides how a transcription runs and checks what it needs, so the route can refuse at once with the reason
 * (no sound, no key, no script, budget reached) and the job finds the same answer.
 */
export async function planTranscription(deps: TranscribeDependencies, data: TranscribeRequestData): Promise<Plan> {
  const { db } = deps
  const row = await db.video.findFirst({
    where: { id: data.videoId, workspaceId: data.workspaceId, deletedAt: null },
    select: { id: true, storageKey: true, status: true, sha256: true, durationMs: true, audioCodec: true, probe: true },
  })
  if (!row) throw notFound('This footage')
  if (!row.storageKey || row.status === 'uploading') throw plain(409, 'This footage has not finished uploading yet; transcribe it once it has.', 'uploading')
  if (!row.audioCodec && row.probe) throw plain(422, 'This footage has no sound track, so there is nothing to transcribe. Type the captions, or import an SRT file.', 'no_audio')
  const video = { id: row.id, storageKey: row.storageKey, sha256: row.sha256, durationSeconds: (row.durationMs ?? 0) / 1000 }
  const config = await resolveAiConfig(db, data.workspaceId, deps.ai, deps.secrets)
  const findOffline = deps.offline ?? (() => findOfflineRecogniser())

  let method = data.method
  if (method === 'auto') {
    if (data.text?.trim()) method = 'script'
    else if (config.provider === 'openai' && openAiAccess(config, deps.ai) && !NO_TRANSCRIPTION.test(config.baseUrl ?? '')) method = 'openai'
    else if (config.provider === 'gemini' && geminiAccess(config, deps.ai)) method = 'gemini'
    else if (await findOffline()) method = 'offline'
    else method = 'script'
  }

  if (method === 'openai' || method === 'gemini') {
    const access = method === 'openai' ? openAiAccess(config, deps.ai) : geminiAccess(config, deps.ai)
    if (!access) {
      throw plain(400, `There is no ${method === 'openai' ? 'OpenAI' : 'Gemini'} key for this workspace. An admin can add one in Settings → AI; meanwhile, time your script's lines to the speech instead.`, 'no_key')
    }
    // Stored words cost nothing: served even once the budget is reached.
    const cached = await findCached(db, data.workspaceId, video, method, access.model)
    if (cached) return { method, provider: method, model: access.model, video, access, budgetUsd: config.monthlyBudgetUsd, cached }
    if (method === 'openai' && video.durationSeconds > MAX_UPLOAD_AUDIO_SECONDS) {
      throw plain(413, `This footage runs ${formatDuration(video.durationSeconds)}; OpenAI takes at most about ${Math.floor(MAX_UPLOAD_AUDIO_SECONDS / 60)} minutes of sound in one file. Trim it into parts, or time your script's lines instead.`, 'too_long')
    }
    const spent = config.monthlyBudgetUsd === null ? 0 : await monthSpend(db, data.workspaceId)
    if (config.monthlyBudgetUsd !== null && spent >= config.monthlyBudgetUsd) {
      throw new ServiceError(402, `This workspace has used its AI budget for the month ($${spent.toFixed(2)} of $${config.monthlyBudgetUsd.toFixed(2)}). An admin can raise it in Settings → AI; timing your script's lines to the speech costs nothing.`, { reason: 'budget' })
    }
    return { method, provider: method, model: access.model, video, access, budgetUsd: config.monthlyBudgetUsd }
  }
  if (method === 'offline') {
    const offline = await findOffline()
    if (!offline) throw plain(501, 'The offline recogniser (PocketSphinx) is not installed on this server. Time your script\'s lines instead, or ask an admin to add an OpenAI key.', 'no_recogniser')
    const cached = await findCached(db, data.workspaceId, video, 'local', OFFLINE_MODEL)
    return { method, provider: 'local', model: OFFLINE_MODEL, video, offline, budgetUsd: null, cached: cached ?? undefined }
  }
  const { text, placeholders } = await scriptText(db, data)
  const words = wordsOf(text)
  if (!words.length && placeholders) {
    throw plain(422, 'The script\'s spoken lines are still placeholders in [brackets]: write what you say in the script, or paste it here.', 'no_script')
  }
  if (!words.length) {
    throw plain(422, 'There is nothing to time: this draft has no script with spoken lines. Paste what is said in the footage, or send a script with spoken lines to the Studio.', 'no_script')
  }
  const spans = await measuredSpeech(db, data, video.durationSeconds)
  if (!spans.length) throw plain(422, 'No speech was found: the analysis measured silence all through this footage.', 'no_speech')
  return { method: 'script', provider: 'local', model: SCRIPT_ALIGNMENT_MODEL, video, budgetUsd: null, script: { words, spans } }
}

export function summariseTranscript(row: Transcript): TranscriptSummary {
  const method = methodOf(row.provider, row.model)
  return {
    id: row.id, videoId: row.videoId, method, provider: row.provider, model: row.model, approximate: row.approximate,
    language: row.language, text: row.text, words: row.words as unknown as TranscriptWord[], createdAt: row.createdAt.toISOString(),
    note: transcriptNote(method, row.model),
  }
}

/** The newest transcript of a footage, or null. */
export async function latestTranscript(db: PrismaClient, workspaceId: string, videoId: string): Promise<TranscriptSummary | null> {
  const video = await db.video.findFirst({ where: { id: videoId, workspaceId, deletedAt: null }, select: { id: true } })
  if (!video) throw notFound('This footage')
  const row = await db.transcript.findFirst({ where: { workspaceId, videoId }, orderBy: { createdAt: 'desc' } })
  return row ? summariseTranscript(row) : null
}

function whisperCost(access: Access, env: ServerConfig['ai'], audioSeconds: number): number {
  // Self-hosted OpenAI-compatible servers cost nothing; OpenAI itself, or the server the operator configured as it, does.
  const paid = !access.baseUrl || access.baseUrl.includes('api.openai.com') || access.baseUrl === env.openai.baseUrl
  if (!paid) return 0
  let perHour = WHISPER_FALLBACK_USD_PER_HOUR
  try {
    const price = calcPrice({}, WHISPER, { providerId: 'openai' }) as { model_price?: { input_audio_hours?: number } } | null
    perHour = price?.model_price?.input_audio_hours ?? perHour
  }
  catch {
    // Not in the bundled list: the published price above.
  }
  return Math.round(perHour * (audioSeconds / 3600) * 1e6) / 1e6
}

const toJson = <T>(value: T) => JSON.parse(JSON.stringify(value))

/** Capitals where PocketSphinx writes none: "I", and the first word after a pause. */
function readableOfflineWords(words: TranscriptWord[]): TranscriptWord[] {
  return words.map((word, index) => {
    const pause = index === 0 || word.start - words[index - 1]!.end > 0.6
    const text = word.word === 'i' || word.word.startsWith('i\'') || pause ? word.word.charAt(0).toUpperCase() + word.word.slice(1) : word.word
    return { word: text, start: word.start, end: word.end }
  })
}

export interface TranscribeOptions {
  signal?: AbortSignal
  onProgress?: (stage: string, fraction: number) => void
}

/** Runs a transcription and stores it; returns the transcript the Studio turns into caption cues. */
export async function transcribeVideo(deps: TranscribeDependencies, data: TranscribeRequestData, options: TranscribeOptions = {}): Promise<TranscriptSummary & { cacheHit: boolean }> {
  const { db } = deps
  const progress = options.onProgress ?? (() => {})
  const plan = await planTranscription(deps, data)
  const started = performance.now()
  const ledger = { workspaceId: data.workspaceId, userId: data.userId ?? null, provider: plan.provider, model: plan.model, purpose: 'captions.transcribe' as const, promptVersion: TRANSCRIBE_VERSION }
  const noUsage = { inputTokens: 0, outputTokens: 0, cachedTokens: 0 }
  const save = (words: TranscriptWord[], text: string, language: string | null, approximate: boolean) => db.transcript.create({
    data: { workspaceId: data.workspaceId, videoId: plan.video.id, provider: plan.provider, model: plan.model, approximate, language, text, words: toJson(words) },
  })

  if (plan.script) {
    progress('timing your script', 0.5)
    const words = alignToSpeech(plan.script.words, plan.script.spans)
    await recordCall(db, { ...ledger, usage: noUsage, costUsd: 0, cacheHit: false, latencyMs: performance.now() - started, status: 'succeeded' })
    const row = await save(words, plan.script.words.join(' '), null, true)
    return { ...summariseTranscript(row), cacheHit: false }
  }

  // The same file heard by the same model: the stored words, at no cost.
  const cached = plan.cached
  if (cached) {
    await recordCall(db, { ...ledger, usage: noUsage, costUsd: 0, cacheHit: true, latencyMs: performance.now() - started, status: 'succeeded' })
    const row = cached.videoId === plan.video.id ? cached : await save(cached.words as unknown as TranscriptWord[], cached.text, cached.language, false)
    return { ...summariseTranscript(row), cacheHit: true }
  }

  const workDir = join(deps.scratchDir, `transcribe-${randomUUID()}`)
  await mkdir(workDir, { recursive: true })
  let local: { release: () => Promise<void> } | undefined
  try {
    const opened = await deps.store.openLocal(plan.video.storageKey, workDir)
    local = opened
    const format = plan.method === 'offline' ? 'wav' : 'mp3'
    const audioPath = join(workDir, `speech.${format}`)
    const duration = Math.max(plan.video.durationSeconds, 0.1)
    progress('reading the sound', 0)
    const { sizeBytes } = await extractAudio(deps.tools, opened.path, audioPath, format, {
      signal: options.signal,
      onProgress: seconds => progress('reading the sound', Math.min(1, seconds / duration) * 0.2),
    })
    if (plan.method === 'openai' && sizeBytes > OPENAI_AUDIO_LIMIT_BYTES) {
      throw plain(413, `This footage's sound is ${(sizeBytes / 1024 / 1024).toFixed(0)} MB even compressed; OpenAI takes at most 25 MB. Trim it into parts, or time your script's lines instead.`, 'too_long')
    }

    if (plan.method === 'offline') {
      progress('recognising speech offline', 0.2)
      const heard = await recogniseOffline(plan.offline!, audioPath, {
        signal: options.signal,
        onProgress: seconds => progress('recognising speech offline', 0.2 + Math.min(1, seconds / duration) * 0.75),
      })
      const words = readableOfflineWords(heard)
      await recordCall(db, { ...ledger, usage: noUsage, costUsd: 0, cacheHit: false, latencyMs: performance.now() - started, status: 'succeeded' })
      if (!words.length) throw plain(422, 'No speech was found in this footage\'s sound.', 'no_speech')
      const row = await save(words, words.map(word => word.word).join(' '), 'english', false)
      return { ...summariseTranscript(row), cacheHit: false }
    }

    progress(`sending the sound to ${plan.method === 'openai' ? 'OpenAI' : 'Gemini'}`, 0.25)
    const audio = await readFile(audioPath)
    const access = plan.access!
    let heard: Transcription
    try {
      heard = plan.method === 'openai'
        ? await transcribeWithOpenAi({ apiKey: access.apiKey, baseUrl: access.baseUrl ?? undefined, model: WHISPER, audio, filename: 'speech.mp3', signal: options.signal, timeoutMs: deps.timeoutMs })
        : await transcribeWithGemini({ apiKey: access.apiKey, baseUrl: access.baseUrl ?? undefined, model: access.model, audio, mimeType: 'audio/mp3', signal: options.signal, timeoutMs: deps.timeoutMs })
    }
    catch (error) {
      const message = error instanceof ServiceError ? error.message : 'The transcription did not complete.'
      await recordCall(db, { ...ledger, usage: noUsage, costUsd: 0, cacheHit: false, latencyMs: performance.now() - started, status: 'failed', error: message })
      throw error
    }
    const costUsd = plan.method === 'openai'
      ? whisperCost(access, deps.ai, heard.usage.audioSeconds || duration)
      : estimateCost('gemini', access.model, access.baseUrl, heard.usage)
    await recordCall(db, { ...ledger, model: heard.model || plan.model, usage: heard.usage, costUsd, cacheHit: false, latencyMs: performance.now() - started, status: 'succeeded' })
    progress('saving', 0.97)
    if (!heard.words.length) throw plain(422, 'No speech was found in this footage\'s sound.', 'no_speech')
    const words = punctuateWords(heard.words, heard.text)
    const row = await save(words, heard.text, heard.language || null, false)
    return { ...summariseTranscript(row), cacheHit: false }
  }
  finally {
    await local?.release()
    await rm(workDir, { recursive: true, force: true })
  }
}
