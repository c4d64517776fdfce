// How a call to a model provider failed, in one vocabulary for every provider, with a message a creator can act on.
// It is a ServiceError, so a route that lets it through answers its status and message. It never carries the key nor
// the prompt: messages are ours, and the provider's own words (which may echo the request) stay out of them.
import { ServiceError } from '../errors'
import type { AiProviderName } from './types'

export type AiProviderErrorKind
  = | 'rate_limited' // 429 after the bounded retries
    | 'unavailable' // 5xx or the connection failed, after the bounded retries
    | 'timeout' // no answer within the time-out
    | 'canceled' // the caller's signal aborted
    | 'blocked' // a refusal, content filter or safety block
    | 'truncated' // the answer hit the output limit
    | 'malformed' // the reply was not the JSON asked for (or not JSON at all)
    | 'auth' // the key was refused
    | 'bad_request' // the provider refused the request itself (model unknown, schema refused)

// The same statuses generate() gives a kind. Never 401/403: the app reads those as "your session ended".
const STATUS: Record<AiProviderErrorKind, number> = {
  rate_limited: 429,
  unavailable: 503,
  timeout: 504,
  canceled: 499,
  blocked: 422,
  truncated: 502,
  malformed: 502,
  auth: 400,
  bad_request: 400,
}

export interface AiProviderErrorOptions {
  provider: AiProviderName
  /** The HTTP status the provider answered, when it answered. */
  providerStatus?: number
  /** How long the provider asked us to wait (429). */
  retryAfterSeconds?: number
  /** The provider's own code (finish reason, block reason, error code): never free text. */
  providerReason?: string
}

export class AiProviderError extends ServiceError {
  readonly kind: AiProviderErrorKind
  readonly provider: AiProviderName
  readonly providerStatus?: number
  readonly retryAfterSeconds?: number
  readonly providerReason?: string

  constructor(kind: AiProviderErrorKind, message: string, options: AiProviderErrorOptions) {
    // `reason` and `localAvailable` are what the pages read (utils/aiFailure.ts): the local generator always works.
    super(STATUS[kind], message, {
      reason: kind, localAvailable: true, provider: options.provider,
      ...(options.retryAfterSeconds !== undefined ? { retryAfterSeconds: options.retryAfterSeconds } : {}),
    })
    this.name = 'AiProviderError'
    this.kind = kind
    this.provider = options.provider
    this.providerStatus = options.providerStatus
    this.retryAfterSeconds = options.retryAfterSeconds
    this.providerReason = options.providerReason
  }

  /** Worth another try later (not a fault of the request or the key). */
  get transient(): boolean {
    return this.kind === 'rate_limited' || this.kind === 'unavailable' || this.kind === 'timeout'
  }
}

export const isAiProviderError = (error: unknown): error is AiProviderError => error instanceof AiProviderError
