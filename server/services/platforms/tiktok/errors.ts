// TikTok's errors in one place (../shared/PLATFORMS.md): the API's `{error:{code,message,log_id}}` codes, the OAuth
// `error` values and a failed post's `fail_reason`, each told in words and sorted into refresh, retry, bad input or
// disconnect.
import { PlatformError, type ErrorAction } from '../connector'

const secretKeys = new Set(['access_token', 'refresh_token', 'client_secret', 'authorization', 'upload_url', 'token'])

/** A copy of a reply with every token (and the signed upload URL) replaced, fit to keep or log. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact)
  if (!value || typeof value !== 'object') return value
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, secretKeys.has(key.toLowerCase()) ? '[redacted]' : redact(inner)]))
}

const apiWords: Record<string, string> = {
  access_token_invalid: 'TikTok no longer accepts this account\'s access token',
  scope_not_authorized: 'The creator did not allow this app to do that on TikTok: reconnect the account and allow every permission asked',
  scope_permission_missed: 'The creator did not allow this app to do that on TikTok: reconnect the account and allow every permission asked',
  rate_limit_exceeded: 'TikTok asks us to slow down: too many calls in the last minute',
  spam_risk_too_many_posts: 'TikTok\'s daily limit of posts from apps is reached for this account',
  spam_risk_user_banned_from_posting: 'TikTok does not let this account post right now',
  unaudited_client_can_only_post_to_private_accounts: 'TikTok has not audited this app, so it can only post privately (only the creator sees the post): choose "Only me"',
  privacy_level_option_mismatch: 'TikTok does not offer the chosen privacy for this account: choose one it lists',
  invalid_file_upload: 'TikTok refused the video file: check its format, size and length',
  invalid_params: 'TikTok refused the request as malformed',
  internal_error: 'TikTok had an internal error',
  invalid_grant: 'TikTok no longer accepts this login: reconnect the account',
  invalid_client: 'TikTok does not recognise this app\'s client key or secret',
  malformed_reply: 'TikTok sent a reply this app does not understand',
  upload_interrupted: 'The upload to TikTok stopped before the end',
}

const failWords: Record<string, string> = {
  file_format_check_failed: 'TikTok refused the video: its file format is not supported',
  duration_check_failed: 'TikTok refused the video: it is too long or too short for this account',
  frame_rate_check_failed: 'TikTok refused the video: its frame rate is not supported',
  picture_size_check_failed: 'TikTok refused the video: its picture size is not supported',
  video_pull_failed: 'TikTok could not fetch the video',
  spam_risk_text: 'TikTok flagged the caption as spam: change the text',
  spam_risk_too_many_posts: 'TikTok\'s daily limit of posts from apps is reached for this account',
  spam_risk_user_banned_from_posting: 'TikTok does not let this account post right now',
  auth_removed: 'The creator removed this app\'s access on TikTok: reconnect the account',
  publish_cancelled: 'The post was cancelled on TikTok',
  internal: 'TikTok had an internal error while posting',
}

/** A TikTok code in words, with TikTok's own message after it when it adds something. */
export function tiktokWords(code: string, message?: string): string {
  const words = apiWords[code] ?? failWords[code] ?? `TikTok refused the request (${code})`
  return message && message.trim() && !words.includes(message) ? `${words}. TikTok said: ${message.trim()}` : words
}

/** A failed post's `fail_reason` in words. */
export const failReasonWords = (reason: string | undefined) => reason ? failWords[reason] ?? `TikTok could not publish the post (${reason})` : 'TikTok could not publish the post and gave no reason'

const refreshCodes = new Set(['access_token_invalid'])
const disconnectCodes = new Set(['invalid_grant', 'scope_not_authorized', 'scope_permission_missed', 'auth_removed', 'invalid_client'])
const badInputCodes = new Set([
  'unaudited_client_can_only_post_to_private_accounts', 'privacy_level_option_mismatch', 'invalid_file_upload', 'invalid_params',
  'spam_risk_text', 'video_pull_failed', 'spam_risk_user_banned_from_posting', 'publish_cancelled',
])
// A minute is TikTok's window for every per-token limit; its daily post cap says no reset time, so wait a few hours.
const retryAfter: Record<string, number> = { rate_limit_exceeded: 60, spam_risk_too_many_posts: 6 * 3600 }

/** What to do about a failure of a TikTok call, or about a failed post (`new PlatformError('tiktok', reason, { code: fail_reason })`). */
export function classifyTiktokError(error: unknown): ErrorAction {
  if (!(error instanceof PlatformError)) return { action: 'retry' }
  const { code = '', status, retryAfterSeconds } = error.details
  if (refreshCodes.has(code)) return { action: 'refresh' }
  if (disconnectCodes.has(code)) return { action: 'disconnect' }
  if (badInputCodes.has(code) || code.endsWith('_check_failed')) return { action: 'bad-input' }
  if (code in retryAfter || status === 429) return { action: 'retry', afterSeconds: retryAfterSeconds ?? retryAfter[code] ?? 60 }
  if (status === 401) return { action: 'refresh' }
  return { action: 'retry' }
}

/** A PlatformError for a TikTok refusal; `response` has its tokens taken out. */
export function tiktokError(code: string, details: { status?: number, message?: string, response?: unknown, retryAfterSeconds?: number } = {}): PlatformError {
  return new PlatformError('tiktok', tiktokWords(code, details.message), {
    status: details.status,
    code,
    response: details.response === undefined ? undefined : redact(details.response),
    retryAfterSeconds: details.retryAfterSeconds,
  })
}
