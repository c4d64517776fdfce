// The one interface every platform implements (server/services/platforms/<platform>/). A connector holds the
// platform's facts and wire format, and nothing of ours: no database, no jobs, no H3. The services that use it
// (accounts, tokens, posts) store what it returns and decide what happens next from `classifyError`.
import type { PlatformKey } from '#shared/platforms/keys'
import type { RenderConstraints } from '#shared/platforms/types'

/** This app's registration with the platform, where its replies come back, and where its requests go. */
export interface PlatformApp {
  clientId: string
  clientSecret: string
  /** Our OAuth callback, registered in the platform's developer console. */
  redirectUri: string
  /** A stand-in for every host of the platform (a test double): `https://host/path` is asked at `<baseUrl>/host/path`. */
  baseUrl?: string
  /** The fetch to use; tests and the bench count calls through it. Defaults to the global fetch. */
  fetch?: typeof fetch
}

/** Tokens as the platform gave them, plain; the token store encrypts them before they touch a row. */
export interface TokenSet {
  accessToken: string
  /** Absent when the platform has none (Meta) or its reply left it out (Google on a refresh: keep the old one). */
  refreshToken?: string
  expiresAt?: Date
  refreshExpiresAt?: Date
  /** The scopes granted, which may be fewer than those asked for. */
  scopes: string[]
}

/** One channel, Page or account a login can publish to. A login may own several (Google channels, Facebook Pages). */
export interface ConnectableAccount {
  externalId: string
  handle?: string
  displayName?: string
  avatarUrl?: string
  /** The account's own tokens when they differ from the login's (a Facebook Page token); else the login's. */
  tokens: TokenSet
  /** Platform specifics kept on the SocialAccount row: the Page behind an IG account, the TikTok open_id... */
  metadata: Record<string, unknown>
}

/** A connected account, as a connector needs it for a call: plain tokens, never stored by the connector. */
export interface AccountContext {
  app: PlatformApp
  externalId: string
  accessToken: string
  metadata: Record<string, unknown>
  /** The scopes the creator granted, when known: a read a scope was not granted for is skipped, not sent. */
  scopes?: string[]
  signal?: AbortSignal
}

/** What the platform lets this app do with this account right now (TikTok's creator_info, YouTube's verification). */
export interface AccountCapabilities {
  /** Privacy choices the platform offers, in its own values, the default first. */
  privacyOptions: string[]
  /** Longest video it takes from this account, when the platform says. */
  maxDurationSeconds?: number
  /** Said to the creator before publishing: "Unaudited TikTok apps post private only". */
  notices: string[]
  /** Anything else the publish form is built from (TikTok: comment/duet/stitch switches). */
  details: Record<string, unknown>
}

/** A render on its way to the platform. */
export interface PublishRequest {
  /** `durationSeconds`, when known, is checked against the account's own limit (TikTok's creator_info). */
  file: { path: string, sizeBytes: number, contentType: string, durationSeconds?: number }
  /** A signed URL the platform can fetch the file from, for platforms that pull (Instagram). */
  publicUrl?: () => Promise<string>
  caption: string
  /** YouTube's title; others ignore it. */
  title?: string
  tags?: string[]
  privacy?: string
  /** Per-platform switches, validated by the platform's own schema. */
  options: Record<string, unknown>
  /** What an earlier attempt of this post left (a YouTube session URI, an IG container id), for a safe resume. */
  pending?: Record<string, unknown>
  /** Called as soon as the platform hands out something that makes a retry safe, so it is stored before going on. */
  onPending?: (pending: Record<string, unknown>) => Promise<void>
  onProgress?: (sentBytes: number) => void
}

// `notice`: something the creator should know about a publish that went through (YouTube kept it private).
export type PublishOutcome
  = | { state: 'processing', pending: Record<string, unknown>, notice?: string }
    | { state: 'published', externalId: string, permalink?: string, notice?: string }

export type StatusOutcome
  = | { state: 'processing', pending?: Record<string, unknown>, detail?: string }
    | { state: 'published', externalId: string, permalink?: string, notice?: string }
    | { state: 'failed', reason: string, code?: string }

/** A published video's numbers at one moment; absent means the platform did not say (not zero). */
export interface PostMetrics {
  externalId: string
  views?: number
  likes?: number
  comments?: number
  shares?: number
  saves?: number
  reach?: number
  avgViewDurationSec?: number
  watchTimeSec?: number
  /** The platform's reply for these numbers, minus anything secret. */
  raw: Record<string, unknown>
}

/** An account's own numbers at one moment; absent means the platform did not say (not zero). */
export interface AccountMetrics {
  followers?: number
  /** The platform's reply for these numbers, minus anything secret. */
  raw: Record<string, unknown>
}

/**
 * What to do about a failed call: get a new access token and try once more, wait and try again, tell the creator
 * what to change, or ask them to reconnect the account.
 */
export type ErrorAction
  = | { action: 'refresh' }
    | { action: 'retry', afterSeconds?: number }
    | { action: 'bad-input' }
    | { action: 'disconnect' }

/** A platform said no. `message` is fit to show; `response` is the platform's reply with tokens taken out. */
export class PlatformError extends Error {
  constructor(
    readonly platform: PlatformKey,
    message: string,
    readonly details: { status?: number, code?: string, subcode?: string, response?: unknown, retryAfterSeconds?: number } = {},
  ) {
    super(message)
    this.name = 'PlatformError'
  }
}

/** A counted limit: YouTube's daily units, the Instagram publishing limit, TikTok's per-minute init calls. */
export interface PlatformLimit {
  key: string
  /** In words, for "waits because …". */
  label: string
  max: number
  /** A rolling window, or a calendar day in the platform's zone (YouTube resets at midnight Pacific). */
  window: { rollingSeconds: number } | { dayInZone: string }
  /** What one publish uses of it. */
  perPublish: number
}

/** How metrics are read: ids per call, ids per metrics.pull job, and the counted limits each call uses. */
export interface MetricsReads {
  /** Ids one call takes (YouTube's videos.list 50, TikTok's video query 20, Meta one media a call). */
  idsPerCall: number
  /** Ids one metrics.pull job reads at most; the job sends the next one while more are due. */
  idsPerPull: number
  /** What one call (of up to idsPerCall ids, or the account's own numbers) uses of each counted limit. */
  limits: { limit: PlatformLimit, perCall: number }[]
}

export interface PlatformConnector {
  key: PlatformKey
  /** Scopes asked for: to publish, and to read metrics (the analytics issue). */
  scopes: { publish: string[], metrics: string[] }
  /** The render limits (shared/platforms/<key>.ts), checked before anything is sent. */
  constraints: RenderConstraints
  /** Whether the platform must fetch the file from a public URL (then PUBLIC_URL must be reachable from the internet). */
  pullsFromUrl: boolean
  limits: PlatformLimit[]

  /** The page the creator is sent to. `codeChallenge` is sent where the platform supports PKCE. */
  authorizeUrl(app: PlatformApp, request: { state: string, codeChallenge?: string }): string
  usesPkce: boolean
  exchangeCode(app: PlatformApp, request: { code: string, codeVerifier?: string }): Promise<TokenSet>
  /**
   * How long before its expiry an access token is refreshed by the sweep (accounts.refresh); 10 minutes when unset.
   * Long-lived tokens that must be renewed while still valid (Meta's 60-day tokens) set days.
   */
  refreshLeadSeconds?: number
  /** A new access token. A reply without a refresh token keeps the old one (the store does that). */
  refresh(app: PlatformApp, tokens: { accessToken: string, refreshToken?: string }): Promise<TokenSet>
  /** The accounts this login can publish to. */
  accounts(app: PlatformApp, tokens: TokenSet): Promise<ConnectableAccount[]>
  /** Revokes at the platform where it can; a platform without revocation resolves. */
  revoke(app: PlatformApp, tokens: { accessToken: string, refreshToken?: string }): Promise<void>
  capabilities(account: AccountContext): Promise<AccountCapabilities>

  /** Starts the irreversible part. Returns `processing` with what `checkStatus` needs, or `published`. */
  publish(account: AccountContext, request: PublishRequest): Promise<PublishOutcome>
  /**
   * Where a publish stands. It starts nothing new; the one exception is a step the platform says is safe and due:
   * Instagram's media_publish on a FINISHED container, never when the container is already PUBLISHED.
   */
  checkStatus(account: AccountContext, pending: Record<string, unknown>): Promise<StatusOutcome>
  /** The numbers of the posts the platform still has: a post it no longer has (deleted) is left out, not zeroed. */
  metrics(account: AccountContext, externalIds: string[]): Promise<PostMetrics[]>
  metricsReads?: MetricsReads
  /** The account's own numbers (followers), read daily. */
  accountMetrics?(account: AccountContext): Promise<AccountMetrics>
  /** Reads a limit the platform reports at run time (Instagram's content_publishing_limit), when it has one. */
  readUsage?(account: AccountContext): Promise<{ key: string, used: number, max: number }[]>

  classifyError(error: unknown): ErrorAction
}

/** The URL a request to `https://host/path` goes to: the real one, or the stand-in's. */
export function platformUrl(app: Pick<PlatformApp, 'baseUrl'>, url: string): string {
  if (!app.baseUrl) return url
  const real = new URL(url)
  return `${app.baseUrl.replace(/\/$/, '')}/${real.host}${real.pathname}${real.search}`
}
