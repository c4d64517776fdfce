// Instagram Reels through the Instagram API with Instagram Login (graph.instagram.com). Instagram pulls the video from
// our signed public URL, so PUBLIC_URL must be reachable from the internet.
import { instagram } from '#shared/platforms/instagram'
import type { PlatformConnector } from '../connector'
import { classifyInstagramError } from './errors'
import { PUBLISH_LIMIT_FALLBACK, PUBLISH_LIMIT_KEY, accountMetrics, instagramMetricsReads, metrics, readUsage } from './metrics'
import { INSTAGRAM_SCOPES, accounts, authorizeUrl, exchangeCode, refresh } from './oauth'
import { checkStatus, publish } from './publish'

export { publishContainer } from './publish'

export const instagramConnector = {
  key: 'instagram',
  scopes: INSTAGRAM_SCOPES,
  constraints: instagram.constraints,
  pullsFromUrl: true,
  // The account's own limit is read at run time (readUsage); this is the doc's figure until then.
  limits: [{
    key: PUBLISH_LIMIT_KEY,
    label: `Instagram's limit of ${PUBLISH_LIMIT_FALLBACK} published posts per 24 hours`,
    max: PUBLISH_LIMIT_FALLBACK,
    window: { rollingSeconds: 24 * 60 * 60 },
    perPublish: 1,
  }],
  usesPkce: false,
  authorizeUrl,
  exchangeCode,
  refresh,
  accounts,
  // Instagram Login has no revocation endpoint: the creator removes the app in Instagram's settings.
  revoke: async () => {},
  // Reels are public; Instagram offers no privacy choice through the API.
  capabilities: async () => ({ privacyOptions: [], notices: [], details: {} }),
  publish,
  checkStatus,
  metrics,
  metricsReads: instagramMetricsReads,
  accountMetrics,
  readUsage,
  classifyError: classifyInstagramError,
} satisfies PlatformConnector
