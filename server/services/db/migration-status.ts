import type { MigrationFile } from './schema-engine'

export interface MigrationStatus {
  current: boolean
  applied: number
  pending: string[]
  /** Migrations that started and did not finish: the database needs a person before anything else runs. */
  failed: string[]
}

interface AppliedRow { migration_name: string, finished_at: Date | null, rolled_back_at: Date | null }

type Query = (sql: string) => Promise<unknown[]>

/** Compares `_prisma_migrations` (as written by the schema engine or `prisma migrate deploy`) with the shipped migrations. */
export async function readMigrationStatus(query: Query, shipped: Pick<MigrationFile, 'name'>[]): Promise<MigrationStatus> {
  const exists = await query(`SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '_prisma_migrations'`)
  const rows = exists.length === 0
    ? []
    : await query('SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations') as AppliedRow[]
  const applied = new Set(rows.filter(row => row.finished_at && !row.rolled_back_at).map(row => row.migration_name))
  const failed = rows.filter(row => !row.finished_at && !row.rolled_back_at).map(row => row.migration_name)
  const pending = shipped.map(migration => migration.name).filter(name => !applied.has(name))
  return { current: pending.length === 0 && failed.length === 0, applied: applied.size, pending, failed }
}
