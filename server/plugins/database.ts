import { ConfigError } from '../services/config/env'

// Validates the configuration and starts the database before the first request is served
// (server/middleware/database.ts waits for it). A bad configuration stops a built app at once.
// `node .output/server/index.mjs --migrate-only` applies pending migrations and exits: render.yaml's pre-deploy step.
export default defineNitroPlugin((nitroApp) => {
  let config
  try {
    config = useServerConfig()
  }
  catch (error) {
    if (!(error instanceof ConfigError)) throw error
    console.error(error.message)
    if (!import.meta.dev) process.exit(1)
    throw error
  }

  if (process.argv.includes('--migrate-only')) {
    startDatabase({ ...config, database: { ...config.database, migrateOnBoot: true } })
      .then(() => stopDatabase())
      .then(() => {
        console.info('[db] migrations are current')
        process.exit(0)
      }, (error: Error) => {
        console.error(`[db] migration failed: ${error.message}`)
        process.exit(1)
      })
    return
  }

  startDatabase(config).catch((error: Error) => {
    console.error(`[db] could not start the database: ${error.message}`)
    if (!import.meta.dev) process.exit(1)
  })
  nitroApp.hooks.hook('close', () => stopDatabase())
})
