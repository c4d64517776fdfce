// A loopback stand-in for the Gemini Developer API, speaking what @google/genai (3.x) sends and reads, under /v1 (the
// SDK's default) and /v1beta alike:
//   POST /upload/{v}/files                resumable upload: `start` → x-goog-upload-url; `upload[, finalize]` chunks at an
//                                          offset → x-goog-upload-status active | final, the last with {file:{…,state:'PROCESSING'}}
//   GET  /{v}/files/{id}                   PROCESSING `processingPolls` times, then ACTIVE (or FAILED with an error)
//   POST /{v}/models/{model}:generateContent  candidates[0].content.parts[0].text, finishReason, usageMetadata
// generateContent answers, by default, a valid sample of generationConfig.responseJsonSchema, and refuses a file that is
// not ACTIVE (400 FAILED_PRECONDITION), as Gemini does. Tests script failures per endpoint: 429 with RetryInfo (and,
// optionally, a retry-after header), 500/503, an invalid key, a body that is not JSON, output that is not JSON or fails the
// schema, a prompt block (promptFeedback.blockReason), a SAFETY finish with no text, MAX_TOKENS, any other finishReason,
// a hang and a delay. It counts calls per path and per endpoint and records every request.
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { sampleFromSchema, schemaInvalidSample } from './fake-ai-schema'

export type FakeGeminiEndpoint = 'upload' | 'files.get' | 'generateContent'

export interface FakeGeminiUsage { promptTokens?: number, outputTokens?: number, cachedTokens?: number, thoughtsTokens?: number }

export type FakeGeminiReply
  = | { kind: 'answer', output?: unknown, text?: string, usage?: FakeGeminiUsage, modelVersion?: string }
  /** 429 RESOURCE_EXHAUSTED with google.rpc.RetryInfo `retryDelay` in the body, and a retry-after header when given. */
    | { kind: 'rateLimited', retryDelaySeconds?: number, retryAfterSeconds?: number }
    | { kind: 'serverError', status?: number }
  /** Gemini answers a bad key with 400 INVALID_ARGUMENT, reason API_KEY_INVALID. */
    | { kind: 'invalidKey' }
    | { kind: 'badRequest', message?: string }
    | { kind: 'malformedBody' }
    | { kind: 'malformedOutput' }
    | { kind: 'schemaInvalid' }
  /** The prompt itself was blocked: no candidates, promptFeedback.blockReason. */
    | { kind: 'blocked', reason?: string }
  /** The answer was stopped for safety: finishReason SAFETY, no content. */
    | { kind: 'safety' }
  /** The answer hit maxOutputTokens: finishReason MAX_TOKENS, the text cut. */
    | { kind: 'truncated' }
    | { kind: 'finishReason', reason: string }
    | { kind: 'hang' }
    /** Sends the status, the headers and half a body, then nothing more. */
    | { kind: 'stallBody' }
    | { kind: 'delay', ms: number, then?: FakeGeminiReply }
    | { kind: 'raw', status: number, body: unknown, headers?: Record<string, string> }

export interface FakeGeminiRequest {
  endpoint: FakeGeminiEndpoint | 'other'
  method: string
  path: string
  url: string
  headers: IncomingHttpHeaders
  body: any
  /** The request body as text (latin1 for uploaded bytes). */
  rawBody: string
  receivedAt: number
}

export interface FakeGeminiFile {
  name: string
  mimeType: string
  bytes: Buffer
  state: 'PROCESSING' | 'ACTIVE' | 'FAILED'
  /** PROCESSING answers still to give. */
  pollsLeft: number
}

export type FakeGeminiHandler = (request: FakeGeminiRequest) => FakeGeminiReply | undefined

export interface FakeGemini {
  /** The `httpOptions.baseUrl` to give the SDK (no version: the SDK adds it). */
  url: string
  requests: FakeGeminiRequest[]
  /** Calls to a path ('/v1/files/abc') or an endpoint ('upload', 'files.get', 'generateContent'). */
  calls: (pathOrEndpoint: string) => number
  script: (endpoint: FakeGeminiEndpoint, ...replies: FakeGeminiReply[]) => void
  respondWith: (endpoint: FakeGeminiEndpoint, reply: FakeGeminiReply | FakeGeminiHandler | undefined) => void
  /** How many times files.get answers PROCESSING for a new upload before it settles. */
  processingPolls: number
  /** What a new upload settles to. */
  fileOutcome: 'ACTIVE' | 'FAILED'
  files: Map<string, FakeGeminiFile>
  /** Cached tokens reported by default answers. */
  cachedTokens: number
  /** When set, requests without this x-goog-api-key are refused (400 API_KEY_INVALID). */
  expectedKey: string | undefined
  leaksOf: (secret: string) => FakeGeminiRequest[]
  reset: () => void
  close: () => Promise<void>
}

const tokensOf = (text: string) => Math.max(1, Math.ceil(text.length / 4))

function endpointOf(method: string, path: string): FakeGeminiEndpoint | 'other' {
  if (method === 'POST' && /^\/upload\/v1(beta)?\/files$/.test(path)) return 'upload'
  if (method === 'GET' && /^\/v1(beta)?\/files\/[^/]+$/.test(path)) return 'files.get'
  if (method === 'POST' && /^\/v1(beta)?\/models\/[^/]+:generateContent$/.test(path)) return 'generateContent'
  return 'other'
}

const googleError = (code: number, status: string, message: string, details: unknown[] = []) => ({ error: { code, message, status, ...(details.length ? { details } : {}) } })

export async function startFakeGemini(): Promise<FakeGemini> {
  const counts = new Map<string, number>()
  const queues = new Map<FakeGeminiEndpoint, FakeGeminiReply[]>()
  const standing = new Map<FakeGeminiEndpoint, FakeGeminiReply | FakeGeminiHandler>()
  const hanging = new Set<ServerResponse>()
  const uploads = new Map<string, { mimeType: string, displayName?: string, chunks: Buffer[], received: number }>()
  let origin = ''

  const fake: FakeGemini = {
    url: '',
    requests: [],
    calls: key => key.startsWith('/') ? counts.get(key) ?? 0 : fake.requests.filter(request => request.endpoint === key).length,
    script: (endpoint, ...replies) => queues.set(endpoint, [...queues.get(endpoint) ?? [], ...replies]),
    respondWith: (endpoint, reply) => reply ? standing.set(endpoint, reply) : standing.delete(endpoint),
    processingPolls: 1,
    fileOutcome: 'ACTIVE',
    files: new Map(),
    cachedTokens: 0,
    expectedKey: undefined,
    leaksOf: secret => fake.requests.filter(request => request.rawBody.includes(secret) || request.url.includes(secret)
      || Object.entries(request.headers).some(([name, value]) => name !== 'x-goog-api-key' && String(value).includes(secret))),
    reset() {
      fake.requests.length = 0
      counts.clear()
      queues.clear()
      standing.clear()
      uploads.clear()
      fake.files.clear()
      fake.processingPolls = 1
      fake.fileOutcome = 'ACTIVE'
      fake.cachedTokens = 0
      fake.expectedKey = undefined
    },
    close: () => new Promise((resolve) => {
      for (const response of hanging) response.destroy()
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }

  function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers })
    response.end(JSON.stringify(body))
  }

  function chooseReply(request: FakeGeminiRequest): FakeGeminiReply | undefined {
    if (request.endpoint === 'other') return undefined
    const queued = queues.get(request.endpoint)?.shift()
    if (queued) return queued
    const reply = standing.get(request.endpoint)
    return typeof reply === 'function' ? reply(request) : reply
  }

  function fileJson(file: FakeGeminiFile, displayName?: string) {
    const id = file.name.slice('files/'.length)
    const now = new Date()
    return {
      name: file.name, ...(displayName ? { displayName } : {}), mimeType: file.mimeType, sizeBytes: String(file.bytes.length),
      createTime: now.toISOString(), updateTime: now.toISOString(), expirationTime: new Date(now.getTime() + 48 * 3600_000).toISOString(),
      sha256Hash: Buffer.from(randomBytes(32)).toString('base64'), uri: `${origin}/v1beta/files/${id}`, state: file.state, source: 'UPLOADED',
      ...(file.state === 'FAILED' ? { error: { code: 3, message: 'The video could not be processed.' } } : {}),
    }
  }

  function handleUpload(request: FakeGeminiRequest, raw: Buffer, response: ServerResponse) {
    const command = String(request.headers['x-goog-upload-command'] ?? '')
    const url = new URL(request.url, origin)
    if (command === 'start') {
      if (request.headers['x-goog-upload-protocol'] !== 'resumable') return sendJson(response, 400, googleError(400, 'INVALID_ARGUMENT', 'Only resumable uploads are accepted here.'))
      const uploadId = randomBytes(12).toString('hex')
      uploads.set(uploadId, { mimeType: String(request.headers['x-goog-upload-header-content-type'] ?? request.body?.file?.mimeType ?? 'application/octet-stream'), displayName: request.body?.file?.displayName, chunks: [], received: 0 })
      // Gemini's real answer names its own host; the SDK rewrites it to baseUrl, which this host proves.
      response.writeHead(200, { 'x-goog-upload-url': `https://upload.gemini.invalid${url.pathname}?upload_id=${uploadId}&upload_protocol=resumable`, 'x-goog-upload-status': 'active', 'x-goog-upload-chunk-granularity': '8388608', 'content-length': '0' })
      return response.end()
    }
    const upload = uploads.get(url.searchParams.get('upload_id') ?? '')
    if (!upload) return sendJson(response, 404, googleError(404, 'NOT_FOUND', 'No upload session with this id.'))
    const offset = Number(request.headers['x-goog-upload-offset'])
    if (offset !== upload.received) return sendJson(response, 400, googleError(400, 'INVALID_ARGUMENT', `Offset ${offset} does not match the ${upload.received} bytes received.`))
    upload.chunks.push(raw)
    upload.received += raw.length
    if (!command.includes('finalize')) {
      response.writeHead(200, { 'x-goog-upload-status': 'active', 'content-length': '0' })
      return response.end()
    }
    uploads.delete(url.searchParams.get('upload_id')!)
    const file: FakeGeminiFile = { name: `files/${randomBytes(6).toString('hex')}`, mimeType: upload.mimeType, bytes: Buffer.concat(upload.chunks), state: 'PROCESSING', pollsLeft: fake.processingPolls }
    if (file.pollsLeft <= 0) file.state = fake.fileOutcome
    fake.files.set(file.name, file)
    sendJson(response, 200, { file: fileJson(file, upload.displayName) }, { 'x-goog-upload-status': 'final' })
  }

  function handleFileGet(request: FakeGeminiRequest, response: ServerResponse) {
    const name = request.path.replace(/^\/v1(beta)?\//, '')
    const file = fake.files.get(name)
    if (!file) return sendJson(response, 403, googleError(403, 'PERMISSION_DENIED', `You do not have permission to access the File ${name.slice(6)} or it may not exist.`))
    if (file.state === 'PROCESSING') {
      if (file.pollsLeft > 0) file.pollsLeft -= 1
      else file.state = fake.fileOutcome
    }
    const answer = fileJson(file)
    // Settle after this answer, so `processingPolls` counts the PROCESSING answers a poller sees.
    if (file.state === 'PROCESSING' && file.pollsLeft === 0) file.state = fake.fileOutcome
    sendJson(response, 200, answer)
  }

  function modelText(schema: any, reply: FakeGeminiReply): string {
    const valid = () => JSON.stringify(schema ? sampleFromSchema(schema) : { answer: 'Sample answer' })
    if (reply.kind === 'answer') return reply.text ?? (reply.output !== undefined ? JSON.stringify(reply.output) : valid())
    if (reply.kind === 'schemaInvalid') return JSON.stringify(schema ? schemaInvalidSample(schema) : 'not the requested shape')
    if (reply.kind === 'malformedOutput') return '{"hook": "Three ways to open a video, "pillars": [unterminated'
    if (reply.kind === 'truncated') return valid().slice(0, 12)
    return valid()
  }

  function handleGenerate(request: FakeGeminiRequest, response: ServerResponse, reply: FakeGeminiReply) {
    const model = decodeURIComponent(request.path.replace(/^\/v1(beta)?\/models\//, '').replace(/:generateContent$/, ''))
    for (const part of (request.body?.contents ?? []).flatMap((content: any) => content?.parts ?? [])) {
      const uri: string | undefined = part?.fileData?.fileUri
      if (!uri) continue
      const file = fake.files.get(`files/${uri.split('/files/')[1] ?? ''}`)
      if (!file) return sendJson(response, 403, googleError(403, 'PERMISSION_DENIED', 'You do not have permission to access the File or it may not exist.'))
      if (file.state !== 'ACTIVE') return sendJson(response, 400, googleError(400, 'FAILED_PRECONDITION', `The File ${file.name.slice(6)} is not in an ACTIVE state and usage is not allowed.`))
    }
    const schema = request.body?.generationConfig?.responseJsonSchema ?? request.body?.generationConfig?.responseSchema
    const usage = reply.kind === 'answer' ? reply.usage ?? {} : {}
    const promptTokens = usage.promptTokens ?? tokensOf(request.rawBody)
    const cachedTokens = usage.cachedTokens ?? Math.min(fake.cachedTokens, promptTokens)
    const usageMetadata = (text: string) => {
      const outputTokens = usage.outputTokens ?? (text ? tokensOf(text) : 0)
      const thoughts = usage.thoughtsTokens ?? 0
      return {
        promptTokenCount: promptTokens, candidatesTokenCount: outputTokens, totalTokenCount: promptTokens + outputTokens + thoughts,
        ...(cachedTokens ? { cachedContentTokenCount: cachedTokens } : {}), ...(thoughts ? { thoughtsTokenCount: thoughts } : {}),
        promptTokensDetails: [{ modality: 'TEXT', tokenCount: promptTokens }],
      }
    }
    const modelVersion = (reply.kind === 'answer' && reply.modelVersion) || model
    const responseId = randomBytes(8).toString('base64url')
    const safetyRatings = [{ category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH', blocked: true }]
    if (reply.kind === 'blocked') {
      return sendJson(response, 200, { promptFeedback: { blockReason: reply.reason ?? 'SAFETY', safetyRatings }, usageMetadata: usageMetadata(''), modelVersion, responseId })
    }
    if (reply.kind === 'safety' || reply.kind === 'finishReason') {
      const finishReason = reply.kind === 'safety' ? 'SAFETY' : reply.reason
      return sendJson(response, 200, { candidates: [{ finishReason, index: 0, safetyRatings: reply.kind === 'safety' ? safetyRatings : undefined }], usageMetadata: usageMetadata(''), modelVersion, responseId })
    }
    const text = modelText(schema, reply)
    sendJson(response, 200, {
      candidates: [{ content: { parts: [{ text }], role: 'model' }, finishReason: reply.kind === 'truncated' ? 'MAX_TOKENS' : 'STOP', index: 0 }],
      usageMetadata: usageMetadata(text), modelVersion, responseId,
    })
  }

  function answer(request: FakeGeminiRequest, raw: Buffer, response: ServerResponse, reply: FakeGeminiReply | undefined) {
    switch (reply?.kind) {
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
          if (!response.destroyed) answer(request, raw, response, reply.then)
        }, reply.ms)
        response.on('close', () => clearTimeout(timer))
        return
      }
      case 'rateLimited': {
        const details: unknown[] = [
          { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', 'violations': [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests', quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier' }] },
          { '@type': 'type.googleapis.com/google.rpc.Help', 'links': [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }] },
        ]
        if (reply.retryDelaySeconds !== undefined) details.push({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', 'retryDelay': `${reply.retryDelaySeconds}s` })
        const headers: Record<string, string> = reply.retryAfterSeconds !== undefined ? { 'retry-after': String(reply.retryAfterSeconds) } : {}
        return sendJson(response, 429, googleError(429, 'RESOURCE_EXHAUSTED', 'You exceeded your current quota, please check your plan and billing details.', details), headers)
      }
      case 'serverError': {
        const status = reply.status ?? 500
        return sendJson(response, status, status === 503
          ? googleError(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.')
          : googleError(status, 'INTERNAL', 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting'))
      }
      case 'invalidKey':
        return sendJson(response, 400, googleError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', 'reason': 'API_KEY_INVALID', 'domain': 'googleapis.com' }]))
      case 'badRequest':
        return sendJson(response, 400, googleError(400, 'INVALID_ARGUMENT', reply.message ?? 'Invalid JSON payload received.'))
      case 'malformedBody':
        response.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' })
        return response.end('{"candidates": [{"content": ')
      case 'raw':
        return sendJson(response, reply.status, reply.body, reply.headers)
    }
    if (request.endpoint === 'upload') return handleUpload(request, raw, response)
    if (request.endpoint === 'files.get') return handleFileGet(request, response)
    if (request.endpoint === 'generateContent') return handleGenerate(request, response, reply ?? { kind: 'answer' })
    sendJson(response, 404, googleError(404, 'NOT_FOUND', `Method not found: ${request.method} ${request.path}`))
  }

  const server = createServer(async (incoming, response) => {
    const chunks: Buffer[] = []
    for await (const chunk of incoming) chunks.push(chunk as Buffer)
    const raw = Buffer.concat(chunks)
    const url = new URL(incoming.url ?? '/', 'http://fake.test')
    const method = incoming.method ?? 'GET'
    let body: any = null
    const isChunk = String(incoming.headers['x-goog-upload-command'] ?? '').startsWith('upload')
    if (raw.length && !isChunk) {
      try {
        body = JSON.parse(raw.toString())
      }
      catch {
        body = null
      }
    }
    const request: FakeGeminiRequest = {
      endpoint: endpointOf(method, url.pathname), method, path: url.pathname, url: incoming.url ?? '/', headers: incoming.headers, body,
      rawBody: isChunk ? raw.toString('latin1') : raw.toString(), receivedAt: Date.now(),
    }
    fake.requests.push(request)
    counts.set(url.pathname, (counts.get(url.pathname) ?? 0) + 1)
    const keyRefused = fake.expectedKey !== undefined && request.headers['x-goog-api-key'] !== fake.expectedKey
    answer(request, raw, response, keyRefused ? { kind: 'invalidKey' } : chooseReply(request))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', () => resolve()))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  fake.url = origin
  return fake
}
