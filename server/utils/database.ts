// The one Prisma client, and the database's life in this process: start the embedded PGlite when no
// DATABASE_URL is set, migrate when the configuration says so, and close everything on shutdown.
import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaClient } from '../generated/prisma/client'
import { SESSION_CACHE_CHANNEL } from '../services/auth/session-cache'
import { EMBEDDED_URL_VARIABLE, startEmbeddedDatabase, type EmbeddedDatabase } from '../services/db/embedded'
import { migrateIfBehind } from '../services/db/migrate'
import type { MigrationFile } from '../services/db/schema-engine'
import type { ServerConfig } from '../services/config/env'

interface Database {
  prisma: PrismaClient
  /** The connection string everything else (the job engine) uses: DATABASE_URL, or the embedded database's socket. */
  url: string
  embedded?: EmbeddedDatabase
  /** PGlite, started by this process or by `nuxt dev`: one session shared by every connection. */
  pglite: boolean
}

const closing: (() => Promise<void>)[] = []

/** Work to finish before the database closes on shutdown (the job engine's graceful stop). */
export function beforeDatabaseCloses(work: () => Promise<void>): void {
  closing.push(work)
}

let starting: Promise<Database> | undefined
let database: Database | undefined

// Bundled assets arrive as strings in a build and as bytes in dev.
function asText(raw: unknown): string {
  if (typeof raw === 'string') return raw
  if (raw instanceof Uint8Array) return new TextDecoder().decode(raw)
  throw new Error('A shipped migration could not be read')
}

let shipped: Promise<MigrationFile[]> | undefined

/** Migrations shipped with this build (Nitro server assets from prisma/migrations). Read once: /health asks on every probe. */
export function shippedMigrations(): Promise<MigrationFile[]> {
  shipped ??= (async () => {
    const assets = useStorage('assets:migrations')
    const keys = (await assets.getKeys()).filter(key => key.endsWith(':migration.sql')).sort()
    return Promise.all(keys.map(async key => ({
      name: key.slice(0, -':migration.sql'.length),
      sql: asText(await assets.getItemRaw(key)),
    })))
  })().catch((error) => {
    shipped = undefined
    throw error
  })
  return shipped
}

// Made by `nuxt build` (modules/embedded-database.ts); absent in dev, where a first start runs initdb instead.
async function pgliteTemplate(): Promise<Blob | undefined> {
  const raw = await useStorage('assets:pglite-template').getItemRaw('template.tar.gz')
  if (!raw) return undefined
  return new Blob([typeof raw === 'string' ? Buffer.from(raw, 'base64') : new Uint8Array(raw as Uint8Array)])
}

async function open(config: ServerConfig): Promise<Database> {
  // In `nuxt dev` the embedded database belongs to the Nuxt process (modules/embedded-database.ts) and outlives server reloads.
  let embedded: EmbeddedDatabase | undefined
  let url = config.database.url ?? process.env[EMBEDDED_URL_VARIABLE]
  if (!url) {
    embedded = await startEmbeddedDatabase(config.dataDir, { loadTemplate: pgliteTemplate, channels: [SESSION_CACHE_CHANNEL] })
    url = embedded.url
  }
  try {
    if (config.database.migrateOnBoot) {
      const applied = await migrateIfBehind(url, await shippedMigrations())
      if (applied.length > 0) console.info(`[db] applied ${applied.length} migration(s): ${applied.join(', ')}`)
    }
    const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: embedded || process.env[EMBEDDED_URL_VARIABLE] ? 4 : 10 }) })
    return { prisma, url, embedded, pglite: !config.database.url }
  }
  catch (error) {
    await embedded?.close()
    throw error
  }
}

/** Starts the database once per process; later calls get the same promise. */
export function startDatabase(config: ServerConfig): Promise<Database> {
  starting ??= open(config).then((opened) => {
    database = opened
    return opened
  })
  return starting
}

export function databaseReady(): Promise<Database> {
  if (!starting) throw new Error('startDatabase() has not been called')
  return starting
}

/** The Prisma client. Request handlers can use it directly: server/middleware/database.ts waits for start-up. */
export function useDb(): PrismaClient {
  if (!database) throw createError({ status: 503, statusText: 'The database is still starting; try again in a moment.' })
  return database.prisma
}

export async function stopDatabase(): Promise<void> {
  await Promise.all(closing.splice(0).map(work => work().catch(() => {})))
  const current = await starting?.catch(() => undefined)
  starting = undefined
  database = undefined
  await current?.prisma.$disconnect()
  await current?.embedded?.close()
}
