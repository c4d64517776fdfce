import { PGlite } from '@electric-sql/pglite'
import { PrismaPGlite } from 'pglite-prisma-adapter'
import { diffMigrationsToSchema, type MigrationFile } from '../../server/services/db/schema-engine'

/** The SQL that schema.prisma needs beyond `migrations`; empty when they agree. Uses a throwaway in-memory PGlite. */
export async function diffSchemaAgainstMigrations(migrations: MigrationFile[], schema: string): Promise<string> {
  const pglite = await PGlite.create()
  try {
    return await diffMigrationsToSchema(new PrismaPGlite(pglite), migrations, schema)
  }
  finally {
    await pglite.close()
  }
}
