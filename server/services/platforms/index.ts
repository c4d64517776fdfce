// The connectors, one per platform key: adding a platform to shared/platforms/keys.ts fails typecheck here until it
// has one (and test/unit/platform-keys.test.ts names what else it lacks).
import { platformNames, type PlatformKey } from '#shared/platforms/keys'
import type { PlatformAppConfig } from '../config/env'
import { ServiceError } from '../errors'
import type { PlatformApp, PlatformConnector } from './connector'
import { facebookConnector } from './facebook'
import { instagramConnector } from './instagram'
import { tiktokConnector } from './tiktok'
import { youtubeConnector } from './youtube'

export const connectors = {
  instagram: instagramConnector,
  tiktok: tiktokConnector,
  youtube: youtubeConnector,
  facebook: facebookConnector,
} satisfies Record<PlatformKey, PlatformConnector>

/**
 * Our OAuth redirect for a platform, registered in its developer console. It is a page: the creator's session may
 * need renewing after minutes on the consent screen, which the app's pages do on their own; the page then hands the
 * code to the API.
 */
export const callbackPath = (platform: PlatformKey) => `/accounts/callback/${platform}`

/** This deployment's app at the platform, or a 503 that says which variables to set. */
export function platformApp(platforms: Record<PlatformKey, PlatformAppConfig | undefined>, appUrl: string, platform: PlatformKey): PlatformApp {
  const config = platforms[platform]
  if (!config) {
    const name = platform.toUpperCase()
    throw new ServiceError(503, `${platformNames[platform]} is not set up on this server: its administrator sets ${name}_CLIENT_ID and ${name}_CLIENT_SECRET (see the README).`, { reason: 'platform-not-configured' })
  }
  return { clientId: config.clientId, clientSecret: config.clientSecret, baseUrl: config.baseUrl, redirectUri: new URL(callbackPath(platform), appUrl).href }
}
