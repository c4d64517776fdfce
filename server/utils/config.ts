import { parseServerConfig, type ServerConfig } from '../services/config/env'

let config: ServerConfig | undefined

/** The validated server configuration (see server/services/config/env.ts). Throws ConfigError on a bad environment. */
export function useServerConfig(): ServerConfig {
  config ??= parseServerConfig()
  return config
}
