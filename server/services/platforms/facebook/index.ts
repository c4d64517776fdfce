// Facebook Reels on a Page, through Facebook Login and the Page's own token. We upload the bytes ourselves
// (rupload.facebook.com), so Facebook needs no public URL.
import { facebook } from '#shared/platforms/facebook'
import type { PlatformConnector } from '../connector'
import { classifyFacebookError } from './errors'
import { accountMetrics, facebookMetricsReads, metrics } from './metrics'
import { FACEBOOK_SCOPES, accounts, authorizeUrl, exchangeCode, refresh, revoke } from './oauth'
import { checkStatus, publish } from './publish'

export const REELS_LIMIT_KEY = 'facebook.reels'

export const facebookConnector = {
  key: 'facebook',
  scopes: FACEBOOK_SCOPES,
  constraints: facebook.constraints,
  pullsFromUrl: false,
  limits: [{
    key: REELS_LIMIT_KEY,
    label: 'Facebook\'s limit of 30 Reels a Page may publish through the API per 24 hours',
    max: 30,
    window: { rollingSeconds: 24 * 60 * 60 },
    perPublish: 1,
  }],
  usesPkce: false,
  authorizeUrl,
  exchangeCode,
  refresh,
  accounts,
  revoke,
  // Reels on a Page are public; the API offers no privacy choice for them.
  capabilities: async () => ({ privacyOptions: [], notices: [], details: {} }),
  publish,
  checkStatus,
  metrics,
  metricsReads: facebookMetricsReads,
  accountMetrics,
  classifyError: classifyFacebookError,
} satisfies PlatformConnector
