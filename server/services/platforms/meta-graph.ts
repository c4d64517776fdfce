// What Instagram and Facebook share: Meta's Graph API. One call helper (form or query, a zod-checked reply, tokens kept
// out of every error), Meta's error shape, the usage headers that say how long to wait, and one classification of
// Meta's error codes (../shared/PLATFORMS.md, "Errors to classify") for both connectors.
import { z } from 'zod'
import type { PlatformKey } from '#shared/platforms/keys'
import { PlatformError, platformUrl, type ErrorAction, type MetricsReads, type PlatformApp } from './connector'

/** The Graph API version every Meta URL names; change it here only. */
export const GRAPH_VERSION = 'v23.0'

const graphErrorSchema = z.object({
  error: z.object({
    message: z.string(),
    type: z.string().optional(),
    code: z.number(),
    error_subcode: z.number().optional(),
    error_user_msg: z.string().optional(),
    fbtrace_id: z.string().optional(),
  }),
})
// api.instagram.com (the code exchange) answers in its older flat shape; it is read as the Graph one.
const flatErrorSchema = z.object({ error_type: z.string(), code: z.number(), error_message: z.string() })
  .transform(flat => ({ error: { message: flat.error_message, type: flat.error_type, code: flat.code, error_subcode: undefined, error_user_msg: undefined, fbtrace_id: undefined } }))
export const metaErrorSchema = z.union([graphErrorSchema, flatErrorSchema])

export interface GraphRequest<T> {
  platform: PlatformKey
  app: Pick<PlatformApp, 'baseUrl' | 'fetch'>
  /** The real URL, `https://graph.instagram.com/...`; platformUrl sends it to a stand-in when there is one. */
  url: string
  method?: 'GET' | 'POST' | 'DELETE'
  /** Query parameters (GET, DELETE) or the form body (POST). Secrets among them never reach an error. */
  params?: Record<string, string | number | boolean | undefined>
  /** The access token, sent in the Authorization header (`OAuth` is what rupload.facebook.com asks for). */
  token?: string
  scheme?: 'Bearer' | 'OAuth'
  /** A raw body (bytes to upload) with its own headers, instead of a form. */
  body?: BodyInit
  headers?: Record<string, string>
  schema: z.ZodType<T>
  /** What the call is, for messages: "the Reel container's status". */
  what: string
  signal?: AbortSignal
}

const SECRET_PARAMS = ['access_token', 'client_secret', 'code', 'fb_exchange_token', 'input_token']
const CALL_TIMEOUT_MS = 120_000

/** Takes every secret out of a text (a message, a reply kept for the creator). */
export function redact(text: string, secrets: (string | undefined)[]): string {
  return secrets.reduce<string>((result, secret) => secret && secret.length > 3 ? result.split(secret).join('[redacted]') : result, text)
}

/** How long Meta asks us to wait: the largest `estimated_time_to_regain_access` (minutes) in the usage headers. */
export function retryAfterFromUsage(headers: Headers): number | undefined {
  let minutes: number | undefined
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit)
    if (!value || typeof value !== 'object') return
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'estimated_time_to_regain_access' && typeof inner === 'number') minutes = Math.max(minutes ?? 0, inner)
      else visit(inner)
    }
  }
  for (const name of ['x-app-usage', 'x-business-use-case-usage']) {
    const header = headers.get(name)
    if (!header) continue
    try {
      visit(JSON.parse(header))
    }
    catch { /* a header we cannot read says nothing about waiting */ }
  }
  return minutes === undefined ? undefined : minutes * 60
}

/**
 * How long to wait before calling again: the usage headers' estimate, else a `Retry-After` header (seconds) when a
 * throttled reply carries one, so a retry never comes sooner than Meta asked.
 */
export function retryAfterOf(headers: Headers): number | undefined {
  const fromUsage = retryAfterFromUsage(headers)
  if (fromUsage !== undefined) return fromUsage
  const seconds = Number(headers.get('retry-after'))
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined
}

export async function graphCall<T>(request: GraphRequest<T>): Promise<T> {
  const { platform, app, method = 'GET', params = {}, what } = request
  const secrets = [request.token, ...SECRET_PARAMS.map(name => params[name]?.toString())]
  const entries = Object.entries(params).filter(([, value]) => value !== undefined).map(([key, value]) => [key, String(value)])
  const url = new URL(platformUrl(app, request.url))
  if (method !== 'POST') entries.forEach(([key, value]) => url.searchParams.set(key!, value!))
  const headers: Record<string, string> = { ...request.headers }
  if (request.token) headers.authorization = `${request.scheme ?? 'Bearer'} ${request.token}`
  let body = request.body
  if (method === 'POST' && !body) {
    body = new URLSearchParams(entries as [string, string][])
    headers['content-type'] = 'application/x-www-form-urlencoded'
  }
  const signal = request.signal ? AbortSignal.any([request.signal, AbortSignal.timeout(CALL_TIMEOUT_MS)]) : AbortSignal.timeout(CALL_TIMEOUT_MS)
  let response: Response
  try {
    response = await (app.fetch ?? fetch)(url, { method, headers, body, signal, ...(body instanceof ReadableStream ? { duplex: 'half' } : {}) })
  }
  catch (error) {
    if (request.signal?.aborted) throw error
    throw new PlatformError(platform, `Could not reach ${platformName(platform)} for ${what}: ${redact((error as Error).message, secrets)}`, { code: 'network' })
  }
  let json: unknown
  try {
    json = JSON.parse(await response.text())
  }
  catch { /* not JSON: the schemas below say so */ }
  const failure = metaErrorSchema.safeParse(json)
  if (failure.success || !response.ok) {
    const status = response.status
    const retryAfterSeconds = retryAfterOf(response.headers)
    if (!failure.success) {
      throw new PlatformError(platform, `${platformName(platform)} answered ${status} to ${what}, in a form we could not read.`, { status, code: status >= 500 ? 'unavailable' : 'malformed', retryAfterSeconds })
    }
    const { message, code, error_subcode: subcode, error_user_msg: userMessage } = failure.data.error
    const said = redact(userMessage ?? message, secrets)
    throw new PlatformError(platform, `${platformName(platform)} refused ${what}: ${said} (code ${code}${subcode ? `/${subcode}` : ''}).`, {
      status, code: String(code), subcode: subcode === undefined ? undefined : String(subcode), retryAfterSeconds,
      response: JSON.parse(redact(JSON.stringify(failure.data), secrets)),
    })
  }
  const parsed = request.schema.safeParse(json)
  if (!parsed.success) {
    throw new PlatformError(platform, `${platformName(platform)} answered ${what} with a reply we did not expect (${parsed.error.issues[0]?.path.join('.') || 'not JSON'}).`, { status: response.status, code: 'malformed' })
  }
  return parsed.data
}

const platformName = (platform: PlatformKey) => platform === 'instagram' ? 'Instagram' : 'Facebook'

// 458 app removed, 459 checkpoint, 460 password changed, 463 expired, 464 unconfirmed user: a new token needs the
// creator (Meta cannot exchange an expired token). Other 190/102 cases may pass with a fresh token.
const RECONNECT_SUBCODES = new Set(['458', '459', '460', '463', '464'])
const RATE_CODES = new Set(['4', '17', '32', '613', '341', '368'])
// Instagram's container errors: 2207026 format, 2207052/2207003 the fetch failed or timed out, 2207020 expired, 36003 aspect.
export const MEDIA_SUBCODES = new Set(['2207026', '2207052', '2207003', '2207020', '36003'])

/** Meta's codes → what to do. Our own codes: `bad_input` (we refused it first), `refresh_rejected`, `network`, `malformed`. */
export function classifyMetaError(error: unknown): ErrorAction {
  if (!(error instanceof PlatformError)) return { action: 'retry' }
  const { code = '', subcode = '', status, retryAfterSeconds } = error.details
  const numeric = Number(code)
  if (code === 'bad_input' || code === 'media' || MEDIA_SUBCODES.has(subcode) || MEDIA_SUBCODES.has(code)) return { action: 'bad-input' }
  if (code === 'refresh_rejected') return { action: 'disconnect' }
  if (code === '190' || code === '102') return RECONNECT_SUBCODES.has(subcode) ? { action: 'disconnect' } : { action: 'refresh' }
  // 2207042: Instagram's daily publishing cap, whatever code carries it.
  if (RATE_CODES.has(code) || subcode === '2207042') return { action: 'retry', afterSeconds: retryAfterSeconds }
  if (numeric === 10 || (numeric >= 200 && numeric <= 299)) return { action: 'disconnect' }
  if (numeric === 100) return { action: 'bad-input' }
  // 1 and 2: Meta's "unknown" and "temporarily unavailable".
  if (numeric === 1 || numeric === 2) return { action: 'retry', afterSeconds: retryAfterSeconds }
  if (status !== undefined && status >= 400 && status < 500 && Number.isFinite(numeric) && code !== '') return { action: 'bad-input' }
  return { action: 'retry', afterSeconds: retryAfterSeconds }
}

/**
 * Graph's answer for a node it no longer has (a media or video deleted by its owner): code 100, subcode 33,
 * "Object ... does not exist". A metrics read leaves such a post out, so it is marked deleted upstream.
 */
export function isGoneNode(error: unknown): boolean {
  return error instanceof PlatformError && error.details.code === '100' && error.details.subcode === '33'
}

/**
 * How Instagram and Facebook metrics reads are counted: one Reel's insights a call, ten a job, against Graph's platform
 * rate limit of 200 calls an hour per account or Page (⚠ Meta's general rate-limiting doc; Instagram Login apps may
 * get more, by impressions, and a Page token 4,800 a day per engaged user). Staying under it leaves publishing its room.
 */
export function metaMetricsReads(platform: 'instagram' | 'facebook', owner: 'account' | 'Page'): MetricsReads {
  const name = platform === 'instagram' ? 'Instagram' : 'Facebook'
  const limit = { key: `${platform}.calls`, label: `${name}'s rate limit (200 API calls an hour per ${owner})`, max: 200, window: { rollingSeconds: 60 * 60 }, perPublish: 0 }
  return { idsPerCall: 1, idsPerPull: 10, limits: [{ limit, perCall: 1 }] }
}
