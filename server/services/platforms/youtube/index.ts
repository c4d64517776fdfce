// The YouTube connector: Google OAuth, the channels a login owns, the resumable upload, processing status and
// statistics, behind the one PlatformConnector interface. Facts live in limits.ts.
import { youtube as youtubeProfile } from '#shared/platforms/youtube'
import type { AccountCapabilities, PlatformConnector } from '../connector'
import { accounts } from './accounts'
import { classifyError } from './errors'
import { DEFAULT_CHUNK_BYTES, PRIVACY_OPTIONS, UNVERIFIED_PROJECT_NOTICE, YOUTUBE_LIMITS, YOUTUBE_SCOPES } from './limits'
import { accountMetrics, metrics, youtubeMetricsReads } from './metrics'
import { authorizeUrl, exchangeCode, refresh, revoke } from './oauth'
import { checkStatus, publish } from './publish'
import { checkChunkSize } from './upload'

export interface YoutubeConnectorOptions {
  /** Bytes per upload request, a multiple of 256 KiB. Tests use small ones to cross chunk edges with small files. */
  chunkBytes?: number
}

export function createYoutubeConnector(options: YoutubeConnectorOptions = {}): PlatformConnector {
  const chunkBytes = checkChunkSize(options.chunkBytes ?? DEFAULT_CHUNK_BYTES)
  return {
    key: 'youtube',
    scopes: YOUTUBE_SCOPES,
    constraints: youtubeProfile.constraints,
    // We send the bytes ourselves; YouTube never fetches a URL.
    pullsFromUrl: false,
    limits: YOUTUBE_LIMITS,
    authorizeUrl,
    usesPkce: true,
    exchangeCode,
    refresh,
    accounts,
    revoke,
    // YouTube has no per-account query for these: the choices are fixed, and the privacy catch is the project's.
    capabilities: async (): Promise<AccountCapabilities> => ({
      privacyOptions: [...PRIVACY_OPTIONS],
      maxDurationSeconds: youtubeProfile.constraints.maxSeconds,
      notices: [UNVERIFIED_PROJECT_NOTICE],
      details: { categoryId: '22', madeForKids: false },
    }),
    publish: (account, request) => publish(account, request, chunkBytes),
    checkStatus,
    metrics,
    metricsReads: youtubeMetricsReads,
    accountMetrics,
    classifyError,
  } satisfies PlatformConnector
}

export const youtubeConnector = createYoutubeConnector()
