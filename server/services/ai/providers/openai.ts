// The `openai` provider: the official SDK against OpenAI or any server that speaks its API through `baseUrl`:
//   OpenAI      https://api.openai.com/v1      (the default)
//   xAI Grok    https://api.x.ai/v1            model e.g. grok-4.3
//   Ollama      http://localhost:11434/v1      any key works ('ollama'); older versions have no /responses
//   vLLM        http://<host>:8000/v1          /responses only in recent versions
//   OpenRouter  https://openrouter.ai/api/v1   model e.g. openai/gpt-5-mini
// It asks the Responses API for structured output (text.format json_schema, strict when the schema allows). A server that answers 404 for
// /responses gets /chat/completions with response_format json_schema instead, and that choice is remembered per
// baseUrl for the life of the process. The SDK retries 408/409/429/5xx, connection errors and time-outs (maxRetries,
// default 2) with backoff, waiting what retry-after-ms / retry-after ask when it is at most 60 s; `timeoutMs` bounds
// each attempt. Every failure leaves as an AiProviderError with a message a creator can act on, never the key or prompt.
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, toFile } from 'openai'
import { z } from 'zod'
import { AiProviderError } from '../errors'
import type { AiProvider, ProviderReply, ProviderRequest, ProviderUsage } from '../types'
import { repairTurn, wholeSeconds } from './common'

export interface OpenAiProviderOptions {
  apiKey: string
  /** Defaults to OpenAI's own API. */
  baseUrl?: string
  model: string
  /** Per attempt, in ms. */
  timeoutMs?: number
  /** Retries after the first attempt (the SDK's maxRetries). */
  maxRetries?: number
  /** How messages name the service ('OpenAI', 'xAI'); found from baseUrl when absent. */
  label?: string
}

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1'
const DEFAULT_TIMEOUT_MS = 60_000
const DEFAULT_MAX_RETRIES = 2

type ApiStyle = 'responses' | 'chat'
// Which API each server speaks, learnt from a 404 on /responses. Process-wide: it describes the server, not a workspace.
const apiStyles = new Map<string, ApiStyle>()

/** Forgets what was learnt about servers (tests). */
export function forgetOpenAiApiStyles() {
  apiStyles.clear()
}

/** The API a baseUrl was found to speak, if one was learnt. */
export const learntApiStyle = (baseUrl: string): ApiStyle | undefined => apiStyles.get(normaliseBaseUrl(baseUrl))

const normaliseBaseUrl = (baseUrl: string) => baseUrl.replace(/\/+$/, '')

/** The service a creator would name, for messages: "OpenAI", "xAI", "Ollama", … or "the AI server at <host>". */
export function serviceName(baseUrl: string): string {
  try {
    const url = new URL(baseUrl)
    if (url.hostname === 'api.openai.com') return 'OpenAI'
    if (url.hostname === 'api.x.ai') return 'xAI'
    if (url.hostname.endsWith('openrouter.ai')) return 'OpenRouter'
    if (url.port === '11434') return 'Ollama'
    return `the AI server at ${url.host}`
  }
  catch {
    return 'the AI server'
  }
}

const atStart = (text: string) => text.charAt(0).toUpperCase() + text.slice(1)
// "The OpenAI key", but "The key for the AI server at …".
const keyOf = (service: string) => service.startsWith('the ') ? `The key for ${service}` : `The ${service} key`

function client(options: OpenAiProviderOptions) {
  return new OpenAI({
    // The SDK throws without a key; local servers (Ollama, vLLM) ignore it.
    apiKey: options.apiKey || 'none',
    baseURL: options.baseUrl || OPENAI_DEFAULT_BASE_URL,
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
    // Its debug log would print request bodies (the prompt) when OPENAI_LOG=debug is set.
    logLevel: 'off',
    // The SDK's time-out ends when the headers arrive; this one also bounds a body that stalls halfway.
    fetch: (url, init) => {
      const bound = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS)
      return fetch(url, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, bound]) : bound })
    },
  })
}

const retryAfterSeconds = (headers: Headers | undefined): number | undefined => {
  const milliseconds = Number.parseFloat(headers?.get('retry-after-ms') ?? '')
  if (Number.isFinite(milliseconds)) return Math.max(1, Math.ceil(milliseconds / 1000))
  const seconds = Number.parseFloat(headers?.get('retry-after') ?? '')
  return Number.isFinite(seconds) ? Math.max(1, Math.ceil(seconds)) : undefined
}

/** Any failure of a call, as an AiProviderError. `signal` tells a cancel from the SDK's own time-out. */
export function openAiFailure(error: unknown, service: string, options: { model: string, timeoutMs: number, retried: boolean, signal?: AbortSignal }): AiProviderError {
  if (error instanceof AiProviderError) return error
  const provider = 'openai' as const
  if (error instanceof APIUserAbortError || options.signal?.aborted) {
    return new AiProviderError('canceled', `The request to ${service} was canceled.`, { provider })
  }
  // APIConnectionTimeoutError before the headers; the TimeoutError of our bound on a body that stalled after them.
  if (error instanceof APIConnectionTimeoutError || (error as Error | null)?.name === 'TimeoutError') {
    return new AiProviderError('timeout', `${atStart(service)} did not answer within ${wholeSeconds(options.timeoutMs)} s${options.retried ? ', even after retrying' : ''}; try again later.`, { provider })
  }
  if (error instanceof APIConnectionError) {
    return new AiProviderError('unavailable', `${atStart(service)} could not be reached; check the server address in Settings → AI, or try again later.`, { provider })
  }
  if (error instanceof APIError) {
    const status = error.status ?? 0
    const code = typeof error.code === 'string' ? error.code : undefined
    const common = { provider, providerStatus: status, providerReason: code }
    if (status === 401 || status === 403) {
      return new AiProviderError('auth', `${keyOf(service)} was refused; check it in Settings → AI.`, common)
    }
    if (status === 429) {
      const wait = retryAfterSeconds(error.headers)
      if (code === 'insufficient_quota') {
        return new AiProviderError('rate_limited', `The account behind this key at ${service} has run out of credit; add credit there or change the key in Settings → AI.`, common)
      }
      return new AiProviderError('rate_limited', `${atStart(service)} is limiting how often this key may ask${wait ? `; try again in ${wait} s` : '; try again in a minute'}.`, { ...common, retryAfterSeconds: wait })
    }
    if (status === 404) {
      return new AiProviderError('bad_request', `${atStart(service)} has no model named “${options.model}” for this key; choose another model in Settings → AI.`, common)
    }
    if (status >= 500 || status === 408 || status === 409) {
      return new AiProviderError('unavailable', `${atStart(service)} is having trouble (HTTP ${status}) and did not recover after retrying; try again later.`, common)
    }
    return new AiProviderError('bad_request', `${atStart(service)} refused the request (HTTP ${status}${code ? `, ${code}` : ''}); check the model in Settings → AI.`, common)
  }
  if (error instanceof SyntaxError) {
    return new AiProviderError('malformed', `${atStart(service)} sent a reply that is not valid JSON; try again.`, { provider })
  }
  return new AiProviderError('unavailable', `The call to ${service} failed unexpectedly; try again later.`, { provider, providerReason: error instanceof Error ? error.name : undefined })
}

function blocked(service: string, reason: string) {
  return new AiProviderError('blocked', `${atStart(service)} refused this request as unsafe content; change the brief and try again.`, { provider: 'openai', providerReason: reason })
}

function truncated(service: string, reason: string) {
  return new AiProviderError('truncated', `${atStart(service)} stopped before the answer was complete (it hit its output limit); ask for less at once, for example fewer scripts, and try again.`, { provider: 'openai', providerReason: reason })
}

function empty(service: string) {
  return new AiProviderError('malformed', `${atStart(service)} returned an empty answer; try again.`, { provider: 'openai', providerReason: 'empty' })
}

/**
 * Whether OpenAI's strict mode accepts the schema: every object closed (additionalProperties false) with every
 * property required. zod leaves an optional field out of `required`, which strict mode refuses with a 400, so such a
 * schema goes without strict (the model still gets the schema; generate() validates and re-asks).
 */
export function strictCompatible(schema: unknown): boolean {
  if (Array.isArray(schema)) return schema.every(strictCompatible)
  if (!schema || typeof schema !== 'object') return true
  const node = schema as Record<string, unknown>
  if (node.properties && typeof node.properties === 'object') {
    const keys = Object.keys(node.properties)
    const required = Array.isArray(node.required) ? node.required : []
    if (node.additionalProperties !== false || keys.some(key => !required.includes(key))) return false
  }
  return Object.entries(node).every(([key, value]) => key === 'enum' || key === 'const' || key === 'default' || strictCompatible(value))
}

async function viaResponses(openai: OpenAI, model: string, request: ProviderRequest, service: string): Promise<ProviderReply> {
  const input: OpenAI.Responses.ResponseInputItem[] = [{ role: 'user', content: request.prompt }]
  if (request.repair) input.push({ role: 'assistant', content: request.repair.reply }, { role: 'user', content: repairTurn(request.repair) })
  const response = await openai.responses.create({
    model,
    instructions: request.instructions,
    input,
    text: { format: { type: 'json_schema', name: request.schemaName, strict: strictCompatible(request.jsonSchema), schema: request.jsonSchema } },
    // Creators' briefs stay out of OpenAI's 30-day response store.
    store: false,
  }, { signal: request.signal })
  if (response.status === 'failed' || response.status === 'cancelled') {
    throw new AiProviderError('unavailable', `${atStart(service)} could not finish the answer; try again later.`, { provider: 'openai', providerReason: response.error?.code ?? response.status })
  }
  if (response.status === 'incomplete') {
    const reason = response.incomplete_details?.reason ?? 'incomplete'
    if (reason === 'content_filter') throw blocked(service, reason)
    throw truncated(service, reason)
  }
  for (const item of response.output ?? []) {
    if (item.type !== 'message') continue
    for (const part of item.content) if (part.type === 'refusal') throw blocked(service, 'refusal')
  }
  const text = response.output_text
  if (!text?.trim()) throw empty(service)
  const usage: ProviderUsage = {
    inputTokens: response.usage?.input_tokens ?? 0,
    outputTokens: response.usage?.output_tokens ?? 0,
    cachedTokens: response.usage?.input_tokens_details?.cached_tokens ?? 0,
  }
  return { text, usage, model: response.model || model }
}

async function viaChat(openai: OpenAI, model: string, request: ProviderRequest, service: string): Promise<ProviderReply> {
  // 'system' rather than 'developer': the OpenAI-compatible servers that lack /responses know only the older role.
  const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
    { role: 'system', content: request.instructions },
    { role: 'user', content: request.prompt },
  ]
  if (request.repair) messages.push({ role: 'assistant', content: request.repair.reply }, { role: 'user', content: repairTurn(request.repair) })
  const completion = await openai.chat.completions.create({
    model,
    messages,
    response_format: { type: 'json_schema', json_schema: { name: request.schemaName, strict: strictCompatible(request.jsonSchema), schema: request.jsonSchema } },
  }, { signal: request.signal })
  const choice = completion.choices?.[0]
  if (!choice) throw empty(service)
  if (choice.finish_reason === 'content_filter') throw blocked(service, 'content_filter')
  if (choice.message?.refusal) throw blocked(service, 'refusal')
  if (choice.finish_reason === 'length') throw truncated(service, 'length')
  const text = choice.message?.content
  if (!text?.trim()) throw empty(service)
  const usage: ProviderUsage = {
    inputTokens: completion.usage?.prompt_tokens ?? 0,
    outputTokens: completion.usage?.completion_tokens ?? 0,
    cachedTokens: completion.usage?.prompt_tokens_details?.cached_tokens ?? 0,
  }
  return { text, usage, model: completion.model || model }
}

/** A 404 that means "no such path" (a server without /responses), not "no such model". */
function isMissingEndpoint(error: unknown) {
  return error instanceof APIError && error.status === 404 && error.code !== 'model_not_found'
}

/**
 * The `openai` provider. Usage: inputTokens counts every input token, cached ones included; cachedTokens is the
 * part of it the server read from its prompt cache (billed at the cached rate).
 */
export function createOpenAiProvider(options: OpenAiProviderOptions): AiProvider {
  const baseUrl = normaliseBaseUrl(options.baseUrl || OPENAI_DEFAULT_BASE_URL)
  const service = options.label ?? serviceName(baseUrl)
  const openai = client({ ...options, baseUrl })
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const retried = (options.maxRetries ?? DEFAULT_MAX_RETRIES) > 0
  const failure = (error: unknown, signal?: AbortSignal) => openAiFailure(error, service, { model: options.model, timeoutMs, retried, signal })

  return {
    name: 'openai',
    model: options.model,
    async complete(request) {
      if (apiStyles.get(baseUrl) !== 'chat') {
        try {
          const reply = await viaResponses(openai, options.model, request, service)
          apiStyles.set(baseUrl, 'responses')
          return reply
        }
        catch (error) {
          if (!isMissingEndpoint(error) || apiStyles.get(baseUrl) === 'responses') throw failure(error, request.signal)
        }
      }
      try {
        const reply = await viaChat(openai, options.model, request, service)
        apiStyles.set(baseUrl, 'chat')
        return reply
      }
      catch (error) {
        throw failure(error, request.signal)
      }
    },
  }
}

export interface OpenAiTranscriptionOptions {
  apiKey: string
  baseUrl?: string
  /** Only whisper-1 returns word timestamps. */
  model?: string
  timeoutMs?: number
  maxRetries?: number
  label?: string
  audio: Buffer
  /** With an extension the server recognises (.wav, .mp3, .m4a, .webm…). */
  filename: string
  /** ISO-639-1 hint ('en'); improves accuracy and speed when known. */
  language?: string
  signal?: AbortSignal
}

export interface TimedWord { word: string, start: number, end: number }

export interface Transcription {
  text: string
  /** As the provider names it (Whisper: 'english'). */
  language: string
  /** Seconds of audio. */
  duration: number
  words: TimedWord[]
  /** Tokens (0 for Whisper, which bills by the second) and the seconds heard. */
  usage: ProviderUsage & { audioSeconds: number }
  model: string
}

const verboseTranscription = z.object({
  text: z.string(),
  language: z.string().optional(),
  duration: z.number().nonnegative().optional(),
  words: z.array(z.object({ word: z.string(), start: z.number().nonnegative(), end: z.number().nonnegative() })),
  usage: z.object({ seconds: z.number().optional() }).passthrough().optional(),
})

// OpenAI's limit for one transcription upload.
const TRANSCRIPTION_LIMIT_BYTES = 25 * 1024 * 1024

/** Speech to text with word timings: whisper-1, verbose_json, word granularity. */
export async function transcribeWithOpenAi(options: OpenAiTranscriptionOptions): Promise<Transcription> {
  const baseUrl = normaliseBaseUrl(options.baseUrl || OPENAI_DEFAULT_BASE_URL)
  const service = options.label ?? serviceName(baseUrl)
  const model = options.model ?? 'whisper-1'
  const timeoutMs = options.timeoutMs ?? 180_000
  if (options.audio.length > TRANSCRIPTION_LIMIT_BYTES) {
    throw new AiProviderError('bad_request', `The audio is ${Math.ceil(options.audio.length / 1024 / 1024)} MB; ${service} accepts at most 25 MB at once. Transcribe a shorter part.`, { provider: 'openai', providerReason: 'too_large' })
  }
  const openai = client({ ...options, baseUrl, timeoutMs, model })
  let raw: unknown
  try {
    raw = await openai.audio.transcriptions.create({
      file: await toFile(options.audio, options.filename),
      model,
      response_format: 'verbose_json',
      timestamp_granularities: ['word'],
      ...(options.language ? { language: options.language } : {}),
    }, { signal: options.signal })
  }
  catch (error) {
    throw openAiFailure(error, service, { model, timeoutMs, retried: (options.maxRetries ?? DEFAULT_MAX_RETRIES) > 0, signal: options.signal })
  }
  const parsed = verboseTranscription.safeParse(raw)
  if (!parsed.success) {
    throw new AiProviderError('malformed', `${atStart(service)} returned a transcript without word timings; use the whisper-1 model for captions.`, { provider: 'openai', providerReason: 'no_words' })
  }
  const { text, language, words } = parsed.data
  const duration = parsed.data.duration ?? words.at(-1)?.end ?? 0
  return {
    text: text.trim(),
    language: language ?? options.language ?? 'unknown',
    duration,
    words: words.map(word => ({ word: word.word.trim(), start: word.start, end: Math.max(word.start, word.end) })),
    usage: { inputTokens: 0, outputTokens: 0, cachedTokens: 0, audioSeconds: parsed.data.usage?.seconds ?? duration },
    model,
  }
}
