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

// Never 401/403: the app reads those as "your session ended" and sends the person to sign in.
const STATUS: Record<AiProviderErrorKind, number> = {
  rate_limited: 429,
  unavailable: 503,
  timeout: 504,
  canceled: 499,
  blocked: 422,
  truncated: 422,
  malformed: 502,
  auth: 502,
  bad_request: 400,
}

export interface AiProviderErrorOptions {
  provider: AiProviderName
  /** The HTTP status the provider answered, when it answered. */
  providerStatus?: number
  /** How long the provider asked us to wait (429). */
  retryAfterSeconds?: number
  /** The provider's own reason code (finish reason, block reason, error code): never free text. */
  reason?: string
}

export class AiProviderError extends ServiceError {
  readonly kind: AiProviderErrorKind
  readonly provider: AiProviderName
  readonly providerStatus?: number
  readonly retryAfterSeconds?: number
  readonly reason?: string

  constructor(kind: AiProviderErrorKind, message: string, options: AiProviderErrorOptions) {
    super(STATUS[kind], message, {
      kind, provider: options.provider,
      ...(options.retryAfterSeconds !== undefined ? { retryAfterSeconds: options.retryAfterSeconds } : {}),
    })
    this.name = 'AiProviderError'
    this.kind = kind
    this.provider = options.provider
    this.providerStatus = options.providerStatus
    this.retryAfterSeconds = options.retryAfterSeconds
    this.reason = options.reason
  }

  /** Worth another try later (not a fault of the request or the key). */
  get transient(): boolean {
    return this.kind === 'rate_limited' || this.kind === 'unavailable' || this.kind === 'timeout'
  }
}

export const isAiProviderError = (error: unknown): error is AiProviderError => error instanceof AiProviderError
