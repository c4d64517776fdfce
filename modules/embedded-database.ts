import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { defineNuxtModule } from '@nuxt/kit'
import type { NitroConfig } from 'nitropack/types'
import { buildPgliteTemplate } from '../scripts/lib/pglite-template'
import { parseServerConfig } from '../server/services/config/env'
import { EMBEDDED_URL_VARIABLE, startEmbeddedDatabase } from '../server/services/db/embedded'
import { readMigrationsDir } from '../server/services/db/migration-files'

// The embedded database's two jobs around Nuxt itself:
// - `nuxt dev` reloads the Nitro server on every server-file edit, but this Nuxt process lives on. The embedded
//   PGlite belongs here, so it is opened once, survives reloads, and closes with Nuxt.
// - `nuxt build` ships a ready, migrated data directory, so a first boot of the built app skips initdb.
export default defineNuxtModule({
  meta: { name: 'embedded-database' },
  async setup(_options, nuxt) {
    if (nuxt.options._prepare) return

    if (!nuxt.options.dev) {
      const templateDir = join(nuxt.options.buildDir, 'pglite-template')
      nuxt.hook('nitro:config', (config) => {
        const nitroConfig = config as NitroConfig
        nitroConfig.serverAssets = [...nitroConfig.serverAssets ?? [], { baseName: 'pglite-template', dir: templateDir }]
      })
      nuxt.hook('build:before', async () => {
        const migrations = await readMigrationsDir(join(nuxt.options.rootDir, 'prisma', 'migrations'))
        const template = await buildPgliteTemplate(migrations)
        await mkdir(templateDir, { recursive: true })
        await writeFile(join(templateDir, 'template.tar.gz'), Buffer.from(await template.arrayBuffer()))
      })
      return
    }

    if (process.env.DATABASE_URL || process.env[EMBEDDED_URL_VARIABLE]) return
    const config = parseServerConfig()
    const database = await startEmbeddedDatabase(config.dataDir)
    process.env[EMBEDDED_URL_VARIABLE] = database.url
    nuxt.hook('close', async () => {
      Reflect.deleteProperty(process.env, EMBEDDED_URL_VARIABLE)
      await database.close()
    })
  },
})
