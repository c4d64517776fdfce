// The `gemini` provider: @google/genai against the Gemini Developer API (or a stand-in through `baseUrl`).
// Structured output: responseMimeType application/json with responseJsonSchema. A request with media (a video or its
// audio) uploads the file through the Files API (resumable), waits until it is ACTIVE, then asks generateContent
// with the file's URI. An uploaded file is reused for the same storage key (the re-ask, a second purpose) until
// Gemini expires it (48 h).
// Retries: the SDK's own retryOptions back off on a fixed schedule and ignore what Gemini asks (RetryInfo.retryDelay
// in the error body, or a retry-after header), so the SDK gets a fetch of ours instead: each HTTP request is tried at
// most 1 + `retries` times on 408/429/5xx, a dropped connection or a time-out, waiting what the server asked (when it
// asks at most `maxRetryWaitMs`) or an exponential backoff with jitter; `timeoutMs` bounds each attempt, body included
// (a body that stalls is not retried: the SDK reads it after our fetch has returned).
import { createPartFromBase64, createPartFromUri, GoogleGenAI, type Content, type GenerateContentResponse, type Part } from '@google/genai'
import { z } from 'zod'
import { AiProviderError } from '../errors'
import type { AiMedia, AiProvider, ProviderReply, ProviderRequest, ProviderUsage } from '../types'
import { repairTurn, sleep, wholeSeconds } from './common'
import type { TimedWord, Transcription } from './openai'

/** The bytes of a stored file: in memory, or a path on this machine (with a `release` to call when done). */
export type MediaSource = Buffer | Blob | string | { path: string, release?: () => Promise<void> }
/** Reads a storage key's bytes: in the app, `useMediaStore().openLocal(key, scratchDir)` (see `mediaReaderFromStore`). */
export type MediaReader = (storageKey: string) => Promise<MediaSource>

export interface GeminiProviderOptions {
  apiKey: string
  /** Defaults to Google's endpoint; the SDK adds the API version. */
  baseUrl?: string
  /** The SDK's default is 'v1'. */
  apiVersion?: string
  model: string
  /** Per HTTP attempt, in ms (uploads: per 8 MiB chunk). */
  timeoutMs?: number
  /** Retries after the first attempt of each HTTP request. */
  retries?: number
  /** The longest wait a 429 may ask for that we honour; a longer one fails at once as rate_limited. */
  maxRetryWaitMs?: number
  /** Needed for requests with media. */
  readMedia?: MediaReader
  /** files.get polling until the upload is ACTIVE. */
  filePollIntervalMs?: number
  fileProcessingTimeoutMs?: number
}

const DEFAULT_TIMEOUT_MS = 60_000
const DEFAULT_RETRIES = 2
const DEFAULT_MAX_RETRY_WAIT_MS = 60_000
const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504])
const SERVICE = 'Gemini'

/** A MediaReader over the app's MediaStore: local disk is read in place, S3 objects are downloaded to `scratchDir`. */
export function mediaReaderFromStore(store: { openLocal: (key: string, scratchDir: string) => Promise<{ path: string, release: () => Promise<void> }> }, scratchDir: string): MediaReader {
  return key => store.openLocal(key, scratchDir)
}

/** A non-OK answer, thrown by our fetch so the SDK passes it through unchanged (with its status and wait). */
class GeminiHttpFailure extends Error {
  constructor(readonly status: number, readonly retryAfterMs: number | undefined, readonly reasons: string[]) {
    super(`Gemini answered HTTP ${status}`)
    this.name = 'GeminiHttpFailure'
  }
}

/** Reading our own storage failed: not Gemini's doing, so it reaches the caller as it was (MediaNotFoundError…). */
class MediaReadFailure extends Error {
  constructor(readonly original: unknown) {
    super('Reading the media failed')
    this.name = 'MediaReadFailure'
  }
}

class GeminiAttemptTimeout extends Error {
  constructor() {
    super('Gemini did not answer in time')
    this.name = 'GeminiAttemptTimeout'
  }
}

/** Google's error body: {error:{code, message, status, details:[{'@type', reason?, retryDelay?}]}}. */
interface GoogleErrorBody { error?: { status?: unknown, details?: unknown } }
type GoogleErrorDetail = { '@type'?: unknown, 'reason'?: unknown, 'retryDelay'?: unknown } | null

const detailsOf = (body: GoogleErrorBody | undefined): GoogleErrorDetail[] => Array.isArray(body?.error?.details) ? body.error.details : []

/** What Gemini asks us to wait: the retry-after header, or google.rpc.RetryInfo.retryDelay ("37s", "1.5s") in the body. */
function retryDelayMs(headers: Headers, body: GoogleErrorBody | undefined): number | undefined {
  const header = Number.parseFloat(headers.get('retry-after') ?? '')
  if (Number.isFinite(header)) return header * 1000
  const retryInfo = detailsOf(body).find(detail => String(detail?.['@type'] ?? '').endsWith('google.rpc.RetryInfo'))
  const seconds = Number.parseFloat(String(retryInfo?.retryDelay ?? '').replace(/s$/, ''))
  return Number.isFinite(seconds) ? seconds * 1000 : undefined
}

function errorReasons(body: GoogleErrorBody | undefined): string[] {
  const reasons = detailsOf(body).map(detail => detail?.reason).filter((reason): reason is string => typeof reason === 'string')
  if (typeof body?.error?.status === 'string') reasons.push(body.error.status)
  return reasons
}

const backoffMs = (attempt: number) => Math.min(8000, 500 * 2 ** attempt) * (1 - Math.random() * 0.25)

/** The fetch the SDK uses: bounded retries that honour the server's wait, a time-out per attempt, and the caller's cancel. */
function retryingFetch(options: { retries: number, timeoutMs: number, maxRetryWaitMs: number, signal?: AbortSignal }): typeof fetch {
  return async (input, init) => {
    const signals = [init?.signal, options.signal].filter((signal): signal is AbortSignal => !!signal)
    for (let attempt = 0; ; attempt++) {
      // The time-out stays armed after fetch resolves, so it also bounds reading the body (the SDK reads it later).
      const timeout = AbortSignal.timeout(options.timeoutMs)
      let failure: Error
      try {
        const response = await fetch(input, { ...init, signal: AbortSignal.any([timeout, ...signals]) })
        if (response.ok) return response
        let json: GoogleErrorBody | undefined
        try {
          json = JSON.parse(await response.text()) as GoogleErrorBody
        }
        catch {
          json = undefined
        }
        failure = new GeminiHttpFailure(response.status, retryDelayMs(response.headers, json), errorReasons(json))
      }
      catch (error) {
        if (signals.some(signal => signal.aborted)) throw error
        failure = timeout.aborted ? new GeminiAttemptTimeout() : error as Error
      }
      const retryable = failure instanceof GeminiHttpFailure ? RETRYABLE_STATUSES.has(failure.status) : true
      if (!retryable || attempt >= options.retries) throw failure
      const asked = failure instanceof GeminiHttpFailure ? failure.retryAfterMs : undefined
      // A wait longer than we are willing to hold a job for is reported at once rather than ignored.
      if (asked !== undefined && asked > options.maxRetryWaitMs) throw failure
      await sleep(asked ?? backoffMs(attempt), signals.length ? AbortSignal.any(signals) : undefined)
    }
  }
}

function client(options: GeminiProviderOptions, signal?: AbortSignal) {
  return new GoogleGenAI({
    apiKey: options.apiKey,
    httpOptions: {
      ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
      ...(options.apiVersion ? { apiVersion: options.apiVersion } : {}),
      fetch: retryingFetch({
        retries: options.retries ?? DEFAULT_RETRIES,
        timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        maxRetryWaitMs: options.maxRetryWaitMs ?? DEFAULT_MAX_RETRY_WAIT_MS,
        signal,
      }),
    },
  })
}

/** Any failure of a call, as an AiProviderError. */
export function geminiFailure(error: unknown, options: { model: string, timeoutMs: number, retried: boolean, signal?: AbortSignal }): unknown {
  if (error instanceof AiProviderError) return error
  if (error instanceof MediaReadFailure) return error.original
  const provider = 'gemini' as const
  if (options.signal?.aborted) return new AiProviderError('canceled', `The request to ${SERVICE} was canceled.`, { provider })
  // A body that stalled after its headers arrived ends with the time-out's own TimeoutError.
  if (error instanceof GeminiAttemptTimeout || (error as Error | null)?.name === 'TimeoutError') {
    return new AiProviderError('timeout', `${SERVICE} did not answer within ${wholeSeconds(options.timeoutMs)} s${options.retried ? ', even after retrying' : ''}; try again later.`, { provider })
  }
  // GeminiHttpFailure from our fetch, or the SDK's own ApiError (status only).
  const sdkStatus = (error as { status?: unknown } | null)?.status
  const status = error instanceof GeminiHttpFailure ? error.status : typeof sdkStatus === 'number' ? sdkStatus : undefined
  if (status !== undefined) {
    const reasons = error instanceof GeminiHttpFailure ? error.reasons : []
    const common = { provider, providerStatus: status, providerReason: reasons[0] }
    if (status === 401 || status === 403 || reasons.includes('API_KEY_INVALID')) {
      return new AiProviderError('auth', `The ${SERVICE} key was refused; check it in Settings → AI.`, common)
    }
    if (status === 429) {
      const wait = error instanceof GeminiHttpFailure && error.retryAfterMs !== undefined ? wholeSeconds(error.retryAfterMs) : undefined
      return new AiProviderError('rate_limited', `${SERVICE} is limiting how often this key may ask${wait ? `; try again in ${wait} s` : '; try again in a minute'}.`, { ...common, retryAfterSeconds: wait })
    }
    if (status === 404) {
      return new AiProviderError('bad_request', `${SERVICE} has no model named “${options.model}”; choose another model in Settings → AI.`, common)
    }
    if (status >= 500 || status === 408) {
      return new AiProviderError('unavailable', `${SERVICE} is having trouble (HTTP ${status}) and did not recover after retrying; try again later.`, common)
    }
    return new AiProviderError('bad_request', `${SERVICE} refused the request (HTTP ${status}${reasons[0] ? `, ${reasons[0]}` : ''}); check the model in Settings → AI.`, common)
  }
  if (error instanceof SyntaxError) return new AiProviderError('malformed', `${SERVICE} sent a reply that is not valid JSON; try again.`, { provider })
  if (error instanceof TypeError) {
    return new AiProviderError('unavailable', `${SERVICE} could not be reached; check the server address in Settings → AI, or try again later.`, { provider })
  }
  return new AiProviderError('unavailable', `The call to ${SERVICE} failed unexpectedly; try again later.`, { provider, providerReason: error instanceof Error ? error.name : undefined })
}

const SAFETY_REASONS = new Set(['SAFETY', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT', 'MODEL_ARMOR', 'OTHER_SAFETY'])

/** The text and usage of an answer, or the reason it is not one. */
function readAnswer(response: GenerateContentResponse, model: string): ProviderReply {
  const provider = 'gemini' as const
  const blockReason = response.promptFeedback?.blockReason
  if (blockReason) {
    throw new AiProviderError('blocked', `${SERVICE} refused this request as unsafe content; change the brief and try again.`, { provider, providerReason: String(blockReason) })
  }
  const candidate = response.candidates?.[0]
  const finishReason = candidate?.finishReason ? String(candidate.finishReason) : undefined
  if (finishReason && SAFETY_REASONS.has(finishReason)) {
    throw new AiProviderError('blocked', `${SERVICE} stopped its answer as unsafe content; change the brief and try again.`, { provider, providerReason: finishReason })
  }
  if (finishReason === 'RECITATION') {
    throw new AiProviderError('blocked', `${SERVICE} stopped because its answer repeated published text too closely; rephrase the brief and try again.`, { provider, providerReason: finishReason })
  }
  if (finishReason === 'MAX_TOKENS') {
    throw new AiProviderError('truncated', `${SERVICE} stopped before the answer was complete (it hit its output limit); ask for less at once, for example fewer scripts, and try again.`, { provider, providerReason: finishReason })
  }
  if (finishReason && finishReason !== 'STOP' && finishReason !== 'FINISH_REASON_UNSPECIFIED') {
    throw new AiProviderError('malformed', `${SERVICE} stopped without a usable answer (${finishReason}); try again.`, { provider, providerReason: finishReason })
  }
  // Thought summaries are not the answer.
  const text = (candidate?.content?.parts ?? []).filter(part => !part.thought && typeof part.text === 'string').map(part => part.text).join('')
  if (!text.trim()) throw new AiProviderError('malformed', `${SERVICE} returned an empty answer; try again.`, { provider, providerReason: finishReason ?? 'empty' })
  const metadata = response.usageMetadata
  // Thinking is billed as output; promptTokenCount already includes the cached tokens.
  const usage: ProviderUsage = {
    inputTokens: metadata?.promptTokenCount ?? 0,
    outputTokens: (metadata?.candidatesTokenCount ?? 0) + (metadata?.thoughtsTokenCount ?? 0),
    cachedTokens: metadata?.cachedContentTokenCount ?? 0,
  }
  return { text, usage, model: response.modelVersion || model }
}

/** The JSON schema as Gemini takes it: without the `$schema` marker z.toJSONSchema adds. */
function forGemini(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _marker, ...rest } = schema
  return rest
}

interface UploadedFile { uri: string, mimeType: string, expiresAt: number }

async function uploadAndWait(ai: GoogleGenAI, media: AiMedia, options: GeminiProviderOptions, signal?: AbortSignal): Promise<UploadedFile> {
  if (!options.readMedia) throw new MediaReadFailure(new Error('The Gemini provider needs readMedia to send media.'))
  const source = await options.readMedia(media.storageKey).catch((error: unknown) => {
    throw new MediaReadFailure(error)
  })
  const release = typeof source === 'object' && 'path' in source && !(source instanceof Blob) && !Buffer.isBuffer(source) ? source.release : undefined
  let file
  try {
    const upload = Buffer.isBuffer(source)
      ? new Blob([new Uint8Array(source)], { type: media.mimeType })
      : source instanceof Blob || typeof source === 'string' ? source : source.path
    file = await ai.files.upload({ file: upload, config: { mimeType: media.mimeType, abortSignal: signal } })
  }
  finally {
    await release?.()
  }
  const interval = options.filePollIntervalMs ?? 2000
  const deadline = Date.now() + (options.fileProcessingTimeoutMs ?? 300_000)
  while (file.state !== 'ACTIVE') {
    if (file.state === 'FAILED') {
      throw new AiProviderError('bad_request', `${SERVICE} could not process this video; check that it plays, or choose another provider in Settings → AI.`, { provider: 'gemini', providerReason: 'FILE_FAILED' })
    }
    if (Date.now() + interval > deadline) {
      throw new AiProviderError('timeout', `${SERVICE} was still processing the video after ${wholeSeconds(options.fileProcessingTimeoutMs ?? 300_000)} s; try again later.`, { provider: 'gemini', providerReason: 'FILE_PROCESSING' })
    }
    await sleep(interval, signal)
    file = await ai.files.get({ name: file.name!, config: { abortSignal: signal } })
  }
  if (!file.uri) throw new AiProviderError('malformed', `${SERVICE} accepted the video but gave no address for it; try again.`, { provider: 'gemini', providerReason: 'FILE_URI' })
  const expiresAt = file.expirationTime ? Date.parse(file.expirationTime) : Date.now() + 47 * 3600_000
  return { uri: file.uri, mimeType: file.mimeType ?? media.mimeType, expiresAt }
}

function conversation(first: Part[], request: Pick<ProviderRequest, 'repair'>): Content[] {
  const contents: Content[] = [{ role: 'user', parts: first }]
  if (request.repair) {
    contents.push({ role: 'model', parts: [{ text: request.repair.reply }] }, { role: 'user', parts: [{ text: repairTurn(request.repair) }] })
  }
  return contents
}

/**
 * The `gemini` provider. Usage: inputTokens counts every prompt token (media and cached ones included); cachedTokens
 * is the cached part; outputTokens includes thinking tokens, which Gemini bills as output.
 */
export function createGeminiProvider(options: GeminiProviderOptions): AiProvider {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const retried = (options.retries ?? DEFAULT_RETRIES) > 0
  const uploaded = new Map<string, UploadedFile>()
  // One client for the calls that take the caller's signal through the SDK (generateContent, files.get). Uploads
  // get a client of their own per call: the SDK does not hand an upload's abortSignal to its requests.
  const shared = client(options)

  return {
    name: 'gemini',
    model: options.model,
    async complete(request) {
      const ai = shared
      const ask = (file: UploadedFile | undefined) => {
        const parts: Part[] = file ? [createPartFromUri(file.uri, file.mimeType)] : []
        parts.push({ text: request.prompt })
        return ai.models.generateContent({
          model: options.model,
          contents: conversation(parts, request),
          config: {
            systemInstruction: request.instructions,
            responseMimeType: 'application/json',
            responseJsonSchema: forGemini(request.jsonSchema),
            abortSignal: request.signal,
          },
        })
      }
      try {
        if (!request.media) return readAnswer(await ask(undefined), options.model)
        const key = request.media.storageKey
        const known = uploaded.get(key)
        // An hour's margin, so a file does not expire between this check and the answer.
        if (known && known.expiresAt > Date.now() + 3600_000) {
          try {
            return readAnswer(await ask(known), options.model)
          }
          catch (error) {
            // Gemini no longer has it (deleted early, or another key's project): upload it again, once.
            if (!(error instanceof GeminiHttpFailure && (error.status === 403 || error.status === 404 || error.reasons.includes('FAILED_PRECONDITION')))) throw error
            uploaded.delete(key)
          }
        }
        const file = await uploadAndWait(client(options, request.signal), request.media, options, request.signal)
        uploaded.set(key, file)
        return readAnswer(await ask(file), options.model)
      }
      catch (error) {
        throw geminiFailure(error, { model: options.model, timeoutMs, retried, signal: request.signal })
      }
    },
  }
}

export interface GeminiTranscriptionOptions extends Omit<GeminiProviderOptions, 'readMedia' | 'model'> {
  model: string
  audio: Buffer
  /** audio/wav, audio/mp3, audio/aac, audio/ogg, audio/flac… */
  mimeType: string
  /** ISO-639-1 hint ('en'). */
  language?: string
  signal?: AbortSignal
}

const transcriptSchema = z.object({
  language: z.string(),
  duration: z.number().nonnegative(),
  text: z.string(),
  words: z.array(z.object({ word: z.string(), start: z.number().nonnegative(), end: z.number().nonnegative() })),
})

// Audio this small goes inline with the request (Gemini accepts up to 20 MB of request in all); larger goes through the Files API.
const INLINE_AUDIO_LIMIT = 14 * 1024 * 1024

/**
 * Speech to text with word timings from Gemini, asked for as JSON. Its timings are coarser than Whisper's: Gemini
 * hears audio as tokens (32 a second) and writes the times as text, so a word's start and end are estimates, often
 * rounded to a tenth of a second or worse and sometimes drifting on long files; Whisper aligns each word to the audio.
 */
export async function transcribeWithGemini(options: GeminiTranscriptionOptions): Promise<Transcription> {
  const timeoutMs = options.timeoutMs ?? 180_000
  const ai = client({ ...options, timeoutMs }, options.signal)
  let reply: ProviderReply
  try {
    let audio: Part
    if (options.audio.length <= INLINE_AUDIO_LIMIT) {
      audio = createPartFromBase64(options.audio.toString('base64'), options.mimeType)
    }
    else {
      const file = await uploadAndWait(ai, { storageKey: 'audio', mimeType: options.mimeType }, { ...options, readMedia: async () => options.audio }, options.signal)
      audio = createPartFromUri(file.uri, file.mimeType)
    }
    const response = await ai.models.generateContent({
      model: options.model,
      contents: [{ role: 'user', parts: [audio, { text: `Transcribe every spoken word of this audio${options.language ? ` (language: ${options.language})` : ''}. For each word give its start and end in seconds from the start of the audio, to the hundredth of a second. Give the language's English name, the audio's duration in seconds, and the whole text.` }] }],
      config: {
        systemInstruction: 'You are a careful transcriber. Write exactly what is said, in order, with no commentary.',
        responseMimeType: 'application/json',
        responseJsonSchema: forGemini(z.toJSONSchema(transcriptSchema) as Record<string, unknown>),
        abortSignal: options.signal,
      },
    })
    reply = readAnswer(response, options.model)
  }
  catch (error) {
    throw geminiFailure(error, { model: options.model, timeoutMs, retried: (options.retries ?? DEFAULT_RETRIES) > 0, signal: options.signal })
  }
  let parsed
  try {
    parsed = transcriptSchema.safeParse(JSON.parse(reply.text))
  }
  catch {
    parsed = undefined
  }
  if (!parsed?.success) {
    throw new AiProviderError('malformed', `${SERVICE} returned a transcript without usable word timings; try again, or use an OpenAI key (Whisper) for captions.`, { provider: 'gemini', providerReason: 'no_words' })
  }
  const words: TimedWord[] = parsed.data.words
    .map(word => ({ word: word.word.trim(), start: word.start, end: Math.max(word.start, word.end) }))
    .filter(word => word.word)
    .sort((first, second) => first.start - second.start)
  const duration = parsed.data.duration || words.at(-1)?.end || 0
  return {
    text: parsed.data.text.trim(),
    language: parsed.data.language,
    duration,
    words,
    usage: { ...reply.usage, audioSeconds: duration },
    model: reply.model,
  }
}
