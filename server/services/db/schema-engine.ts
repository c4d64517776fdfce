// Prisma's own schema engine, compiled to WebAssembly, driven through a driver adapter.
// The native engine binary is downloaded from outside at install time, which cannot work offline;
// the wasm engine reads and writes `_prisma_migrations` exactly as `prisma migrate deploy` does.
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { bindMigrationAwareSqlAdapterFactory, type SqlDriverAdapter, type SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils'

export interface MigrationFile {
  /** Folder name, e.g. `20261126000000_init`. Sorting by name gives the order. */
  name: string
  sql: string
}

type WasmBindings = typeof import('@prisma/schema-engine-wasm/schema_engine_bg')
type SchemaEngine = Awaited<ReturnType<WasmBindings['SchemaEngine']['new']>>

const MIGRATION_LOCK = '# Written by Reelwise; Prisma reads it too.\nprovider = "postgresql"\n'
const NO_FILTERS = { externalTables: [], externalEnums: [] }

// The wasm glue module is shared by the whole process (Node caches it once), even when this file is loaded twice,
// as test runners and dev servers do. So the instance and the queue live on globalThis, one per process.
interface EngineState { bindings?: Promise<WasmBindings>, queue: Promise<unknown> }
const stateKey = Symbol.for('reelwise.schemaEngine')
const state: EngineState = ((globalThis as Record<symbol, EngineState>)[stateKey] ??= { queue: Promise.resolve() })

// The engine reports a Rust panic through this global before it traps. Keep the message so the error says what happened.
interface PanicRegistry { set_message: (message: string) => void }
const panicHolder = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: PanicRegistry }
let lastPanic: string | undefined
panicHolder.PRISMA_WASM_PANIC_REGISTRY ??= {
  set_message: (message) => {
    lastPanic = message
  },
}

// A panic leaves the wasm instance unusable, so the next call compiles a fresh one.
function guarded<T>(work: () => Promise<T>): Promise<T> {
  // One engine at a time per process: two engines working at once in the same wasm instance corrupt its memory.
  const run = state.queue.then(async () => {
    lastPanic = undefined
    try {
      return await work()
    }
    catch (error) {
      if (lastPanic || error instanceof WebAssembly.RuntimeError) {
        state.bindings = undefined
        throw new Error(`The Prisma schema engine crashed: ${lastPanic ?? (error as Error).message}`, { cause: error })
      }
      throw error
    }
  })
  state.queue = run.catch(() => {})
  return run
}

// Compiling 5 MB of wasm takes a moment, so it happens once per process and only when needed.
function loadBindings(): Promise<WasmBindings> {
  state.bindings ??= (async () => {
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
  return state.bindings
}

interface OpenEngine {
  engine: SchemaEngine
  /** Frees the engine and closes every connection it opened, so no pool outlives the call. */
  close: () => Promise<void>
}

async function openEngine(adapterFactory: SqlMigrationAwareDriverAdapterFactory, schema?: string): Promise<OpenEngine> {
  const bindings = await loadBindings()
  const connections: SqlDriverAdapter[] = []
  const tracked: SqlMigrationAwareDriverAdapterFactory = {
    provider: adapterFactory.provider,
    adapterName: adapterFactory.adapterName,
    connect: async () => {
      const connection = await adapterFactory.connect()
      connections.push(connection)
      return connection
    },
    connectToShadowDb: async () => {
      const connection = await adapterFactory.connectToShadowDb()
      connections.push(connection)
      return connection
    },
  }
  const datamodels: [string, string][] | undefined = schema ? [['schema.prisma', schema]] : undefined
  // The adapter must be wrapped, and its methods must stay bound to it.
  const engine = await bindings.SchemaEngine.new({ datamodels }, () => {}, bindMigrationAwareSqlAdapterFactory(tracked))
  return {
    engine,
    async close() {
      engine.free()
      await Promise.all(connections.map(connection => connection.dispose().catch(() => {})))
    },
  }
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
  return guarded(async () => {
    const { engine, close } = await openEngine(adapterFactory)
    try {
      const result = await engine.applyMigrations({ migrationsList: migrationList(migrations), filters: NO_FILTERS })
      return result.appliedMigrationNames
    }
    finally {
      await close()
    }
  })
}

/**
 * The SQL that takes a database holding `migrations` to `schema`. Empty when they agree.
 * `adapterFactory` must point at an empty, throwaway database (an in-memory PGlite): the migrations are applied to it first.
 */
export async function diffMigrationsToSchema(adapterFactory: SqlMigrationAwareDriverAdapterFactory, migrations: MigrationFile[], schema: string): Promise<string> {
  const files = [{ path: 'schema.prisma', content: schema }]
  return guarded(async () => {
    const { engine, close } = await openEngine(adapterFactory, schema)
    try {
      const from = migrations.length > 0
        ? (await engine.applyMigrations({ migrationsList: migrationList(migrations), filters: NO_FILTERS }), { tag: 'schemaDatasource' as const, files, configDir: '.' })
        : { tag: 'empty' as const }
      const result = await engine.diff({ from, to: { tag: 'schemaDatamodel', files }, script: true, exitCode: true, filters: NO_FILTERS })
      // exitCode 0 with `exitCode: true` means the two agree.
      return result.exitCode === 0 ? '' : result.stdout ?? ''
    }
    finally {
      await close()
    }
  })
}
