import { defineNuxtModule } from '@nuxt/kit'
import { parseServerConfig } from '../server/services/config/env'
import { EMBEDDED_URL_VARIABLE, startEmbeddedDatabase } from '../server/services/db/embedded'

// `nuxt dev` reloads the Nitro server on every server-file edit, but this Nuxt process lives on. The embedded
// PGlite belongs here, so it is opened once, survives reloads, and closes with Nuxt.
export default defineNuxtModule({
  meta: { name: 'embedded-database' },
  async setup(_options, nuxt) {
    if (!nuxt.options.dev || nuxt.options._prepare || process.env.DATABASE_URL || process.env[EMBEDDED_URL_VARIABLE]) return
    const config = parseServerConfig()
    const database = await startEmbeddedDatabase(config.dataDir)
    process.env[EMBEDDED_URL_VARIABLE] = database.url
    nuxt.hook('close', async () => {
      Reflect.deleteProperty(process.env, EMBEDDED_URL_VARIABLE)
      await database.close()
    })
  },
})
