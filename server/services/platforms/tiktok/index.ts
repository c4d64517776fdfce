// TikTok behind the one PlatformConnector interface. Endpoints, scopes, limits and the wire format live in this
// folder; ../shared/PLATFORMS.md is where the facts come from. `createTiktokConnector` takes a chunk size and time
// limits for tests (the chunk size within TikTok's rules); everything else uses `tiktokConnector`.
import { tiktok } from '#shared/platforms/tiktok'
import type { PlatformConnector, PlatformLimit } from '../connector'
import { defaultChunkBytes, planChunks } from './chunks'
import { capabilitiesOf, queryCreatorInfo } from './creator'
import { classifyTiktokError } from './errors'
import { exchangeTiktokCode, refreshTiktokTokens, revokeTiktokToken, tiktokAuthorizeUrl } from './oauth'
import { tiktokAccounts } from './accounts'
import { STATS_SCOPE, tiktokAccountMetrics, tiktokMetrics, tiktokMetricsReads } from './metrics'
import { publishToTiktok, type PublishSettings } from './publish'
import { fetchPublishStatus, pendingOf, statusOutcome } from './status'

export const tiktokScopes = { publish: ['user.info.basic', 'video.publish'], metrics: ['video.list', STATS_SCOPE] }

// Per access token, rolling one-minute windows (TikTok's Content Posting API reference).
export const tiktokLimits: PlatformLimit[] = [
  { key: 'tiktok.creator_info', label: 'TikTok lets an app read a creator\'s posting options 20 times a minute', max: 20, window: { rollingSeconds: 60 }, perPublish: 1 },
  { key: 'tiktok.init', label: 'TikTok lets an app start 6 posts a minute per account', max: 6, window: { rollingSeconds: 60 }, perPublish: 1 },
  { key: 'tiktok.status', label: 'TikTok lets an app check a post 30 times a minute', max: 30, window: { rollingSeconds: 60 }, perPublish: 0 },
]

export function createTiktokConnector(settings: Partial<PublishSettings> = {}) {
  const { chunkBytes = defaultChunkBytes, requestTimeoutMs = 30_000, uploadTimeoutMs = 5 * 60_000 } = settings
  // A chunk size outside TikTok's rules is a mistake in the caller: refuse it now, not at the first post.
  planChunks(chunkBytes, chunkBytes)
  const publishSettings: PublishSettings = { chunkBytes, requestTimeoutMs, uploadTimeoutMs }

  return {
    key: 'tiktok',
    scopes: tiktokScopes,
    constraints: tiktok.constraints,
    pullsFromUrl: false,
    limits: tiktokLimits,
    usesPkce: false,

    authorizeUrl: (app, { state }) => tiktokAuthorizeUrl(app, [...tiktokScopes.publish, ...tiktokScopes.metrics], state),
    exchangeCode: (app, { code }) => exchangeTiktokCode(app, code),
    refresh: (app, tokens) => refreshTiktokTokens(app, tokens.refreshToken),
    accounts: (app, tokens) => tiktokAccounts(app, tokens, requestTimeoutMs),
    revoke: (app, tokens) => revokeTiktokToken(app, tokens.accessToken),
    capabilities: async account => capabilitiesOf(await queryCreatorInfo(account, requestTimeoutMs)),

    publish: (account, request) => publishToTiktok(account, request, publishSettings),
    async checkStatus(account, pending) {
      const known = pendingOf(pending, account.metadata)
      if (!known) return { state: 'failed', reason: 'This post has no TikTok publish id to check.', code: 'no_publish_id' }
      return statusOutcome(await fetchPublishStatus(account, known.publishId, requestTimeoutMs), known)
    },
    metrics: (account, externalIds) => tiktokMetrics(account, externalIds, requestTimeoutMs),
    metricsReads: tiktokMetricsReads,
    accountMetrics: account => tiktokAccountMetrics(account, requestTimeoutMs),

    classifyError: classifyTiktokError,
  } satisfies PlatformConnector
}

export const tiktokConnector = createTiktokConnector()
