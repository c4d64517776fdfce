import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { MigrationFile } from './schema-engine'

/** Reads `<dir>/<name>/migration.sql` for every migration folder, oldest first. */
export async function readMigrationsDir(dir: string): Promise<MigrationFile[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return []
    throw error
  })
  const names = entries.filter(entry => entry.isDirectory()).map(entry => entry.name).sort()
  return Promise.all(names.map(async name => ({ name, sql: await readFile(join(dir, name, 'migration.sql'), 'utf8') })))
}
