import { PrismaPg } from '@prisma/adapter-pg'
import pg from 'pg'
import { readMigrationStatus } from './migration-status'
import { applyMigrations, type MigrationFile } from './schema-engine'

// Like `prisma migrate deploy`, create the database named in the URL when the server does not have it yet.
async function connectCreatingDatabase(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url })
  try {
    await client.connect()
    return client
  }
  catch (error) {
    await client.end().catch(() => {})
    if ((error as { code?: string }).code !== '3D000') throw error
  }
  const target = new URL(url)
  const name = decodeURIComponent(target.pathname.slice(1))
  const maintenance = new URL(url)
  maintenance.pathname = '/postgres'
  const admin = new pg.Client({ connectionString: maintenance.toString() })
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`)
  }
  finally {
    await admin.end()
  }
  const created = new pg.Client({ connectionString: url })
  await created.connect()
  return created
}

// adapter-pg's executeScript splits a script at every ';', which cuts a function body (dollar-quoted) apart. Like
// `prisma migrate deploy`, send each migration whole: a query without parameters goes as one simple Query.
class WholeScriptPg extends PrismaPg {
  override async connect(): Promise<Awaited<ReturnType<PrismaPg['connect']>>> {
    const adapter = await super.connect()
    adapter.executeScript = async (script) => {
      await adapter.executeRaw({ sql: script, args: [], argTypes: [] })
    }
    return adapter
  }
}

/**
 * Applies whichever of `migrations` the database at `url` lacks, and returns their names.
 * Loading the wasm schema engine costs a moment, so it looks first and loads the engine only when something is pending.
 */
export async function migrateIfBehind(url: string, migrations: MigrationFile[]): Promise<string[]> {
  const client = await connectCreatingDatabase(url)
  const status = await readMigrationStatus(async sql => (await client.query(sql)).rows, migrations).finally(() => client.end())
  if (status.current) return []
  if (status.failed.length > 0) {
    throw new Error(`Migration ${status.failed.join(', ')} failed part-way. Fix the database by hand, then mark it with \`prisma migrate resolve\`.`)
  }
  return applyMigrations(new WholeScriptPg({ connectionString: url, max: 1 }), migrations)
}
