import { ConfigError } from '../services/config/env'

// Validates the configuration and starts the database before the first request is served
// (server/middleware/database.ts waits for it). A bad configuration stops a built app at once.
export default defineNitroPlugin((nitroApp) => {
  try {
    const config = useServerConfig()
    startDatabase(config).catch((error: Error) => {
      console.error(`[db] could not start the database: ${error.message}`)
      if (!import.meta.dev) process.exit(1)
    })
    nitroApp.hooks.hook('close', () => stopDatabase())
  }
  catch (error) {
    if (!(error instanceof ConfigError)) throw error
    console.error(error.message)
    if (!import.meta.dev) process.exit(1)
    throw error
  }
})
