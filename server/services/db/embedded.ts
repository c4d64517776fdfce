// The embedded database: PGlite (PostgreSQL in WebAssembly) persisted in DATA_DIR, served over the Postgres
// wire protocol on a loopback port, so that Prisma (through @prisma/adapter-pg) and the job queue (pg)
// talk to it exactly as they talk to a real PostgreSQL server.
import { existsSync } from 'node:fs'
import { mkdir, open, readFile, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'
import { BackendStream } from './backend-stream'
import { keepExchangesTogether } from './socket-queue'

/** Set by whoever started the embedded database in this process (the dev module or the Nitro plugin). */
export const EMBEDDED_URL_VARIABLE = 'REELWISE_EMBEDDED_DATABASE_URL'

/** Told of one channel's notifications. */
export interface ChannelListener {
  heard: (payload: string) => void
  /** A notification may have been missed (whatever was learnt from them must be forgotten); later ones still come. */
  missed: () => void
  /** Notifications will not come any more (the session was made to stop listening). */
  deaf: () => void
}

export interface EmbeddedDatabase {
  url: string
  close: () => Promise<void>
  /**
   * Listens in this process to a channel named in `EmbeddedOptions.channels`. Every connection's notification is heard
   * before the connection whose commit sent it gets its answer. Returns the way to stop.
   */
  listen: (channel: string, listener: ChannelListener) => () => void
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  }
  catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

// A PGlite data directory is single-process: opening it twice corrupts it. A lock file with our pid guards it.
async function takeLock(lockPath: string): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockPath, 'wx')
      await handle.writeFile(String(process.pid))
      await handle.close()
      return
    }
    catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const owner = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10)
    if (owner && owner !== process.pid && isRunning(owner)) {
      throw new Error(`The embedded database in ${dirname(lockPath)} is already open in process ${owner}. Stop that process, or give this one its own DATA_DIR.`)
    }
    // A stale lock from a process that crashed.
    await rm(lockPath, { force: true })
  }
  throw new Error(`Could not lock the embedded database at ${lockPath}`)
}

export interface EmbeddedOptions {
  /** A gzipped data directory to start from when `dataDir` holds no database yet (much faster than initdb). */
  loadTemplate?: () => Promise<Blob | undefined>
  /** Channels the session LISTENs to from the start, for `listen` (no connection can join a transaction before). */
  channels?: string[]
}

/** Opens (creating on first use) the PGlite database in `dataDir/pglite` and serves it on 127.0.0.1 at a free port. */
export async function startEmbeddedDatabase(dataDir: string, options: EmbeddedOptions = {}): Promise<EmbeddedDatabase> {
  await mkdir(dataDir, { recursive: true })
  const lockPath = join(dataDir, 'pglite.lock')
  await takeLock(lockPath)
  let db: PGlite | undefined
  try {
    const path = join(dataDir, 'pglite')
    const fresh = !existsSync(join(path, 'PG_VERSION'))
    const template = fresh ? await options.loadTemplate?.() : undefined
    db = await PGlite.create(path, template ? { loadDataDir: template } : {})
    if (fresh) console.info(`[db] created the embedded database in ${path}${template ? ' from the build\'s migrated template' : ''}`)
    const listeners = new Map<string, Set<ChannelListener>>()
    const every = (call: (listener: ChannelListener) => void) => listeners.forEach(set => set.forEach(call))
    let listening = false
    const stream = new BackendStream({
      notification: (channel, payload) => listeners.get(channel)?.forEach(listener => listener.heard(payload)),
      lost: () => every(listener => listener.missed()),
      unlistened: () => {
        // Listening again would have to wait for whichever connection holds the session: stay deaf instead.
        if (listening) console.warn('[db] a connection stopped the embedded database\'s LISTEN; notifications are off until restart')
        listening = false
        every(listener => listener.deaf())
      },
    })
    // What PGlite's own API runs (the socket server's ROLLBACK of a connection gone mid-transaction) is parsed by PGlite.
    db.onNotification((channel, payload) => listeners.get(channel)?.forEach(listener => listener.heard(payload)))
    for (const channel of options.channels ?? []) await db.exec(`LISTEN "${channel.replaceAll('"', '""')}"`)
    listening = (options.channels ?? []).length > 0
    // pg-boss and Prisma each keep a small pool; PGlite runs one query at a time and the server queues the rest.
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 32 })
    keepExchangesTogether(server, stream)
    await server.start()
    const url = `postgresql://postgres@${server.getServerConn()}/postgres?sslmode=disable`
    const pglite = db
    return {
      url,
      listen(channel, listener) {
        if (!listening || !options.channels?.includes(channel)) {
          listener.deaf()
          return () => {}
        }
        let set = listeners.get(channel)
        if (!set) listeners.set(channel, set = new Set())
        set.add(listener)
        return () => set.delete(listener)
      },
      async close() {
        await server.stop()
        await pglite.close()
        await rm(lockPath, { force: true })
      },
    }
  }
  catch (error) {
    await db?.close().catch(() => {})
    await rm(lockPath, { force: true })
    throw error
  }
}
