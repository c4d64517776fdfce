// Gives each integration project a migrated database of its own for the run, and removes it afterwards:
// an embedded PGlite in a temporary folder, or a new database on the PostgreSQL server at 127.0.0.1:5432.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import type { TestProject } from 'vitest/node'
import { startEmbeddedDatabase } from '../../server/services/db/embedded'
import { migrateIfBehind } from '../../server/services/db/migrate'
import { readMigrationsDir } from '../../server/services/db/migration-files'
import { buildAppOnce } from './build'
import { createScratchPostgres, queryRows, TEST_POSTGRES_URL } from './postgres'
import { createTestTables } from './test-queues'

declare module 'vitest' {
  export interface ProvidedContext {
    databaseKind: 'pglite' | 'postgres'
    databaseUrl: string
    /** A PGlite data directory fresh from initdb, which each embedded scratch database starts as a copy of. */
    pgliteScratchTemplate?: string
  }
}

export default async function setup(project: TestProject) {
  const kind = project.config.provide.databaseKind
  // Some integration tests call the API of the built app (tenant isolation, for one).
  const built = buildAppOnce()
  const migrations = await readMigrationsDir(resolve(import.meta.dirname, '../../prisma/migrations'))
  if (kind === 'postgres') {
    const scratch = await createScratchPostgres('reelwise_it')
    await migrateIfBehind(scratch.url, migrations)
    await queryRows(scratch.url, createTestTables)
    const client = new pg.Client({ connectionString: TEST_POSTGRES_URL })
    await client.connect()
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version')
    await client.end()
    console.log(`[integration:postgres] PostgreSQL ${rows[0]?.server_version} at 127.0.0.1:5432, database ${scratch.name} (dropped after the run)`)
    project.provide('databaseUrl', scratch.url)
    await built
    return () => scratch.drop()
  }
  const dir = await mkdtemp(join(tmpdir(), 'reelwise-it-'))
  // PGlite's initdb costs about 4 CPU-seconds; opening a copy of a closed data directory costs under one. Some fifty
  // scratch databases are made on this side per run (test/support/scratch.ts).
  const template = join(dir, 'scratch-template')
  await (await PGlite.create(template)).close()
  project.provide('pgliteScratchTemplate', template)
  const embedded = await startEmbeddedDatabase(dir)
  await migrateIfBehind(embedded.url, migrations)
  await queryRows(embedded.url, createTestTables)
  console.log(`[integration:pglite] embedded PGlite in ${dir}, served at ${embedded.url.replace(/\?.*/, '')} (removed after the run)`)
  project.provide('databaseUrl', embedded.url)
  await built
  return async () => {
    await embedded.close()
    await rm(dir, { recursive: true, force: true })
  }
}
