import type { PlatformKey } from '#shared/platforms/keys'
import { platformApp } from '../services/platforms'
import { useSecretBox } from './secrets'

/** What the accounts and publishing services need in the app: the secret box, the platforms' app keys, our address. */
export function usePlatforms() {
  const config = useServerConfig()
  const server = { platforms: config.platforms, appUrl: config.appUrl }
  return { box: useSecretBox(), server, app: (platform: PlatformKey) => platformApp(server.platforms, server.appUrl, platform) }
}
