// Prisma's own schema engine, compiled to WebAssembly, driven through a driver adapter.
// The native engine binary is downloaded from outside at install time, which cannot work offline;
// the wasm engine reads and writes `_prisma_migrations` exactly as `prisma migrate deploy` does.
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { bindMigrationAwareSqlAdapterFactory, type SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils'

export interface MigrationFile {
  /** Folder name, e.g. `20261126000000_init`. Sorting by name gives the order. */
  name: string
  sql: string
}

type WasmBindings = typeof import('@prisma/schema-engine-wasm/schema_engine_bg')
type SchemaEngine = Awaited<ReturnType<WasmBindings['SchemaEngine']['new']>>

const MIGRATION_LOCK = '# Written by Reelwise; Prisma reads it too.\nprovider = "postgresql"\n'
const NO_FILTERS = { externalTables: [], externalEnums: [] }

let bindingsPromise: Promise<WasmBindings> | undefined

// Compiling 5 MB of wasm takes a moment, so it happens once per process and only when needed.
function loadBindings(): Promise<WasmBindings> {
  bindingsPromise ??= (async () => {
    const bindings = await import('@prisma/schema-engine-wasm/schema_engine_bg')
    const require = createRequire(import.meta.url)
    const wasmPath = join(dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')), 'schema_engine_bg.wasm')
    const module = await WebAssembly.compile(await readFile(wasmPath))
    const instance = await WebAssembly.instantiate(module, { './schema_engine_bg.js': bindings as unknown as WebAssembly.ModuleImports })
    bindings.__wbg_set_wasm(instance.exports)
    const start = (instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start
    start?.()
    return bindings
  })()
  return bindingsPromise
}

async function openEngine(adapterFactory: SqlMigrationAwareDriverAdapterFactory, schema?: string): Promise<SchemaEngine> {
  const bindings = await loadBindings()
  const datamodels: [string, string][] | undefined = schema ? [['schema.prisma', schema]] : undefined
  // The adapter must be wrapped, and its methods must stay bound to it.
  return bindings.SchemaEngine.new({ datamodels }, () => {}, bindMigrationAwareSqlAdapterFactory(adapterFactory))
}

function migrationList(migrations: MigrationFile[]) {
  return {
    baseDir: '.',
    lockfile: { path: 'migration_lock.toml', content: MIGRATION_LOCK },
    shadowDbInitScript: '',
    migrationDirectories: [...migrations]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map(migration => ({
        path: migration.name,
        migrationFile: { path: 'migration.sql', content: { tag: 'ok' as const, value: migration.sql } },
      })),
  }
}

/** Applies the pending migrations and returns the names of those it applied. A second call applies nothing. */
export async function applyMigrations(adapterFactory: SqlMigrationAwareDriverAdapterFactory, migrations: MigrationFile[]): Promise<string[]> {
  const engine = await openEngine(adapterFactory)
  try {
    const result = await engine.applyMigrations({ migrationsList: migrationList(migrations), filters: NO_FILTERS })
    return result.appliedMigrationNames
  }
  finally {
    engine.free()
  }
}

/**
 * The SQL that takes a database holding `migrations` to `schema`. Empty when they agree.
 * `adapterFactory` must point at an empty, throwaway database (an in-memory PGlite): the migrations are applied to it first.
 */
export async function diffMigrationsToSchema(adapterFactory: SqlMigrationAwareDriverAdapterFactory, migrations: MigrationFile[], schema: string): Promise<string> {
  const files = [{ path: 'schema.prisma', content: schema }]
  const engine = await openEngine(adapterFactory, schema)
  try {
    const from = migrations.length > 0
      ? (await engine.applyMigrations({ migrationsList: migrationList(migrations), filters: NO_FILTERS }), { tag: 'schemaDatasource' as const, files, configDir: '.' })
      : { tag: 'empty' as const }
    const result = await engine.diff({ from, to: { tag: 'schemaDatamodel', files }, script: true, exitCode: true, filters: NO_FILTERS })
    const sql = result.stdout ?? ''
    // An empty diff comes back as a comment line only.
    return result.exitCode === 0 ? '' : sql
  }
  finally {
    engine.free()
  }
}
