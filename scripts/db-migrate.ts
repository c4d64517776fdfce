// npm run db:migrate
// Applies pending migrations from prisma/migrations to DATABASE_URL, or to the embedded PGlite in DATA_DIR when it is unset.
// It writes `_prisma_migrations` exactly as `prisma migrate deploy` does, so either tool can take over.
import { join, resolve } from 'node:path'
import { ConfigError, parseServerConfig } from '../server/services/config/env'
import { startEmbeddedDatabase } from '../server/services/db/embedded'
import { migrateIfBehind } from '../server/services/db/migrate'
import { readMigrationsDir } from '../server/services/db/migration-files'

const root = resolve(import.meta.dirname, '..')

async function main(): Promise<void> {
  const config = parseServerConfig()
  const migrations = await readMigrationsDir(join(root, 'prisma', 'migrations'))
  const embedded = config.database.url ? undefined : await startEmbeddedDatabase(config.dataDir)
  try {
    const applied = await migrateIfBehind(config.database.url ?? embedded!.url, migrations)
    const where = embedded ? `the embedded database in ${config.dataDir}` : 'DATABASE_URL'
    console.log(applied.length > 0
      ? `Applied ${applied.length} migration(s) to ${where}:\n${applied.map(name => `  ${name}`).join('\n')}`
      : `${where} is up to date (${migrations.length} migration(s)).`)
  }
  finally {
    await embedded?.close()
  }
}

main().then(() => process.exit(0), (error: Error) => {
  console.error(error instanceof ConfigError ? error.message : `db:migrate failed: ${error.message}`)
  process.exit(1)
})
