import { PGlite } from '@electric-sql/pglite'
import { getConstructionPlans } from 'pg-boss'
import { PrismaPGlite } from 'pglite-prisma-adapter'
import { applyMigrations, type MigrationFile } from '../../server/services/db/schema-engine'

/**
 * A gzipped PGlite data directory with every migration applied and the job engine's schema, made at build time.
 * A first boot of the built app unpacks it instead of running initdb and the migrations (about 1 s instead of 3.5 s).
 */
export async function buildPgliteTemplate(migrations: MigrationFile[]): Promise<Blob> {
  const pglite = await PGlite.create()
  try {
    await applyMigrations(new PrismaPGlite(pglite), migrations)
    // The job engine's tables too, so a first boot does not build them either.
    await pglite.exec(getConstructionPlans('pgboss'))
    return await pglite.dumpDataDir('gzip')
  }
  finally {
    await pglite.close()
  }
}
