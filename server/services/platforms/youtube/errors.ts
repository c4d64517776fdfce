// YouTube's refusals turned into PlatformErrors (with tokens taken out), and what to do about each
// (../shared/PLATFORMS.md, "Errors to classify").
import { z } from 'zod'
import { PlatformError, type ErrorAction } from '../connector'
import { secondsUntilDailyReset } from '../limits'
import { QUOTA_ZONE } from './limits'

// Google's API error: {error:{code,message,errors:[{reason,domain,message}],status}}; its OAuth error: {error,error_description}.
const apiErrorSchema = z.object({
  error: z.object({
    code: z.number().optional(),
    message: z.string().optional(),
    errors: z.array(z.object({ reason: z.string().optional(), message: z.string().optional() }).loose()).optional(),
    status: z.string().optional(),
  }).loose(),
})
const oauthErrorSchema = z.object({ error: z.string(), error_description: z.string().optional() })

const SECRET_KEYS = new Set(['access_token', 'refresh_token', 'id_token', 'client_secret', 'code', 'code_verifier', 'authorization', 'token'])

/** A copy of a reply with every token-like field replaced, fit to keep and show. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact)
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, SECRET_KEYS.has(key.toLowerCase()) ? '[redacted]' : redact(inner)]))
  }
  // Google's access tokens start with ya29., refresh tokens with 1//.
  return typeof value === 'string' ? value.replace(/\b(ya29\.|1\/\/)[\w.-]+/g, '[redacted]') : value
}

const REASON_MESSAGES: Record<string, string> = {
  quotaExceeded: 'YouTube\'s daily API quota for this app is used up; it refills at midnight Pacific time.',
  uploadLimitExceeded: 'This channel reached YouTube\'s daily upload limit; it resets at midnight Pacific time.',
  rateLimitExceeded: 'YouTube asked us to slow down; the post will be tried again shortly.',
  userRateLimitExceeded: 'YouTube asked us to slow down; the post will be tried again shortly.',
  insufficientPermissions: 'The YouTube connection lacks the permission to upload. Reconnect YouTube and allow every permission asked for.',
  youtubeSignupRequired: 'This Google account has no YouTube channel yet. Create a channel on youtube.com, then connect again.',
  invalidTitle: 'YouTube refused the title. Change it (at most 100 characters) and schedule again.',
  invalidDescription: 'YouTube refused the caption. Shorten or change it and schedule again.',
  mediaBodyRequired: 'YouTube received no video. Render the video again and schedule it.',
  invalid_grant: 'YouTube no longer accepts this connection (revoked, expired or its password changed). Reconnect YouTube.',
}

/** The PlatformError for a refused call, from the status and the reply body (JSON or not). */
export function youtubeError(status: number, body: unknown, headers?: Headers): PlatformError {
  const retryAfter = Number(headers?.get('retry-after'))
  const api = apiErrorSchema.safeParse(body)
  const oauth = oauthErrorSchema.safeParse(body)
  const code = api.success ? api.data.error.errors?.[0]?.reason ?? api.data.error.status : oauth.success ? oauth.data.error : undefined
  const said = api.success ? api.data.error.message : oauth.success ? oauth.data.error_description ?? oauth.data.error : undefined
  const message = (code && REASON_MESSAGES[code]) ?? `YouTube answered ${status}${said ? `: ${redact(said) as string}` : ''}`
  return new PlatformError('youtube', message, {
    status,
    code,
    response: redact(body),
    retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
  })
}

/** A reply that parsed but not as YouTube documents it. */
export const malformedReply = (what: string, body: unknown) => new PlatformError('youtube', `YouTube sent an unexpected reply to ${what}.`, { code: 'malformed', response: redact(body) })

/** A request that never got an answer (connection refused, reset, dropped). */
export function networkError(what: string, cause: unknown): PlatformError {
  if (cause instanceof PlatformError) return cause
  const detail = cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause)
  return new PlatformError('youtube', `YouTube could not be reached (${what}): ${redact(detail) as string}`, { code: 'network' })
}

const DISCONNECT = new Set(['invalid_grant', 'insufficientPermissions', 'youtubeSignupRequired', 'forbidden', 'accountClosed', 'accountSuspended'])
const UNTIL_MIDNIGHT = new Set(['quotaExceeded', 'dailyLimitExceeded', 'uploadLimitExceeded'])
const SLOW_DOWN = new Set(['rateLimitExceeded', 'userRateLimitExceeded'])
const BAD_INPUT = new Set(['invalidTitle', 'invalidDescription', 'invalidTags', 'invalidCategoryId', 'invalidVideoMetadata', 'mediaBodyRequired',
  'invalidFilename', 'uploadFailed', 'processingFailed', 'terminated', 'malformed', 'badRequest', 'invalidPart', 'unknownPart', 'insecureUrl'])

export function classifyError(error: unknown): ErrorAction {
  if (!(error instanceof PlatformError)) {
    // A fetch that failed without a status is the network: try again later.
    return { action: 'retry' }
  }
  const { code, status, retryAfterSeconds } = error.details
  if (code && DISCONNECT.has(code)) return { action: 'disconnect' }
  if (code && UNTIL_MIDNIGHT.has(code)) return { action: 'retry', afterSeconds: secondsUntilDailyReset(new Date(), QUOTA_ZONE) }
  if (code && SLOW_DOWN.has(code)) return { action: 'retry', afterSeconds: retryAfterSeconds ?? 60 }
  if (code && BAD_INPUT.has(code)) return { action: 'bad-input' }
  if (code === 'network' || status === undefined) return { action: 'retry', afterSeconds: retryAfterSeconds }
  if (status === 401) return { action: 'refresh' }
  if (status === 429 || status >= 500) return { action: 'retry', afterSeconds: retryAfterSeconds }
  if (status === 403) return { action: 'disconnect' }
  return { action: 'bad-input' }
}
