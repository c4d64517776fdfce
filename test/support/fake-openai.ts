// A loopback stand-in for the OpenAI API (and the OpenAI-compatible servers: xAI, Ollama, vLLM, OpenRouter), speaking
// the wire formats the `openai` SDK (7.x) sends and reads:
//   POST /v1/responses             text.format json_schema → output[].content[] output_text | refusal, usage
//   POST /v1/chat/completions      response_format json_schema → choices[0].message.content | refusal, finish_reason, usage
//   POST /v1/audio/transcriptions  multipart; verbose_json with words [{word,start,end}] and segments, or json {text}
// By default it answers a valid reply built from the request's JSON schema. Tests script it per endpoint: a queue of
// one-shot replies (`script`), a standing reply or handler (`respondWith`), with ready-made failures: 429 with
// retry-after / retry-after-ms, 500, 404 (an Ollama without /responses), 401, a body that is not JSON, output that is
// not JSON or fails the schema, a refusal, a content filter, a length cut, a hang and a delay.
// It counts calls per path and records every request, so a test can assert what was sent and where the key went.
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { sampleFromSchema, schemaInvalidSample } from './fake-ai-schema'

export type FakeOpenAiEndpoint = 'responses' | 'chat' | 'transcriptions'

export interface FakeUsage { inputTokens?: number, outputTokens?: number, cachedTokens?: number }

export type FakeOpenAiReply
  /** A valid answer: `output` (JSON-encoded) or `text` verbatim; otherwise a sample of the request's schema. */
  = | { kind: 'answer', output?: unknown, text?: string, usage?: FakeUsage, model?: string }
    | { kind: 'rateLimited', retryAfterSeconds?: number, retryAfterMs?: number }
    | { kind: 'serverError', status?: number }
  /** What Ollama and older OpenAI-compatible servers answer for a path they lack. */
    | { kind: 'notFound' }
    | { kind: 'modelNotFound' }
    | { kind: 'unauthorized' }
    | { kind: 'badRequest', message?: string }
  /** HTTP 200 whose body is not JSON (a proxy's error page, a cut connection). */
    | { kind: 'malformedBody' }
  /** A well-formed reply whose model text is not JSON. */
    | { kind: 'malformedOutput' }
  /** A well-formed reply whose model text is JSON that fails the requested schema. */
    | { kind: 'schemaInvalid' }
  /** The model refused (responses: a `refusal` content part; chat: message.refusal). */
    | { kind: 'refusal', message?: string }
  /** A content filter cut the answer (chat: finish_reason content_filter; responses: incomplete, reason content_filter). */
    | { kind: 'contentFilter' }
  /** The answer hit the output limit (chat: finish_reason length; responses: incomplete, reason max_output_tokens). */
    | { kind: 'truncated' }
  /** Never answers; the client has to give up. */
    | { kind: 'hang' }
    /** Sends the status, the headers and half a body, then nothing more. */
    | { kind: 'stallBody' }
    | { kind: 'delay', ms: number, then?: FakeOpenAiReply }
    | { kind: 'raw', status: number, body: unknown, headers?: Record<string, string> }

export interface FakeOpenAiRequest {
  endpoint: FakeOpenAiEndpoint | 'other'
  method: string
  path: string
  url: string
  headers: IncomingHttpHeaders
  /** Parsed JSON, or for multipart the text fields plus `file: { name, type, size }`. */
  body: any
  rawBody: string
  receivedAt: number
}

export type FakeOpenAiHandler = (request: FakeOpenAiRequest) => FakeOpenAiReply | undefined

export interface FakeTranscript { text: string, language: string, words: Array<{ word: string, start: number, end: number }> }

export interface FakeOpenAi {
  /** The base URL to give the SDK (`…/v1`). */
  url: string
  requests: FakeOpenAiRequest[]
  /** Calls to a path ('/v1/responses') or an endpoint ('responses'). */
  calls: (pathOrEndpoint: string) => number
  /** One-shot replies, answered in order before the standing reply. */
  script: (endpoint: FakeOpenAiEndpoint, ...replies: FakeOpenAiReply[]) => void
  /** A standing reply or handler for an endpoint (undefined restores the default answer). */
  respondWith: (endpoint: FakeOpenAiEndpoint, reply: FakeOpenAiReply | FakeOpenAiHandler | undefined) => void
  /** What the transcription endpoint hears. */
  transcript: FakeTranscript
  /** Cached input tokens reported by default answers. */
  cachedTokens: number
  /** When set, requests without `Authorization: Bearer <expectedKey>` are refused (401 invalid_api_key). */
  expectedKey: string | undefined
  /** Requests in which `secret` appears anywhere but the Authorization header. */
  leaksOf: (secret: string) => FakeOpenAiRequest[]
  /** Forgets requests, counts, scripts and standing replies. */
  reset: () => void
  close: () => Promise<void>
}

const DEFAULT_TRANSCRIPT: FakeTranscript = {
  text: 'Three ways to open a video that people finish.',
  language: 'english',
  words: ['Three', 'ways', 'to', 'open', 'a', 'video', 'that', 'people', 'finish.'].map((word, index) => ({ word: word.replace(/\W$/, ''), start: Number((0.32 + index * 0.41).toFixed(2)), end: Number((0.32 + index * 0.41 + 0.34).toFixed(2)) })),
}

function endpointOf(path: string): FakeOpenAiEndpoint | 'other' {
  if (path.endsWith('/responses')) return 'responses'
  if (path.endsWith('/chat/completions')) return 'chat'
  if (path.endsWith('/audio/transcriptions')) return 'transcriptions'
  return 'other'
}

const tokensOf = (text: string) => Math.max(1, Math.ceil(text.length / 4))

export async function startFakeOpenAi(): Promise<FakeOpenAi> {
  const counts = new Map<string, number>()
  const queues = new Map<FakeOpenAiEndpoint, FakeOpenAiReply[]>()
  const standing = new Map<FakeOpenAiEndpoint, FakeOpenAiReply | FakeOpenAiHandler>()
  const hanging = new Set<ServerResponse>()

  const fake: FakeOpenAi = {
    url: '',
    requests: [],
    calls: key => key.startsWith('/')
      ? counts.get(key) ?? 0
      : fake.requests.filter(request => request.endpoint === key).length,
    script: (endpoint, ...replies) => queues.set(endpoint, [...queues.get(endpoint) ?? [], ...replies]),
    respondWith: (endpoint, reply) => reply ? standing.set(endpoint, reply) : standing.delete(endpoint),
    transcript: structuredClone(DEFAULT_TRANSCRIPT),
    cachedTokens: 0,
    expectedKey: undefined,
    leaksOf: secret => fake.requests.filter(request => request.rawBody.includes(secret) || request.url.includes(secret)
      || Object.entries(request.headers).some(([name, value]) => name !== 'authorization' && String(value).includes(secret))),
    reset() {
      fake.requests.length = 0
      counts.clear()
      queues.clear()
      standing.clear()
      fake.transcript = structuredClone(DEFAULT_TRANSCRIPT)
      fake.cachedTokens = 0
      fake.expectedKey = undefined
    },
    close: () => new Promise((resolve) => {
      for (const response of hanging) response.destroy()
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }

  function chooseReply(request: FakeOpenAiRequest): FakeOpenAiReply {
    if (request.endpoint === 'other') return { kind: 'notFound' }
    const queued = queues.get(request.endpoint)?.shift()
    if (queued) return queued
    const reply = standing.get(request.endpoint)
    const chosen = typeof reply === 'function' ? reply(request) : reply
    return chosen ?? { kind: 'answer' }
  }

  function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    response.writeHead(status, { 'content-type': 'application/json', 'x-request-id': `req_${randomBytes(6).toString('hex')}`, ...headers })
    response.end(JSON.stringify(body))
  }

  const apiError = (message: string, type: string, code: string | null) => ({ error: { message, type, param: null, code } })

  function modelText(request: FakeOpenAiRequest, reply: FakeOpenAiReply): string {
    const schema = request.endpoint === 'responses'
      ? request.body?.text?.format?.schema
      : request.body?.response_format?.json_schema?.schema
    if (reply.kind === 'answer') {
      if (reply.text !== undefined) return reply.text
      if (reply.output !== undefined) return JSON.stringify(reply.output)
      return JSON.stringify(schema ? sampleFromSchema(schema) : { answer: 'Sample answer' })
    }
    if (reply.kind === 'schemaInvalid') return JSON.stringify(schema ? schemaInvalidSample(schema) : 'not the requested shape')
    if (reply.kind === 'malformedOutput') return '{"hook": "Three ways to open a video, "pillars": [unterminated'
    if (reply.kind === 'truncated') return JSON.stringify(schema ? sampleFromSchema(schema) : { answer: 'Sample answer' }).slice(0, 12)
    return ''
  }

  function usageOf(request: FakeOpenAiRequest, text: string, reply: FakeOpenAiReply) {
    const usage = reply.kind === 'answer' ? reply.usage ?? {} : {}
    const inputTokens = usage.inputTokens ?? tokensOf(request.rawBody)
    const outputTokens = usage.outputTokens ?? tokensOf(text)
    const cachedTokens = usage.cachedTokens ?? Math.min(fake.cachedTokens, inputTokens)
    return { inputTokens, outputTokens, cachedTokens }
  }

  function answerResponses(request: FakeOpenAiRequest, response: ServerResponse, reply: FakeOpenAiReply) {
    const text = modelText(request, reply)
    const usage = usageOf(request, text, reply)
    const model = (reply.kind === 'answer' && reply.model) || request.body?.model || 'gpt-fake'
    const id = `resp_${randomBytes(8).toString('hex')}`
    const message = (content: unknown[], status = 'completed') => ({ id: `msg_${randomBytes(8).toString('hex')}`, type: 'message', status, role: 'assistant', content })
    let status = 'completed'
    let incompleteDetails: unknown = null
    let output: unknown[] = [message([{ type: 'output_text', text, annotations: [], logprobs: [] }])]
    if (reply.kind === 'refusal') output = [message([{ type: 'refusal', refusal: reply.message ?? 'I’m sorry, I can’t help with that request.' }])]
    if (reply.kind === 'contentFilter') {
      status = 'incomplete'
      incompleteDetails = { reason: 'content_filter' }
      output = [message([{ type: 'output_text', text: '', annotations: [], logprobs: [] }], 'incomplete')]
    }
    if (reply.kind === 'truncated') {
      status = 'incomplete'
      incompleteDetails = { reason: 'max_output_tokens' }
      output = [message([{ type: 'output_text', text, annotations: [], logprobs: [] }], 'incomplete')]
    }
    sendJson(response, 200, {
      id, object: 'response', created_at: Math.floor(Date.now() / 1000), status, error: null, incomplete_details: incompleteDetails,
      instructions: request.body?.instructions ?? null, model, output, parallel_tool_calls: true, temperature: 1, tool_choice: 'auto', tools: [],
      top_p: 1, max_output_tokens: request.body?.max_output_tokens ?? null, text: request.body?.text ?? { format: { type: 'text' } },
      usage: {
        input_tokens: usage.inputTokens, input_tokens_details: { cached_tokens: usage.cachedTokens },
        output_tokens: usage.outputTokens, output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: usage.inputTokens + usage.outputTokens,
      },
    })
  }

  function answerChat(request: FakeOpenAiRequest, response: ServerResponse, reply: FakeOpenAiReply) {
    const text = modelText(request, reply)
    const usage = usageOf(request, text, reply)
    const model = (reply.kind === 'answer' && reply.model) || request.body?.model || 'gpt-fake'
    let finishReason = 'stop'
    let content: string | null = text
    let refusal: string | null = null
    if (reply.kind === 'refusal') {
      content = null
      refusal = reply.message ?? 'I’m sorry, I can’t help with that request.'
    }
    if (reply.kind === 'contentFilter') {
      finishReason = 'content_filter'
      content = null
    }
    if (reply.kind === 'truncated') finishReason = 'length'
    sendJson(response, 200, {
      id: `chatcmpl-${randomBytes(8).toString('hex')}`, object: 'chat.completion', created: Math.floor(Date.now() / 1000), model,
      choices: [{ index: 0, message: { role: 'assistant', content, refusal, annotations: [] }, logprobs: null, finish_reason: finishReason }],
      usage: {
        prompt_tokens: usage.inputTokens, completion_tokens: usage.outputTokens, total_tokens: usage.inputTokens + usage.outputTokens,
        prompt_tokens_details: { cached_tokens: usage.cachedTokens, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
      },
      system_fingerprint: 'fp_fake',
    })
  }

  function answerTranscription(request: FakeOpenAiRequest, response: ServerResponse, reply: FakeOpenAiReply) {
    const transcript = fake.transcript
    if (reply.kind === 'malformedOutput' || reply.kind === 'schemaInvalid') return sendJson(response, 200, { text: 42, words: 'none' })
    const format = request.body?.response_format ?? 'json'
    const duration = transcript.words.length ? Number((transcript.words.at(-1)!.end + 0.4).toFixed(2)) : 1
    if (format === 'text') {
      response.writeHead(200, { 'content-type': 'text/plain' })
      return response.end(transcript.text)
    }
    if (format !== 'verbose_json') return sendJson(response, 200, { text: transcript.text, usage: { type: 'duration', seconds: Math.ceil(duration) } })
    const granularities: string[] = [request.body?.['timestamp_granularities[]'] ?? []].flat()
    sendJson(response, 200, {
      task: 'transcribe', language: transcript.language, duration, text: transcript.text,
      ...(granularities.includes('word') ? { words: transcript.words } : {}),
      segments: [{
        id: 0, seek: 0, start: transcript.words[0]?.start ?? 0, end: transcript.words.at(-1)?.end ?? duration, text: ` ${transcript.text}`,
        tokens: [50364, 6244, 2098], temperature: 0, avg_logprob: -0.21, compression_ratio: 1.1, no_speech_prob: 0.01,
      }],
      usage: { type: 'duration', seconds: Math.ceil(duration) },
    })
  }

  function answer(request: FakeOpenAiRequest, response: ServerResponse, reply: FakeOpenAiReply) {
    switch (reply.kind) {
      case 'hang':
        hanging.add(response)
        response.on('close', () => hanging.delete(response))
        return
      case 'stallBody':
        hanging.add(response)
        response.on('close', () => hanging.delete(response))
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' })
        response.write('{"id": "stalled", "output": [')
        return
      case 'delay': {
        hanging.add(response)
        const timer = setTimeout(() => {
          hanging.delete(response)
          if (!response.destroyed) answer(request, response, reply.then ?? { kind: 'answer' })
        }, reply.ms)
        response.on('close', () => clearTimeout(timer))
        return
      }
      case 'rateLimited': {
        const headers: Record<string, string> = {}
        if (reply.retryAfterSeconds !== undefined) headers['retry-after'] = String(reply.retryAfterSeconds)
        if (reply.retryAfterMs !== undefined) headers['retry-after-ms'] = String(reply.retryAfterMs)
        return sendJson(response, 429, apiError('Rate limit reached for requests. Please try again later.', 'requests', 'rate_limit_exceeded'), headers)
      }
      case 'serverError':
        return sendJson(response, reply.status ?? 500, apiError('The server had an error while processing your request. Sorry about that!', 'server_error', null))
      case 'notFound':
        response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
        return response.end('404 page not found')
      case 'modelNotFound':
        return sendJson(response, 404, apiError(`The model \`${request.body?.model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found'))
      case 'unauthorized':
        return sendJson(response, 401, apiError('Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.', 'invalid_request_error', 'invalid_api_key'))
      case 'badRequest':
        return sendJson(response, 400, apiError(reply.message ?? 'Invalid schema for response_format.', 'invalid_request_error', 'invalid_request'))
      case 'malformedBody':
        response.writeHead(200, { 'content-type': 'application/json' })
        return response.end('{"id": "resp_cut", "output": [')
      case 'raw':
        return sendJson(response, reply.status, reply.body, reply.headers)
    }
    if (request.endpoint === 'responses') return answerResponses(request, response, reply)
    if (request.endpoint === 'chat') return answerChat(request, response, reply)
    return answerTranscription(request, response, reply)
  }

  const server = createServer(async (incoming, response) => {
    const chunks: Buffer[] = []
    for await (const chunk of incoming) chunks.push(chunk as Buffer)
    const raw = Buffer.concat(chunks)
    const url = new URL(incoming.url ?? '/', 'http://fake.test')
    const contentType = incoming.headers['content-type'] ?? ''
    let body: any = null
    if (contentType.startsWith('multipart/form-data')) {
      const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData()
      body = {}
      form.forEach((value, name) => {
        const field = typeof value === 'string' ? value : { name: value.name, type: value.type, size: value.size }
        body[name] = name in body ? [body[name], field].flat() : field
      })
    }
    else if (raw.length) {
      try {
        body = JSON.parse(raw.toString())
      }
      catch {
        body = null
      }
    }
    const request: FakeOpenAiRequest = {
      endpoint: endpointOf(url.pathname), method: incoming.method ?? 'GET', path: url.pathname, url: incoming.url ?? '/',
      headers: incoming.headers, body,
      // Multipart audio is binary: keep the text parts readable for leak checks.
      rawBody: contentType.startsWith('multipart/form-data') ? raw.toString('latin1') : raw.toString(),
      receivedAt: Date.now(),
    }
    fake.requests.push(request)
    counts.set(url.pathname, (counts.get(url.pathname) ?? 0) + 1)
    const keyRefused = fake.expectedKey !== undefined && request.headers.authorization !== `Bearer ${fake.expectedKey}`
    answer(request, response, keyRefused ? { kind: 'unauthorized' } : chooseReply(request))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', () => resolve()))
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`
  return fake
}
