// One call to TikTok's JSON API (open.tiktokapis.com): the bearer token, the stand-in host (platformUrl), a time
// limit, and the reply checked twice: the envelope `{data, error:{code,message,log_id}}` (code 'ok' is success), then
// `data` against the caller's zod schema. Large integers (post ids) keep their digits: they arrive as JSON numbers.
import { z } from 'zod'
import { platformUrl, type AccountContext, type PlatformApp } from '../connector'
import { tiktokError } from './errors'

export const apiHost = 'https://open.tiktokapis.com'

const envelopeSchema = z.object({
  data: z.unknown().optional(),
  error: z.object({ code: z.string(), message: z.string().optional().default(''), log_id: z.string().optional() }),
})

/** An id as TikTok sends it (a string, or a number that may be beyond 2^53): always its exact digits. */
export const idSchema = z.union([z.string(), z.number()]).transform(String)

/** JSON.parse that keeps integers beyond 2^53 as their source text, so an id is never rounded. */
export function parseJsonKeepingIds(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
    typeof value === 'number' && !Number.isSafeInteger(value) && context?.source && /^-?\d+$/.test(context.source) ? context.source : value)
}

export function retryAfterOf(response: Response): number | undefined {
  const seconds = Number(response.headers.get('retry-after'))
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined
}

/** A signal that ends the call after `timeoutMs`, or sooner when the caller cancels. */
export function callSignal(timeoutMs: number, signal?: AbortSignal): AbortSignal {
  return signal ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs)
}

export async function readEnvelope(response: Response): Promise<{ json: unknown, envelope?: z.infer<typeof envelopeSchema> }> {
  const text = await response.text()
  let json: unknown
  try {
    json = parseJsonKeepingIds(text)
  }
  catch {
    return { json: { body: text.slice(0, 200) } }
  }
  const parsed = envelopeSchema.safeParse(json)
  return { json, envelope: parsed.success ? parsed.data : undefined }
}

export interface ApiCall<T extends z.ZodType> {
  method?: 'GET' | 'POST'
  /** Path and query on open.tiktokapis.com. */
  path: string
  body?: unknown
  schema: T
  timeoutMs: number
}

export async function tiktokApi<T extends z.ZodType>(account: Pick<AccountContext, 'app' | 'accessToken' | 'signal'>, call: ApiCall<T>): Promise<z.infer<T>> {
  return callApi(account.app, account.accessToken, call, account.signal)
}

export async function callApi<T extends z.ZodType>(app: PlatformApp, accessToken: string, call: ApiCall<T>, signal?: AbortSignal): Promise<z.infer<T>> {
  const response = await (app.fetch ?? fetch)(platformUrl(app, `${apiHost}${call.path}`), {
    method: call.method ?? 'POST',
    headers: { authorization: `Bearer ${accessToken}`, ...(call.body === undefined ? {} : { 'content-type': 'application/json; charset=UTF-8' }) },
    body: call.body === undefined ? undefined : JSON.stringify(call.body),
    signal: callSignal(call.timeoutMs, signal),
  })
  const { json, envelope } = await readEnvelope(response)
  if (envelope && envelope.error.code !== 'ok') {
    throw tiktokError(envelope.error.code, { status: response.status, message: envelope.error.message, response: json, retryAfterSeconds: retryAfterOf(response) })
  }
  if (!response.ok) {
    const code = response.status === 429 ? 'rate_limit_exceeded' : response.status === 401 ? 'access_token_invalid' : 'internal_error'
    throw tiktokError(code, { status: response.status, response: json, retryAfterSeconds: retryAfterOf(response) })
  }
  const data = call.schema.safeParse(envelope?.data)
  if (!envelope || !data.success) {
    throw tiktokError('malformed_reply', { status: response.status, message: `${call.path.split('?')[0]} did not have the expected fields`, response: json })
  }
  return data.data
}
