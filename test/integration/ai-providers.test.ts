// The openai and gemini providers drive the real SDKs against the loopback fakes: each wire format, each failure
// mode, retry-after honoured, bounded retries, time-out and cancel, the chat fallback, the Gemini upload → ACTIVE →
// generate path, transcription, usage numbers, and the key and prompt kept out of every error.
// No database and no built app: it runs once (excluded from the postgres project).
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { AiProviderError } from '../../server/services/ai/errors'
import { createGeminiProvider, transcribeWithGemini, type GeminiProviderOptions } from '../../server/services/ai/providers/gemini'
import { createOpenAiProvider, forgetOpenAiApiStyles, learntApiStyle, transcribeWithOpenAi, type OpenAiProviderOptions } from '../../server/services/ai/providers/openai'
import type { ProviderRequest } from '../../server/services/ai/types'
import { sampleFromSchema, schemaInvalidSample } from '../support/fake-ai-schema'
import { startFakeGemini, type FakeGemini } from '../support/fake-gemini'
import { startFakeOpenAi, type FakeOpenAi } from '../support/fake-openai'

const KEY = `sk-test-${Math.random().toString(36).slice(2)}secret`
const PROMPT_MARK = 'brief-7f3a-private'

const strategySchema = z.object({
  hook: z.string().min(3),
  pillars: z.array(z.object({ name: z.string(), share: z.number().min(0).max(1) })).min(1),
  tone: z.enum(['calm', 'bold']),
  cutsPerMinute: z.int().min(1).max(60),
})
const { $schema: _marker, ...jsonSchema } = z.toJSONSchema(strategySchema) as Record<string, unknown>

const request = (extra: Partial<ProviderRequest> = {}): ProviderRequest => ({
  purpose: 'strategy.generate',
  instructions: 'You plan short videos for a creator.',
  prompt: `Plan next week for a cooking channel. ${PROMPT_MARK}`,
  jsonSchema,
  schemaName: 'strategy',
  ...extra,
})

async function failure(promise: Promise<unknown>): Promise<AiProviderError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught)
  expect(error).toBeInstanceOf(AiProviderError)
  const providerError = error as AiProviderError
  // What the pages read to offer the way forward (utils/aiFailure.ts).
  expect(providerError.data).toMatchObject({ reason: providerError.kind, localAvailable: true })
  // Neither the key nor the prompt in anything an error carries.
  const everything = `${providerError.message} ${JSON.stringify(providerError)} ${String(providerError.stack)}`
  expect(everything).not.toContain(KEY)
  expect(everything).not.toContain(PROMPT_MARK)
  return providerError
}

describe('the fakes\' default answer', () => {
  it('satisfies the shapes prompt templates use (bounds, enums, literals, nullable, optional, unions, tuples, records, $defs)', () => {
    const shot = z.object({ at: z.number().min(0).max(60), text: z.string().min(12).max(40) })
    const broad = z.object({
      title: z.string().min(20).max(80),
      count: z.int().min(3).max(7),
      share: z.number().gt(0).lt(1),
      kind: z.enum(['talking_head', 'tutorial', 'list']),
      version: z.literal(2),
      note: z.string().nullable(),
      maybe: z.string().optional(),
      shots: z.array(shot).min(3).max(5),
      firstShot: shot,
      cta: z.union([z.object({ type: z.literal('follow') }), z.object({ type: z.literal('link'), url: z.url() })]),
      pair: z.tuple([z.string(), z.number()]),
      byPlatform: z.record(z.string(), z.number()),
      at: z.iso.datetime(),
    })
    const { $schema: _drop, ...schema } = z.toJSONSchema(broad, { io: 'output', reused: 'ref' }) as Record<string, unknown>
    expect(broad.safeParse(sampleFromSchema(schema)).error).toBeUndefined()
    expect(broad.safeParse(schemaInvalidSample(schema)).success).toBe(false)
  })
})

describe('openai provider', () => {
  let fake: FakeOpenAi
  let other: FakeOpenAi
  const provider = (options: Partial<OpenAiProviderOptions> = {}) => createOpenAiProvider({ apiKey: KEY, baseUrl: fake.url, model: 'gpt-5-mini', timeoutMs: 5000, ...options })

  beforeAll(async () => {
    fake = await startFakeOpenAi()
    other = await startFakeOpenAi()
  })
  afterAll(async () => {
    await fake.close()
    await other.close()
  })
  beforeEach(() => {
    fake.reset()
    other.reset()
    forgetOpenAiApiStyles()
  })

  it('asks /v1/responses for strict json_schema output and returns the text, usage and answering model', async () => {
    fake.script('responses', { kind: 'answer', usage: { inputTokens: 1200, outputTokens: 340, cachedTokens: 1024 }, model: 'gpt-5-mini-2026-08-07' })
    const reply = await provider().complete(request())
    expect(strategySchema.parse(JSON.parse(reply.text))).toBeTruthy()
    expect(reply.usage).toEqual({ inputTokens: 1200, outputTokens: 340, cachedTokens: 1024 })
    expect(reply.model).toBe('gpt-5-mini-2026-08-07')
    expect(fake.calls('/v1/responses')).toBe(1)
    const sent = fake.requests[0]!
    expect(sent.body.text.format).toEqual({ type: 'json_schema', name: 'strategy', strict: true, schema: jsonSchema })
    expect(sent.body.model).toBe('gpt-5-mini')
    expect(sent.body.instructions).toBe('You plan short videos for a creator.')
    expect(sent.body.input).toEqual([{ role: 'user', content: request().prompt }])
    expect(sent.body.store).toBe(false)
    expect(sent.headers.authorization).toBe(`Bearer ${KEY}`)
    expect(fake.leaksOf(KEY)).toEqual([])
  })

  it('drops strict mode for a schema with an optional field, which OpenAI\'s strict mode refuses', async () => {
    const { $schema: _drop, ...loose } = z.toJSONSchema(z.object({ hook: z.string(), note: z.string().optional(), shots: z.array(z.object({ at: z.number() })) }), { io: 'output' }) as Record<string, unknown>
    await provider().complete(request({ jsonSchema: loose }))
    expect(fake.requests[0]!.body.text.format.strict).toBe(false)
    expect(fake.requests[0]!.body.text.format.schema).toEqual(loose)
  })

  it('sends the re-ask as the previous reply and the problem', async () => {
    await provider().complete(request({ repair: { reply: '{"hook":1}', problem: 'hook: expected a string' } }))
    const input = fake.requests[0]!.body.input
    expect(input).toHaveLength(3)
    expect(input[1]).toEqual({ role: 'assistant', content: '{"hook":1}' })
    expect(input[2].content).toContain('hook: expected a string')
  })

  it('reaches another OpenAI-compatible server (xAI, Ollama, vLLM, OpenRouter) with its own model through baseUrl', async () => {
    const reply = await createOpenAiProvider({ apiKey: KEY, baseUrl: other.url, model: 'grok-4.3' }).complete(request())
    expect(reply.model).toBe('grok-4.3')
    expect(other.requests.map(sent => sent.body.model)).toEqual(['grok-4.3'])
    expect(fake.requests).toHaveLength(0)
  })

  it('falls back to /chat/completions when /responses answers 404, and remembers that per baseUrl', async () => {
    fake.respondWith('responses', { kind: 'notFound' })
    fake.script('chat', { kind: 'answer', usage: { inputTokens: 900, outputTokens: 120, cachedTokens: 512 }, model: 'llama3.3:70b' })
    const first = await provider({ model: 'llama3.3:70b' }).complete(request())
    expect(strategySchema.parse(JSON.parse(first.text))).toBeTruthy()
    expect(first.usage).toEqual({ inputTokens: 900, outputTokens: 120, cachedTokens: 512 })
    expect(first.model).toBe('llama3.3:70b')
    const chat = fake.requests.find(sent => sent.endpoint === 'chat')!
    expect(chat.body.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'strategy', strict: true, schema: jsonSchema } })
    expect(chat.body.messages.map((message: { role: string }) => message.role)).toEqual(['system', 'user'])
    expect(learntApiStyle(fake.url)).toBe('chat')

    // A new provider for the same server (another workspace, another call) goes straight to chat.
    await provider({ model: 'llama3.3:70b' }).complete(request())
    expect(fake.calls('/v1/responses')).toBe(1)
    expect(fake.calls('/v1/chat/completions')).toBe(2)
    // Another server is not affected.
    await createOpenAiProvider({ apiKey: KEY, baseUrl: other.url, model: 'gpt-5-mini' }).complete(request())
    expect(other.calls('/v1/responses')).toBe(1)
  })

  it('does not fall back when the 404 means the model does not exist', async () => {
    fake.script('responses', { kind: 'modelNotFound' })
    const error = await failure(provider({ model: 'gpt-9-imaginary' }).complete(request()))
    expect(error.kind).toBe('bad_request')
    expect(error.message).toContain('“gpt-9-imaginary”')
    expect(fake.calls('chat')).toBe(0)
  })

  it('honours retry-after (seconds) before retrying a 429', async () => {
    fake.script('responses', { kind: 'rateLimited', retryAfterSeconds: 1 })
    const reply = await provider().complete(request())
    expect(reply.text).toBeTruthy()
    const [first, second] = fake.requests
    expect(fake.calls('/v1/responses')).toBe(2)
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(1000)
  })

  it('prefers retry-after-ms to retry-after', async () => {
    fake.script('responses', { kind: 'rateLimited', retryAfterMs: 1200, retryAfterSeconds: 5 })
    await provider().complete(request())
    const gap = fake.requests[1]!.receivedAt - fake.requests[0]!.receivedAt
    expect(gap).toBeGreaterThanOrEqual(1200)
    expect(gap).toBeLessThan(4000)
  })

  it('retries a 500 a bounded number of times, then says the service is unavailable', async () => {
    fake.respondWith('responses', { kind: 'serverError' })
    const error = await failure(provider({ maxRetries: 2 }).complete(request()))
    expect(error.kind).toBe('unavailable')
    expect(error.statusCode).toBe(503)
    expect(fake.calls('/v1/responses')).toBe(3)
    fake.reset()
    fake.respondWith('responses', { kind: 'serverError' })
    await failure(provider({ maxRetries: 0 }).complete(request()))
    expect(fake.calls('/v1/responses')).toBe(1)
  })

  it('gives up on a lasting 429 with the wait the server asked for', async () => {
    fake.respondWith('responses', { kind: 'rateLimited', retryAfterMs: 20, retryAfterSeconds: 30 })
    const error = await failure(provider({ maxRetries: 1 }).complete(request()))
    expect(error.kind).toBe('rate_limited')
    expect(error.statusCode).toBe(429)
    expect(error.retryAfterSeconds).toBe(1)
    expect(error.message).toMatch(/try again in 1 s/)
    expect(fake.calls('/v1/responses')).toBe(2)
  })

  it('names a refused key plainly, without the key', async () => {
    fake.expectedKey = 'sk-the-right-one'
    const error = await failure(provider({ label: 'OpenAI' }).complete(request()))
    expect(error.kind).toBe('auth')
    expect(error.message).toBe('The OpenAI key was refused; check it in Settings → AI.')
    // Not 401: the app reads that as "signed out".
    expect(error.statusCode).not.toBe(401)
    expect(fake.calls('/v1/responses')).toBe(1)
  })

  it('turns a body that is not JSON into a malformed error', async () => {
    fake.script('responses', { kind: 'malformedBody' })
    const error = await failure(provider().complete(request()))
    expect(error.kind).toBe('malformed')
  })

  it('passes output that fails the schema (or is not JSON) to generate(), which validates and re-asks', async () => {
    fake.script('responses', { kind: 'schemaInvalid' }, { kind: 'malformedOutput' })
    const invalid = await provider().complete(request())
    expect(strategySchema.safeParse(JSON.parse(invalid.text)).success).toBe(false)
    const broken = await provider().complete(request())
    expect(() => JSON.parse(broken.text)).toThrow()
  })

  it.each([
    ['responses', { kind: 'refusal' }, 'blocked', 'OpenAI refused this request as unsafe content; change the brief and try again.'],
    ['responses', { kind: 'contentFilter' }, 'blocked', 'OpenAI refused this request as unsafe content; change the brief and try again.'],
    ['responses', { kind: 'truncated' }, 'truncated', 'OpenAI stopped before the answer was complete (it hit its output limit); ask for less at once, for example fewer scripts, and try again.'],
    ['chat', { kind: 'refusal' }, 'blocked', 'OpenAI refused this request as unsafe content; change the brief and try again.'],
    ['chat', { kind: 'contentFilter' }, 'blocked', 'OpenAI refused this request as unsafe content; change the brief and try again.'],
    ['chat', { kind: 'truncated' }, 'truncated', 'OpenAI stopped before the answer was complete (it hit its output limit); ask for less at once, for example fewer scripts, and try again.'],
  ] as const)('%s: %o becomes %s with a plain message', async (endpoint, reply, kind, message) => {
    if (endpoint === 'chat') fake.respondWith('responses', { kind: 'notFound' })
    fake.script(endpoint, reply)
    const error = await failure(provider({ label: 'OpenAI' }).complete(request()))
    expect(error.kind).toBe(kind)
    expect(error.message).toBe(message)
    expect(fake.calls(endpoint)).toBe(1)
  })

  it('times out each attempt, retries, then says so', async () => {
    fake.respondWith('responses', { kind: 'hang' })
    const started = Date.now()
    const error = await failure(provider({ timeoutMs: 300, maxRetries: 1 }).complete(request()))
    expect(error.kind).toBe('timeout')
    expect(error.message).toMatch(/did not answer within/)
    expect(Date.now() - started).toBeGreaterThanOrEqual(600)
    expect(fake.calls('/v1/responses')).toBe(2)
  })

  it('bounds a body that stalls after its headers (the SDK\'s own time-out ends at the headers)', async () => {
    fake.respondWith('responses', { kind: 'stallBody' })
    const started = Date.now()
    const error = await failure(provider({ timeoutMs: 400, maxRetries: 1 }).complete(request()))
    expect(error.kind).toBe('timeout')
    // The SDK may retry a body it could not read (within maxRetries), never more.
    expect(fake.calls('/v1/responses')).toBeLessThanOrEqual(2)
    expect(Date.now() - started).toBeLessThan(4000)
  })

  it('waits for a slow answer within the time-out', async () => {
    fake.script('responses', { kind: 'delay', ms: 300 })
    const reply = await provider({ timeoutMs: 3000 }).complete(request())
    expect(reply.text).toBeTruthy()
    expect(fake.calls('/v1/responses')).toBe(1)
  })

  it('stops at once when canceled, mid-request or while waiting to retry', async () => {
    fake.respondWith('responses', { kind: 'hang' })
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 100)
    let started = Date.now()
    const error = await failure(provider({ timeoutMs: 10_000 }).complete(request({ signal: controller.signal })))
    expect(error.kind).toBe('canceled')
    expect(Date.now() - started).toBeLessThan(2000)
    expect(fake.calls('/v1/responses')).toBe(1)

    fake.reset()
    fake.respondWith('responses', { kind: 'rateLimited', retryAfterSeconds: 20 })
    const waiting = new AbortController()
    setTimeout(() => waiting.abort(), 200)
    started = Date.now()
    expect((await failure(provider().complete(request({ signal: waiting.signal })))).kind).toBe('canceled')
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it('transcribes with whisper-1, verbose_json and word timings', async () => {
    fake.transcript = { text: 'Salt the water first.', language: 'english', words: [{ word: 'Salt', start: 0.12, end: 0.48 }, { word: 'the', start: 0.5, end: 0.61 }, { word: 'water', start: 0.63, end: 1.02 }, { word: 'first.', start: 1.05, end: 1.5 }] }
    const audio = Buffer.from('RIFF....WAVEfmt fake audio bytes')
    const transcript = await transcribeWithOpenAi({ apiKey: KEY, baseUrl: fake.url, audio, filename: 'voice.wav' })
    expect(transcript).toMatchObject({ text: 'Salt the water first.', language: 'english', model: 'whisper-1' })
    expect(transcript.words).toEqual([{ word: 'Salt', start: 0.12, end: 0.48 }, { word: 'the', start: 0.5, end: 0.61 }, { word: 'water', start: 0.63, end: 1.02 }, { word: 'first.', start: 1.05, end: 1.5 }])
    expect(transcript.duration).toBeCloseTo(1.9)
    expect(transcript.usage.audioSeconds).toBe(2)
    const sent = fake.requests[0]!
    expect(sent.path).toBe('/v1/audio/transcriptions')
    expect(sent.headers['content-type']).toMatch(/^multipart\/form-data/)
    expect(sent.body).toMatchObject({ 'model': 'whisper-1', 'response_format': 'verbose_json', 'timestamp_granularities[]': 'word', 'file': { name: 'voice.wav', size: audio.length } })
    expect(fake.leaksOf(KEY)).toEqual([])
  })

  it('refuses audio over OpenAI\'s 25 MB limit before sending it', async () => {
    const error = await failure(transcribeWithOpenAi({ apiKey: KEY, baseUrl: fake.url, audio: Buffer.alloc(26 * 1024 * 1024), filename: 'long.wav', label: 'OpenAI' }))
    expect(error.kind).toBe('bad_request')
    expect(error.message).toBe('The audio is 26 MB; OpenAI accepts at most 25 MB at once. Transcribe a shorter part.')
    expect(fake.requests).toHaveLength(0)
  })

  it('refuses a transcript without word timings, and maps transcription failures too', async () => {
    fake.script('transcriptions', { kind: 'raw', status: 200, body: { text: 'no words here', language: 'english', duration: 2 } })
    const error = await failure(transcribeWithOpenAi({ apiKey: KEY, baseUrl: fake.url, audio: Buffer.from('x'), filename: 'a.wav' }))
    expect(error.kind).toBe('malformed')
    expect(error.message).toMatch(/whisper-1/)
    fake.respondWith('transcriptions', { kind: 'serverError' })
    const unavailable = await failure(transcribeWithOpenAi({ apiKey: KEY, baseUrl: fake.url, audio: Buffer.from('x'), filename: 'a.wav', maxRetries: 1 }))
    expect(unavailable.kind).toBe('unavailable')
    expect(fake.calls('/v1/audio/transcriptions')).toBe(3)
  })
})

describe('gemini provider', () => {
  let fake: FakeGemini
  const model = 'gemini-3.8-flash'
  const provider = (options: Partial<GeminiProviderOptions> = {}) => createGeminiProvider({ apiKey: KEY, baseUrl: fake.url, model, timeoutMs: 5000, filePollIntervalMs: 20, ...options })
  const generatePath = `/v1/models/${model}:generateContent`

  beforeAll(async () => {
    fake = await startFakeGemini()
  })
  afterAll(() => fake.close())
  beforeEach(() => fake.reset())

  it('asks generateContent for JSON with the schema and returns the text, usage and model version', async () => {
    fake.script('generateContent', { kind: 'answer', usage: { promptTokens: 2000, outputTokens: 300, cachedTokens: 1500, thoughtsTokens: 50 }, modelVersion: 'gemini-3.8-flash-001' })
    const reply = await provider().complete(request())
    expect(strategySchema.parse(JSON.parse(reply.text))).toBeTruthy()
    expect(reply.usage).toEqual({ inputTokens: 2000, outputTokens: 350, cachedTokens: 1500 })
    expect(reply.model).toBe('gemini-3.8-flash-001')
    expect(fake.calls(generatePath)).toBe(1)
    const sent = fake.requests[0]!
    expect(sent.headers['x-goog-api-key']).toBe(KEY)
    expect(sent.body.generationConfig.responseMimeType).toBe('application/json')
    expect(sent.body.generationConfig.responseJsonSchema).toEqual(jsonSchema)
    expect(sent.body.generationConfig.responseJsonSchema.$schema).toBeUndefined()
    expect(sent.body.systemInstruction.parts[0].text).toBe('You plan short videos for a creator.')
    expect(sent.body.contents).toEqual([{ role: 'user', parts: [{ text: request().prompt }] }])
    expect(fake.leaksOf(KEY)).toEqual([])
  })

  it('uploads media through the resumable Files API, waits for ACTIVE, then generates with the file, once per file', async () => {
    const video = Buffer.alloc(300_000, 7)
    const read: string[] = []
    fake.processingPolls = 2
    const gemini = provider({ readMedia: async (key) => {
      read.push(key)
      return video
    } })
    const media = { storageKey: 'ws/w1/videos/v1/source.mp4', mimeType: 'video/mp4' }
    const reply = await gemini.complete(request({ media }))
    expect(strategySchema.parse(JSON.parse(reply.text))).toBeTruthy()
    expect(read).toEqual([media.storageKey])

    const uploads = fake.requests.filter(sent => sent.endpoint === 'upload')
    expect(uploads.map(sent => sent.headers['x-goog-upload-command'])).toEqual(['start', 'upload, finalize'])
    expect(uploads[0]!.path).toBe('/upload/v1/files')
    expect(uploads[0]!.headers['x-goog-upload-protocol']).toBe('resumable')
    const [file] = fake.files.values()
    expect(file!.bytes.equals(video)).toBe(true)
    expect(file!.mimeType).toBe('video/mp4')
    // PROCESSING twice, then ACTIVE.
    expect(fake.calls('files.get')).toBe(3)
    const generate = fake.requests.find(sent => sent.endpoint === 'generateContent')!
    expect(generate.body.contents[0].parts[0].fileData).toEqual({ fileUri: expect.stringContaining(file!.name.slice(6)), mimeType: 'video/mp4' })
    expect(generate.body.contents[0].parts[1].text).toBe(request().prompt)

    // The re-ask reuses the uploaded file.
    await gemini.complete(request({ media, repair: { reply: '{}', problem: 'hook: required' } }))
    expect(fake.calls('upload')).toBe(2)
    expect(fake.calls('generateContent')).toBe(2)
    const repair = fake.requests.filter(sent => sent.endpoint === 'generateContent')[1]!
    expect(repair.body.contents.map((content: { role: string }) => content.role)).toEqual(['user', 'model', 'user'])
    expect(fake.leaksOf(KEY)).toEqual([])
  })

  it('speaks v1beta when asked', async () => {
    await provider({ apiVersion: 'v1beta', readMedia: async () => Buffer.from('video') }).complete(request({ media: { storageKey: 'k', mimeType: 'video/mp4' } }))
    expect(fake.calls('/upload/v1beta/files')).toBe(2)
    expect(fake.calls(`/v1beta/models/${model}:generateContent`)).toBe(1)
  })

  it('uploads again, once, when Gemini no longer has a reused file', async () => {
    const gemini = provider({ readMedia: async () => Buffer.from('video bytes') })
    const media = { storageKey: 'ws/w1/videos/v2/source.mp4', mimeType: 'video/mp4' }
    await gemini.complete(request({ media }))
    fake.files.clear()
    const reply = await gemini.complete(request({ media }))
    expect(reply.text).toBeTruthy()
    expect(fake.calls('upload')).toBe(4)
    expect(fake.calls('generateContent')).toBe(3)
  })

  it('lets a failure to read our own storage through unchanged', async () => {
    class MediaNotFoundError extends Error {}
    const missing = new MediaNotFoundError('No media stored under k')
    const error = await provider({ readMedia: async () => {
      throw missing
    } }).complete(request({ media: { storageKey: 'k', mimeType: 'video/mp4' } })).catch((caught: unknown) => caught)
    expect(error).toBe(missing)
    expect(fake.requests).toHaveLength(0)
  })

  it('uploads from a path and releases it (the S3 download case)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gemini-media-'))
    const path = join(dir, 'source.mp4')
    await writeFile(path, Buffer.alloc(1000, 3))
    let released = 0
    try {
      await provider({ readMedia: async () => ({ path, release: async () => {
        released += 1
      } }) }).complete(request({ media: { storageKey: 'k', mimeType: 'video/mp4' } }))
      expect(released).toBe(1)
      expect([...fake.files.values()][0]!.bytes.length).toBe(1000)
    }
    finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('says so plainly when Gemini fails to process the video, or takes too long', async () => {
    fake.fileOutcome = 'FAILED'
    const failed = await failure(provider({ readMedia: async () => Buffer.from('not really a video') }).complete(request({ media: { storageKey: 'k', mimeType: 'video/mp4' } })))
    expect(failed.kind).toBe('bad_request')
    expect(failed.message).toBe('Gemini could not process this video; check that it plays, or choose another provider in Settings → AI.')
    expect(fake.calls('generateContent')).toBe(0)

    fake.reset()
    fake.processingPolls = 1000
    const slow = await failure(provider({ readMedia: async () => Buffer.from('v'), fileProcessingTimeoutMs: 200 }).complete(request({ media: { storageKey: 'k', mimeType: 'video/mp4' } })))
    expect(slow.kind).toBe('timeout')
    expect(fake.calls('generateContent')).toBe(0)
  })

  it('honours RetryInfo.retryDelay in a 429 body, and a retry-after header', async () => {
    fake.script('generateContent', { kind: 'rateLimited', retryDelaySeconds: 1 })
    await provider().complete(request())
    expect(fake.calls(generatePath)).toBe(2)
    expect(fake.requests[1]!.receivedAt - fake.requests[0]!.receivedAt).toBeGreaterThanOrEqual(1000)

    fake.reset()
    fake.script('generateContent', { kind: 'rateLimited', retryAfterSeconds: 1 })
    await provider().complete(request())
    expect(fake.requests[1]!.receivedAt - fake.requests[0]!.receivedAt).toBeGreaterThanOrEqual(1000)
  })

  it('retries 500 and 503 a bounded number of times (the SDK alone would not retry at all)', async () => {
    fake.script('generateContent', { kind: 'serverError', status: 503 })
    expect((await provider().complete(request())).text).toBeTruthy()
    expect(fake.calls(generatePath)).toBe(2)

    fake.reset()
    fake.respondWith('generateContent', { kind: 'serverError' })
    const error = await failure(provider({ retries: 2 }).complete(request()))
    expect(error.kind).toBe('unavailable')
    expect(fake.calls(generatePath)).toBe(3)
  })

  it('reports a 429 that asks for a longer wait than we hold at once, with the wait', async () => {
    fake.respondWith('generateContent', { kind: 'rateLimited', retryDelaySeconds: 37 })
    const started = Date.now()
    const error = await failure(provider({ maxRetryWaitMs: 10_000 }).complete(request()))
    expect(error.kind).toBe('rate_limited')
    expect(error.retryAfterSeconds).toBe(37)
    expect(error.message).toBe('Gemini is limiting how often this key may ask; try again in 37 s.')
    expect(fake.calls(generatePath)).toBe(1)
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it.each([
    [{ kind: 'blocked' }, 'blocked', 'Gemini refused this request as unsafe content; change the brief and try again.'],
    [{ kind: 'safety' }, 'blocked', 'Gemini stopped its answer as unsafe content; change the brief and try again.'],
    [{ kind: 'finishReason', reason: 'RECITATION' }, 'blocked', 'Gemini stopped because its answer repeated published text too closely; rephrase the brief and try again.'],
    [{ kind: 'truncated' }, 'truncated', 'Gemini stopped before the answer was complete (it hit its output limit); ask for less at once, for example fewer scripts, and try again.'],
    [{ kind: 'finishReason', reason: 'OTHER' }, 'malformed', 'Gemini stopped without a usable answer (OTHER); try again.'],
    [{ kind: 'malformedBody' }, 'malformed', 'Gemini sent a reply that is not valid JSON; try again.'],
    [{ kind: 'invalidKey' }, 'auth', 'The Gemini key was refused; check it in Settings → AI.'],
    [{ kind: 'badRequest' }, 'bad_request', 'Gemini refused the request (HTTP 400, INVALID_ARGUMENT); check the model in Settings → AI.'],
  ] as const)('%o becomes %s with a plain message', async (reply, kind, message) => {
    fake.script('generateContent', reply)
    const error = await failure(provider().complete(request()))
    expect(error.kind).toBe(kind)
    expect(error.message).toBe(message)
    expect(fake.calls(generatePath)).toBe(1)
  })

  it('passes output that fails the schema to generate(), which validates and re-asks', async () => {
    fake.script('generateContent', { kind: 'schemaInvalid' })
    const reply = await provider().complete(request())
    expect(strategySchema.safeParse(JSON.parse(reply.text)).success).toBe(false)
  })

  it('refuses a wrong key without retrying, and never sends the key but in x-goog-api-key', async () => {
    fake.expectedKey = 'the-right-key'
    const error = await failure(provider().complete(request()))
    expect(error.kind).toBe('auth')
    expect(fake.calls(generatePath)).toBe(1)
    expect(fake.requests[0]!.url).not.toContain('key=')
    expect(fake.leaksOf(KEY)).toEqual([])
  })

  it('times out each attempt, retries, then says so', async () => {
    fake.respondWith('generateContent', { kind: 'hang' })
    let started = Date.now()
    const error = await failure(provider({ timeoutMs: 300, retries: 1 }).complete(request()))
    expect(error.kind).toBe('timeout')
    expect(error.message).toBe('Gemini did not answer within 1 s, even after retrying; try again later.')
    expect(Date.now() - started).toBeGreaterThanOrEqual(600)
    expect(fake.calls(generatePath)).toBe(2)

    fake.reset()
    fake.respondWith('generateContent', { kind: 'hang' })
    const once = await failure(provider({ timeoutMs: 200, retries: 0 }).complete(request()))
    expect(once.message).toBe('Gemini did not answer within 1 s; try again later.')
    expect(fake.calls(generatePath)).toBe(1)

    fake.reset()
    fake.script('generateContent', { kind: 'stallBody' })
    started = Date.now()
    expect((await failure(provider({ timeoutMs: 400 }).complete(request()))).kind).toBe('timeout')
    expect(Date.now() - started).toBeLessThan(3000)

    fake.reset()
    fake.script('generateContent', { kind: 'delay', ms: 200 })
    expect((await provider({ timeoutMs: 3000 }).complete(request())).text).toBeTruthy()
  })

  it('stops at once when canceled: mid-request, while waiting to retry, and while the upload is processed', async () => {
    fake.respondWith('generateContent', { kind: 'hang' })
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 100)
    let started = Date.now()
    expect((await failure(provider({ timeoutMs: 10_000 }).complete(request({ signal: controller.signal })))).kind).toBe('canceled')
    expect(Date.now() - started).toBeLessThan(2000)
    expect(fake.calls(generatePath)).toBe(1)

    fake.reset()
    fake.respondWith('generateContent', { kind: 'rateLimited', retryDelaySeconds: 20 })
    const waiting = new AbortController()
    setTimeout(() => waiting.abort(), 200)
    started = Date.now()
    expect((await failure(provider().complete(request({ signal: waiting.signal })))).kind).toBe('canceled')
    expect(Date.now() - started).toBeLessThan(2000)

    fake.reset()
    fake.processingPolls = 1000
    const polling = new AbortController()
    setTimeout(() => polling.abort(), 200)
    started = Date.now()
    expect((await failure(provider({ readMedia: async () => Buffer.from('v') }).complete(request({ media: { storageKey: 'k', mimeType: 'video/mp4' }, signal: polling.signal })))).kind).toBe('canceled')
    expect(Date.now() - started).toBeLessThan(2000)
    expect(fake.calls('generateContent')).toBe(0)
  })

  it('transcribes with word timings from a JSON answer', async () => {
    fake.script('generateContent', { kind: 'answer', output: { language: 'English', duration: 1.6, text: 'Salt the water first.', words: [{ word: 'water', start: 0.6, end: 1 }, { word: 'Salt', start: 0.1, end: 0.5 }, { word: 'the', start: 0.5, end: 0.6 }, { word: 'first.', start: 1, end: 1.4 }] }, usage: { promptTokens: 80, outputTokens: 60 } })
    const audio = Buffer.from('fake wav bytes')
    const transcript = await transcribeWithGemini({ apiKey: KEY, baseUrl: fake.url, model, audio, mimeType: 'audio/wav' })
    expect(transcript.text).toBe('Salt the water first.')
    expect(transcript.language).toBe('English')
    expect(transcript.duration).toBe(1.6)
    expect(transcript.words.map(word => word.word)).toEqual(['Salt', 'the', 'water', 'first.'])
    expect(transcript.words[0]).toEqual({ word: 'Salt', start: 0.1, end: 0.5 })
    expect(transcript.usage).toEqual({ inputTokens: 80, outputTokens: 60, cachedTokens: 0, audioSeconds: 1.6 })
    // The request this test made: a status poll the test before canceled can still land after the reset on a busy machine.
    const sent = fake.requests.find(request => request.endpoint === 'generateContent')!
    expect(sent.body.contents[0].parts[0].inlineData).toEqual({ data: audio.toString('base64'), mimeType: 'audio/wav' })
    expect(sent.body.generationConfig.responseJsonSchema.properties.words.items.required).toEqual(['word', 'start', 'end'])

    fake.script('generateContent', { kind: 'schemaInvalid' })
    expect((await failure(transcribeWithGemini({ apiKey: KEY, baseUrl: fake.url, model, audio, mimeType: 'audio/wav' }))).kind).toBe('malformed')
  })
})
